// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { applyManagedPolicy } from '../background/managed.ts';
import { loadSettings, saveRemoteConfig, saveSettings, type KeyValueArea } from '../background/settings.ts';
import { OptionsApp, type OptionsDeps } from './Options.tsx';

let root: HTMLElement;
let storage: KeyValueArea;
let deps: OptionsDeps;

beforeEach(() => {
  fakeBrowser.reset();
  storage = fakeBrowser.storage.local as unknown as KeyValueArea;
  deps = {
    storage,
    testConnection: vi.fn(async () => ({ ok: false, kind: 'unauthorized', message: 'The server does not accept this token (unknown or revoked).' })),
    requestPermission: vi.fn(async () => true),
    download: vi.fn(),
    sites: [
      { id: 'chatgpt', label: 'ChatGPT' },
      { id: 'claude', label: 'Claude' },
    ],
    validSelector: (s) => !s.includes('!!'),
  };
});
afterEach(() => {
  render(null, root);
  root.remove();
});

const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await tick();
  }
  throw new Error('condition not reached');
}
async function show() {
  root = document.createElement('div');
  document.body.append(root);
  render(<OptionsApp {...deps} />, root);
  await until(() => root.querySelector('input[name=serverUrl]') !== null);
}
const $ = <T extends Element = HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
const hook = (name: string) => $(`[data-gt="${name}"]`);
/** Types into a field; like a person, one event at a time, each followed by a render. */
async function type(sel: string, value: string) {
  const el = $<HTMLInputElement>(sel);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  await tick();
}
async function toggle(sel: string) {
  $<HTMLInputElement>(sel).click();
  await tick();
}

describe('options page', () => {
  it('starts from the defaults: local server, no token, redaction on', async () => {
    await show();
    expect($<HTMLInputElement>('input[name=serverUrl]').value).toBe('http://127.0.0.1:8787');
    expect($<HTMLInputElement>('input[name=token]').value).toBe('');
    expect($<HTMLInputElement>('input[name=redact]').checked).toBe(true);
    expect($<HTMLInputElement>('input[name=hashesOnly]').checked).toBe(false);
  });

  it('saves server, token and privacy; a local server needs no permission prompt', async () => {
    await show();
    await type('input[name=serverUrl]', 'http://localhost:9000');
    await type('input[name=token]', '  gt_abc  ');
    await toggle('input[name=hashesOnly]');
    await toggle('input[name=starMode]');
    await toggle('input[name=site-claude]');
    await type('textarea[name=offHosts]', 'Intranet.example.com\n');
    hook('save-settings').click();
    await until(() => root.querySelector('[data-gt="save-result"]')?.textContent === 'Saved.');
    const s = await loadSettings(storage);
    expect(s).toMatchObject({
      serverUrl: 'http://localhost:9000',
      token: 'gt_abc',
      privacy: { redact: true, hashesOnly: true },
      starMode: true,
      siteEnabled: { claude: false, 'intranet.example.com': false },
    });
    expect(deps.requestPermission).not.toHaveBeenCalled();
  });

  it('asks for permission to reach another server when it is saved, and says so when refused', async () => {
    deps.requestPermission = vi.fn(async () => false);
    await show();
    await type('input[name=serverUrl]', 'https://gt.example.com:8443/');
    hook('save-settings').click();
    await until(() => !!root.querySelector('[data-gt="save-result"]'));
    expect(deps.requestPermission).toHaveBeenCalledWith(['https://gt.example.com/*']);
    expect(hook('save-result').textContent).toMatch(/may not reach https:\/\/gt\.example\.com:8443\/ until you allow it/);
    expect((await loadSettings(storage)).serverUrl).toBe('https://gt.example.com:8443/');
  });

  it('refuses a server URL that is not http(s), in words', async () => {
    await show();
    await type('input[name=serverUrl]', 'ftp://example.com');
    hook('save-settings').click();
    await until(() => !!root.querySelector('[data-gt="save-result"]'));
    expect(hook('save-result').textContent).toMatch(/^Not saved: serverUrl: must be an http:\/\/ or https:\/\/ address/);
  });

  it('Connect with a code: asks for the server\'s origin in the click, shows the token the background stored, and never needs one typed', async () => {
    deps.connectWithCode = vi.fn(async (serverUrl: string) => {
      // What the background does (background/connect.ts): the token is stored, not sent back.
      await storage.set({ settings: { serverUrl, token: 'gt_fromTheCode' } });
      return { ok: true, raterId: 'alice', message: 'Connected to https://gt.example.com as rater alice (workspace "default").' };
    });
    await show();
    await type('input[name=serverUrl]', 'https://gt.example.com');
    await type('input[name=connectCode]', 'k7qx-m4tz');
    hook('connect').click();
    await until(() => !!root.querySelector('[data-gt="connect-result"]'));
    expect(deps.requestPermission).toHaveBeenCalledWith(['https://gt.example.com/*']);
    expect(deps.connectWithCode).toHaveBeenCalledWith('https://gt.example.com', 'k7qx-m4tz');
    expect(hook('connect-result').textContent).toMatch(/^Connected to https:\/\/gt\.example\.com as rater alice/);
    expect(hook('connect-result').className).toBe('good');
    expect(hook('connect-result').getAttribute('role')).toBe('status');
    expect($<HTMLInputElement>('input[name=token]').value).toBe('gt_fromTheCode');
    expect($<HTMLInputElement>('input[name=connectCode]').value).toBe('');
    expect((await loadSettings(storage)).token).toBe('gt_fromTheCode');
  });

  it('Connect with a code shows a refusal in words, and Enter in the code field connects rather than saving', async () => {
    deps.connectWithCode = vi.fn(async () => ({ ok: false, kind: 'refused', message: 'The server refused the request (HTTP 410): This connect code expired.' }));
    await show();
    expect(hook('connect').hasAttribute('disabled')).toBe(true); // nothing typed yet
    await type('input[name=connectCode]', 'AAAA-BBBB');
    $<HTMLInputElement>('input[name=connectCode]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    await until(() => !!root.querySelector('[data-gt="connect-result"]'));
    expect(hook('connect-result').textContent).toBe('The server refused the request (HTTP 410): This connect code expired.');
    expect(hook('connect-result').className).toBe('bad');
    expect(deps.requestPermission).not.toHaveBeenCalled(); // the local server needs none
    expect(root.querySelector('[data-gt="save-result"]')).toBeNull();
    expect((await loadSettings(storage)).token).toBe('');
  });

  it('Test connection shows the background answer in plain words', async () => {
    await show();
    await type('input[name=token]', 'gt_bad');
    hook('test-connection').click();
    await until(() => !!root.querySelector('[data-gt="connection-result"]'));
    expect(deps.testConnection).toHaveBeenCalledWith('http://127.0.0.1:8787', 'gt_bad');
    expect(hook('connection-result').textContent).toBe('The server does not accept this token (unknown or revoked).');
    expect(hook('connection-result').className).toBe('bad');
  });

  it('edits custom rules: says what is wrong, saves what is right, exports and imports JSON', async () => {
    await show();
    hook('add-rule').click();
    await until(() => !!root.querySelector('[data-gt="rule"]'));
    await type('input[name=rule-0-urlPattern]', 'https://airflow.example.com/*');
    await type('input[name=rule-0-outputSelector]', '.ai !! nope');
    hook('save-settings').click();
    await until(() => !!root.querySelector('[data-gt="rule-error"]'));
    expect(hook('rule-error').textContent).toBe('".ai !! nope" is not a valid CSS selector');
    expect((await loadSettings(storage)).customRules).toEqual([]);

    await type('input[name=rule-0-outputSelector]', '.ai-analysis');
    await type('input[name=rule-0-subjectUrlRegex]', 'dags/([^/]+)');
    hook('save-settings').click();
    await until(async () => (await loadSettings(storage)).customRules.length === 1);
    expect((await loadSettings(storage)).customRules[0]).toMatchObject({
      id: 'rule-1',
      urlPattern: 'https://airflow.example.com/*',
      outputSelector: '.ai-analysis',
      kind: 'error_analysis',
      subject: { urlRegex: 'dags/([^/]+)' },
      source: 'user',
    });

    hook('export-rules').click();
    expect(deps.download).toHaveBeenCalledWith('groundtruth-rules.json', expect.stringContaining('"outputSelector": ".ai-analysis"'));

    await type('textarea[name=rulesJson]', JSON.stringify({ rules: [{ id: 'grafana', urlPattern: 'https://grafana.example.com/*', outputSelector: '.insight' }, { id: 'x' }] }));
    hook('import-rules').click();
    await until(() => !!root.querySelector('[data-gt="rules-note"]')?.textContent?.startsWith('Imported'));
    expect(hook('rules-note').textContent).toMatch(/^Imported 1 rule\. Skipped 1: rule 2 \(x\): /);
    expect((await loadSettings(storage)).customRules.map((r) => r.id)).toEqual(['rule-1', 'grafana']);
    await until(() => root.querySelectorAll('[data-gt="rule"]').length === 2);
  });

  it('lists rules published by the admin, and those this version cannot use', async () => {
    await saveRemoteConfig(storage, {
      config: {
        rules: [
          { id: 'team', name: 'Team Airflow', urlPattern: 'https://airflow.example.com/*', outputSelector: '.ai' },
          { id: 'odd', urlPattern: 'https://x/*', outputSelector: '.a', kind: 'nonsense' },
        ],
        disabledAdapters: ['gemini'],
        selectorPacks: {},
      },
      updatedAt: null,
      version: 1,
      capabilities: ['packs', 'health', 'own-ratings'],
      caller: { workspaceId: 'default', role: 'rater', name: 'a' },
    });
    await show();
    await until(() => !!root.querySelector('[data-gt="server-rules"]'));
    expect(hook('server-rules').textContent).toContain('Team Airflow');
    expect(root.textContent).toContain('Ignored published rule odd');
    expect(root.textContent).toContain('Switched off by your admin: gemini.');
  });
});

describe('options page under an admin policy (ADR 0053)', () => {
  it('shows the policy\'s errors and its connect result, and the managed site switches as disabled and marked', async () => {
    await applyManagedPolicy({
      managed: { get: async () => ({ serverUrl: 'https://gt.example', connectCode: 'ABCD-EFGH', disabledSites: ['claude'], colour: 'red' }) },
      storage,
      connect: async () => ({ ok: false, message: 'The server refused the request (HTTP 409): This connect code was used already.' }),
      currentToken: async () => '',
    });
    await show();
    expect(hook('managed-policy').textContent).toMatch(/set by your organisation's policy/);
    expect([...root.querySelectorAll('[data-gt="managed-error"]')].map((e) => e.textContent)).toEqual(['Ignored in the policy: unknown policy field "colour"']);
    expect(hook('managed-connect').textContent).toBe("The policy's connect code: The server refused the request (HTTP 409): This connect code was used already.");
    expect(hook('managed-connect').className).toBe('bad');
    expect($<HTMLInputElement>('input[name=serverUrl]').readOnly).toBe(true);
    expect(hook('managed-serverUrl').textContent).toBe('Set by your organisation');
    expect(root.querySelector('[data-gt="managed-token"]')).toBeNull();
    const claude = $<HTMLInputElement>('input[name=site-claude]');
    expect([claude.disabled, claude.checked]).toEqual([true, false]);
    expect(hook('managed-site-claude').textContent).toMatch(/off: set by your organisation/);
    expect($<HTMLInputElement>('input[name=site-chatgpt]').disabled).toBe(false);
    expect(root.querySelector('[data-gt="managed-site-chatgpt"]')).toBeNull();

    // The rest still saves; the managed values stay the policy's and out of the rater's own.
    await toggle('input[name=starMode]');
    hook('save-settings').click();
    await until(() => root.querySelector('[data-gt="save-result"]')?.textContent === 'Saved.');
    expect(await loadSettings(storage)).toMatchObject({ serverUrl: 'https://gt.example', starMode: true, siteEnabled: { claude: false } });
  });

  it('shows nothing about a policy when there is none', async () => {
    await show();
    expect(root.querySelector('[data-gt="managed-policy"]')).toBeNull();
    expect($<HTMLInputElement>('input[name=site-claude]').disabled).toBe(false);
  });
});

describe('options page: which rules can reach their sites (ADR 0050)', () => {
  it('marks each rule granted, needing access (with the button that asks) or impossible to grant (a regex)', async () => {
    const granted = new Set(['https://grafana.example.com/*']);
    deps.hasPermission = vi.fn(async ([origin]: string[]) => granted.has(origin!));
    deps.requestPermission = vi.fn(async (origins: string[]) => {
      origins.forEach((o) => granted.add(o));
      return true;
    });
    await saveSettings(storage, {
      customRules: [
        { id: 'grafana', urlPattern: 'https://grafana.example.com/d/*', outputSelector: '.insight' },
        { id: 'airflow', urlPattern: 'https://airflow.example.com/dags/*', outputSelector: '.ai' },
        { id: 'wiki', urlPattern: '/^https:\\/\\/wiki\\.[a-z]+\\.example\\.com\\//', outputSelector: '.ai' },
        { id: 'off', urlPattern: 'https://off.example.com/*', outputSelector: '.ai', enabled: false },
      ],
    });
    await saveRemoteConfig(storage, {
      config: { rules: [{ id: 'team', urlPattern: 'https://jira.example.com/*', outputSelector: '.ai' }], disabledAdapters: [], selectorPacks: {} },
      updatedAt: null,
      version: 1,
      capabilities: [],
      caller: { workspaceId: 'default', role: 'rater', name: 'a' },
    });
    await show();
    const rule = (i: number) => root.querySelectorAll('[data-gt="rule"]')[i]!;
    const mark = (el: Element) => el.querySelector('[data-gt^="rule-granted"], [data-gt="rule-needs-access"], [data-gt="rule-no-host"]')?.getAttribute('data-gt');
    await until(() => !!rule(1).querySelector('[data-gt="rule-needs-access"]'));
    expect([0, 1, 2, 3].map((i) => mark(rule(i)))).toEqual(['rule-granted', 'rule-needs-access', 'rule-no-host', undefined]);
    expect(rule(1).textContent).toMatch(/Needs access to https:\/\/airflow\.example\.com\/\*/);
    expect(rule(2).textContent).toMatch(/A \/regex\/ cannot be turned into a site permission/);
    expect(mark(hook('server-rules'))).toBe('rule-needs-access');

    // The button asks for that host only, in the click; once granted the mark says so.
    rule(1).querySelector<HTMLElement>('[data-gt="grant-rule-host"]')!.click();
    await until(() => mark(rule(1)) === 'rule-granted');
    expect(deps.requestPermission).toHaveBeenCalledWith(['https://airflow.example.com/*']);
    expect(hook('save-result').textContent).toBe('Allowed on https://airflow.example.com/*.');

    // A pattern typed into a rule is checked as it changes.
    await type('input[name=rule-0-urlPattern]', 'https://new.example.com/*');
    await until(() => mark(rule(0)) === 'rule-needs-access');
    expect(deps.hasPermission).toHaveBeenCalledWith(['https://new.example.com/*']);
  });
});
