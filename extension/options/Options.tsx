/**
 * The options page: the server and token (with "Test connection", or "Connect with a code" from
 * the dashboard, which gets this browser its own token with none typed), privacy, star mode,
 * sites on and off, and custom rules (each marked by whether its host is granted, ADR 0050).
 * What an admin policy set is read-only and marked, with the policy's errors and its connect
 * result (ADR 0053). Settings are written to browser.storage.local here, in the extension's own
 * origin; the background notices and syncs with the new settings.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import { TARGET_KINDS, describeZodError, type TargetKind } from '../../shared/schemas.ts';
import { CustomRule } from '../config.ts';
import type { ConnectionResult } from '../background/connection.ts';
import type { ConnectResult } from '../background/connect.ts';
import { isBuiltinServer, originPattern } from '../background/permissions.ts';
import { ruleHostPattern, rulePatterns } from '../background/rule-scripts.ts';
import {
  loadRemoteConfig,
  loadSettings,
  managedFields,
  remoteRules,
  type ManagedFields,
  saveSettings,
  type KeyValueArea,
  type Settings,
  type StoredRemoteConfig,
} from '../background/settings.ts';
import { RuleAccess, type Access } from './RuleAccess.tsx';
import { RulesEditor, draftOf, ruleInputOf, type RuleDraft } from './RulesEditor.tsx';

export interface OptionsDeps {
  storage: KeyValueArea;
  testConnection(serverUrl: string, token: string): Promise<unknown>;
  /** Asks the background to trade a dashboard's one-time code for a token and store it (background/connect.ts). */
  connectWithCode?(serverUrl: string, code: string): Promise<unknown>;
  /** permissions.request: must be called while the click is being handled (a user gesture). */
  requestPermission(origins: string[]): Promise<boolean>;
  /** permissions.contains: whether the rater already granted these origins (a rule's host). */
  hasPermission?(origins: string[]): Promise<boolean>;
  download(filename: string, text: string): void;
  /** Built-in sites that can be switched off: adapter id and a label. */
  sites: { id: string; label: string }[];
  /** Checks a CSS selector's syntax (the page has a DOM). */
  validSelector?(selector: string): boolean;
}

interface Form {
  serverUrl: string;
  token: string;
  redact: boolean;
  hashesOnly: boolean;
  starMode: boolean;
  selectionKind: TargetKind;
  siteEnabled: Record<string, boolean>;
  /** Other hostnames switched off, one per line. */
  offHosts: string;
  rules: RuleDraft[];
}

function formOf(s: Settings, builtinIds: string[]): Form {
  return {
    serverUrl: s.serverUrl,
    token: s.token,
    redact: s.privacy.redact,
    hashesOnly: s.privacy.hashesOnly,
    starMode: s.starMode,
    selectionKind: s.selectionKind,
    siteEnabled: s.siteEnabled,
    offHosts: Object.entries(s.siteEnabled)
      .filter(([id, on]) => !on && !builtinIds.includes(id) && !s.customRules.some((r) => r.id === id))
      .map(([id]) => id)
      .join('\n'),
    rules: s.customRules.map(draftOf),
  };
}

function needsPermission(url: string): boolean {
  try {
    const u = new URL(url.trim());
    return (u.protocol === 'http:' || u.protocol === 'https:') && !isBuiltinServer(u.href);
  } catch {
    return false;
  }
}

export function OptionsApp(deps: OptionsDeps) {
  const [saved, setSaved] = useState<Settings>();
  const [remote, setRemote] = useState<StoredRemoteConfig>();
  const [form, setForm] = useState<Form>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [connection, setConnection] = useState<{ ok: boolean; text: string }>();
  const [testing, setTesting] = useState(false);
  const [ruleErrors, setRuleErrors] = useState<Record<number, string>>({});
  const [showToken, setShowToken] = useState(false);
  const [code, setCode] = useState('');
  const [connecting, setConnecting] = useState(false);
  const [connected, setConnected] = useState<{ ok: boolean; text: string }>();
  const builtinIds = deps.sites.map((s) => s.id);
  const [managed, setManaged] = useState<ManagedFields>({ disabledSites: [], errors: [] });
  const [access, setAccess] = useState<Access>({});

  useEffect(() => {
    void (async () => {
      const s = await loadSettings(deps.storage);
      setSaved(s);
      setForm(formOf(s, builtinIds));
      setRemote(await loadRemoteConfig(deps.storage));
      setManaged(await managedFields(deps.storage));
    })();
  }, []);

  // Which rule hosts are granted (ADR 0050), checked again whenever the rules' hosts change.
  const hostPatterns = [...new Set([...(form?.rules ?? []), ...remoteRules(remote).rules].map((r) => ruleHostPattern(r.urlPattern.trim())).filter((p): p is string => !!p))];
  const checkAccess = async (patterns: string[]) => {
    if (!deps.hasPermission) return;
    const granted = await Promise.all(patterns.map((p) => deps.hasPermission!([p]).catch(() => false)));
    setAccess((a) => ({ ...a, ...Object.fromEntries(patterns.map((p, i) => [p, granted[i]!])) }));
  };
  useEffect(() => {
    void checkAccess(hostPatterns);
  }, [hostPatterns.join(' ')]);

  if (!form || !saved) return <p class="muted">Loading…</p>;
  // Functional updates: several inputs may change before the next render.
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f!, ...patch }));

  /** Turns the form into settings; says what is wrong with the rules otherwise. */
  function collect(): Partial<Settings> | undefined {
    const errors: Record<number, string> = {};
    const rules: CustomRule[] = [];
    form!.rules.forEach((d, i) => {
      const parsed = CustomRule.safeParse(ruleInputOf(d));
      if (!parsed.success) {
        errors[i] = describeZodError(parsed.error);
        return;
      }
      const badSelector = [parsed.data.outputSelector, parsed.data.prompt?.selector, parsed.data.model?.selector, parsed.data.subject?.selector]
        .filter((s): s is string => !!s)
        .find((s) => deps.validSelector && !deps.validSelector(s));
      if (badSelector) errors[i] = `"${badSelector}" is not a valid CSS selector`;
      else if (rules.some((r) => r.id === parsed.data.id)) errors[i] = `another rule already has the id "${parsed.data.id}"`;
      else rules.push(parsed.data);
    });
    setRuleErrors(errors);
    if (Object.keys(errors).length) return undefined;
    const siteEnabled: Record<string, boolean> = {};
    for (const [id, on] of Object.entries(form!.siteEnabled)) if (builtinIds.includes(id) || rules.some((r) => r.id === id)) siteEnabled[id] = on;
    for (const host of form!.offHosts.split(/\s+/).map((h) => h.trim().toLowerCase()).filter(Boolean)) siteEnabled[host] = false;
    return {
      serverUrl: form!.serverUrl.trim(),
      token: form!.token.trim(),
      privacy: { redact: form!.redact, hashesOnly: form!.hashesOnly },
      starMode: form!.starMode,
      selectionKind: form!.selectionKind,
      siteEnabled,
      customRules: rules,
    };
  }

  function onSave(e: JSX.TargetedEvent<HTMLFormElement>) {
    e.preventDefault();
    // Ask now, inside the click: the browser only shows the prompt during a user gesture.
    const url = form!.serverUrl.trim();
    const permission = needsPermission(url) ? deps.requestPermission([originPattern(url)]).catch(() => false) : Promise.resolve(true);
    void (async () => {
      const granted = await permission;
      const next = collect();
      if (!next) {
        setMessage({ ok: false, text: 'Not saved: a custom rule needs fixing (see below).' });
        return;
      }
      try {
        const stored = await saveSettings(deps.storage, next);
        setSaved(stored);
        setForm(formOf(stored, builtinIds));
        setMessage(
          granted
            ? { ok: true, text: 'Saved.' }
            : { ok: false, text: `Saved, but Groundtruth may not reach ${url} until you allow it: press Save again and accept the prompt.` },
        );
      } catch (err) {
        setMessage({ ok: false, text: `Not saved: ${err instanceof z.ZodError ? describeZodError(err) : String(err)}` });
      }
    })();
  }

  function onTest() {
    const url = form!.serverUrl.trim();
    const permission = needsPermission(url) ? deps.requestPermission([originPattern(url)]).catch(() => false) : Promise.resolve(true);
    setTesting(true);
    setConnection(undefined);
    void (async () => {
      await permission;
      try {
        const res = (await deps.testConnection(url, form!.token)) as Partial<ConnectionResult> & { error?: string };
        setConnection({ ok: res.ok === true, text: res.message ?? res.error ?? 'No answer from the extension.' });
      } catch (err) {
        setConnection({ ok: false, text: `The extension did not answer: ${String(err)}` });
      }
      setTesting(false);
    })();
  }

  function onConnect() {
    const url = form!.serverUrl.trim();
    // Ask now, inside the click (see onSave); the server's origin is what the code is sent to.
    const permission = needsPermission(url) ? deps.requestPermission([originPattern(url)]).catch(() => false) : Promise.resolve(true);
    setConnecting(true);
    setConnected(undefined);
    void (async () => {
      await permission;
      try {
        if (!deps.connectWithCode) throw new Error('not available');
        const res = (await deps.connectWithCode(url, code)) as Partial<ConnectResult> & { error?: string };
        if (res.ok === true) {
          // The background stored the token (as Save stores a pasted one): show the stored settings.
          const stored = await loadSettings(deps.storage);
          setSaved(stored);
          setForm((f) => ({ ...f!, serverUrl: stored.serverUrl, token: stored.token }));
          setCode('');
        }
        setConnected({ ok: res.ok === true, text: res.message ?? res.error ?? 'No answer from the extension.' });
      } catch (err) {
        setConnected({ ok: false, text: `The extension did not answer: ${String(err)}` });
      }
      setConnecting(false);
    })();
  }

  const published = remoteRules(remote);
  const grant = (pattern: string) => {
    // Inside the click: the browser shows the prompt only during a user gesture (ADR 0050).
    void deps
      .requestPermission([pattern])
      .catch(() => false)
      .then((ok) => {
        setMessage(ok ? { ok: true, text: `Allowed on ${pattern}.` } : { ok: false, text: `Not allowed: rules for ${pattern} stay off until you accept the prompt.` });
        return checkAccess([pattern]);
      });
  };
  const accessOf = (r: { urlPattern: string; enabled: boolean }) => <RuleAccess urlPattern={r.urlPattern} enabled={r.enabled} access={access} onGrant={grant} />;
  const isManaged = !!(managed.serverUrl || managed.token || managed.disabledSites.length || managed.errors.length || managed.connect);
  const input = (name: 'serverUrl' | 'token', props: JSX.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      name={name}
      value={form[name]}
      onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => set({ [name]: e.currentTarget.value })}
      autoComplete="off"
      spellcheck={false}
      {...props}
    />
  );

  return (
    <main>
      <h1>Groundtruth settings</h1>
      <form onSubmit={onSave}>
        <section aria-labelledby="server-title">
          <h2 id="server-title">Server</h2>
          {isManaged ? (
            <div data-gt="managed-policy" class="managed">
              <p>Some settings here are set by your organisation's policy; they are marked and cannot be changed.</p>
              {managed.connect ? (
                <p data-gt="managed-connect" class={managed.connect.ok ? 'good' : 'bad'}>
                  The policy's connect code: {managed.connect.message}
                </p>
              ) : null}
              {managed.errors.length ? (
                <ul data-gt="managed-errors" class="bad">
                  {managed.errors.map((e) => (
                    <li data-gt="managed-error">Ignored in the policy: {e}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          <label>
            Server URL
            {input('serverUrl', { type: 'url', placeholder: 'http://127.0.0.1:8787', required: true, readOnly: !!managed.serverUrl })}
            {managed.serverUrl ? <span class="muted" data-gt="managed-serverUrl">Set by your organisation</span> : null}
          </label>
          <fieldset class="connect" aria-labelledby="connect-title">
            <h3 id="connect-title">Connect with a code</h3>
            <p class="muted">
              In the Groundtruth dashboard, open <strong>Connect a browser</strong> and make a code. Type the server's address above and the code here: this
              browser gets its own token, with nothing to paste.
            </p>
            <span class="row">
              <input
                name="connectCode"
                aria-label="Connect code"
                value={code}
                placeholder="K7QX-M4TZ"
                autoComplete="off"
                spellcheck={false}
                maxLength={40}
                onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setCode(e.currentTarget.value)}
                onKeyDown={(e: JSX.TargetedKeyboardEvent<HTMLInputElement>) => {
                  // Enter here connects; it must not submit (save) the whole form.
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    if (!connecting) onConnect();
                  }
                }}
              />
              <button type="button" data-gt="connect" onClick={onConnect} disabled={connecting || !code.trim()}>
                {connecting ? 'Connecting…' : 'Connect'}
              </button>
            </span>
            {connected ? (
              <p data-gt="connect-result" class={connected.ok ? 'good' : 'bad'} role="status">
                {connected.text}
              </p>
            ) : null}
          </fieldset>
          <label>
            Token
            <span class="row">
              {input('token', { type: showToken ? 'text' : 'password', placeholder: 'gt_…', readOnly: !!managed.token })}
              {managed.token ? <span class="muted" data-gt="managed-token">Set by your organisation</span> : null}
              <button type="button" class="link" onClick={() => setShowToken(!showToken)}>
                {showToken ? 'Hide' : 'Show'}
              </button>
            </span>
          </label>
          <p class="muted">Or paste a rater token from an admin (npx groundtruth token create --role rater --name you). It stays in this browser's extension storage and is only sent to this server.</p>
          <div class="actions">
            <button type="button" data-gt="test-connection" onClick={onTest} disabled={testing}>
              {testing ? 'Testing…' : 'Test connection'}
            </button>
          </div>
          {connection ? (
            <p data-gt="connection-result" class={connection.ok ? 'good' : 'bad'} role="status">
              {connection.text}
            </p>
          ) : null}
        </section>

        <section aria-labelledby="privacy-title">
          <h2 id="privacy-title">Privacy</h2>
          <p data-gt="privacy-summary">
            Groundtruth runs on the built-in chat sites, on rule hosts you granted, and on another page only when you choose
            "Rate with Groundtruth" there. It reads an answer's text, its prompt and earlier turns, the model and the page
            address only when you rate it, saves the rating on this device with the settings below applied, and sends it only
            to your server at sync (soon after a rating, within about 30 s otherwise, and on Sync now). Details: docs/privacy.md.
          </p>
          <label class="check">
            <input type="checkbox" name="redact" checked={form.redact} onChange={(e) => set({ redact: e.currentTarget.checked })} /> Redact emails, phone numbers,
            card numbers, IBANs, IP addresses and secrets (API keys, tokens, private keys) before anything is saved or sent
          </label>
          <label class="check">
            <input type="checkbox" name="hashesOnly" checked={form.hashesOnly} onChange={(e) => set({ hashesOnly: e.currentTarget.checked })} /> Hashes only: send
            SHA-256 fingerprints of the prompt and the answer, and none of their text
          </label>
          <h3>Sites</h3>
          {deps.sites.map((s) => (
            <label class="check">
              <input
                type="checkbox"
                name={`site-${s.id}`}
                disabled={managed.disabledSites.includes(s.id)}
                checked={form.siteEnabled[s.id] !== false}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setForm((f) => ({ ...f!, siteEnabled: { ...f!.siteEnabled, [s.id]: on } }));
                }}
              />{' '}
              {s.label}
              {managed.disabledSites.includes(s.id) ? (
                <span class="muted" data-gt={`managed-site-${s.id}`}>
                  {' '}
                  (off: set by your organisation)
                </span>
              ) : null}
            </label>
          ))}
          <label>
            Other sites where Groundtruth stays off (host names, one per line)
            <textarea name="offHosts" rows={3} value={form.offHosts} onInput={(e) => set({ offHosts: e.currentTarget.value })} />
          </label>
        </section>

        <section aria-labelledby="widget-title">
          <h2 id="widget-title">Rating</h2>
          <label class="check">
            <input type="checkbox" name="starMode" checked={form.starMode} onChange={(e) => set({ starMode: e.currentTarget.checked })} /> Show 1–5 stars besides
            thumbs
          </label>
          <label>
            Kind of a rated text selection
            <select name="selectionKind" value={form.selectionKind} onChange={(e) => set({ selectionKind: e.currentTarget.value as TargetKind })}>
              {TARGET_KINDS.map((k) => (
                <option value={k}>{k}</option>
              ))}
            </select>
          </label>
        </section>

        <RulesEditor
          rules={form.rules}
          errors={ruleErrors}
          saved={saved.customRules}
          download={deps.download}
          access={accessOf}
          onChange={(update) => setForm((f) => ({ ...f!, rules: update(f!.rules) }))}
          onImport={async (incoming) => {
            const ids = new Set(incoming.map((r) => r.id));
            const stored = await saveSettings(deps.storage, { customRules: [...saved.customRules.filter((r) => !ids.has(r.id)), ...incoming] });
            setSaved(stored);
            setForm((f) => ({ ...f!, rules: stored.customRules.map(draftOf) }));
          }}
        />

        <section aria-labelledby="rule-hosts-title">
          <h3 id="rule-hosts-title">Sites your rules run on</h3>
          <p class="muted">
            Groundtruth runs on the built-in chat sites only. A rule (yours or your admin's) works on its site once you allow
            Groundtruth there: it then reads that site's pages to place the widget (see Privacy).
          </p>
          <p>
            <button
              type="button"
              data-gt="grant-rule-hosts"
              onClick={() => {
                // Inside the click: the browser shows the prompt only during a user gesture (ADR 0050).
                const hosts = rulePatterns([...form!.rules, ...published.rules]);
                if (!hosts.length) return setMessage({ ok: true, text: 'No rule needs a site permission.' });
                void deps
                  .requestPermission(hosts)
                  .catch(() => false)
                  .then((ok) => {
                    setMessage(ok ? { ok: true, text: `Allowed on ${hosts.join(', ')}.` } : { ok: false, text: `Not allowed: rules for ${hosts.join(', ')} stay off until you accept the prompt.` });
                    return checkAccess(hosts);
                  });
              }}
            >
              Allow the rules' sites
            </button>
          </p>
        </section>

        <section aria-labelledby="published-title">
          <h3 id="published-title">Rules published by your admin</h3>
          {published.rules.length ? (
            <ul data-gt="server-rules">
              {published.rules.map((r) => (
                <li>
                  <strong>{r.name ?? r.id}</strong> — {r.urlPattern} → <code>{r.outputSelector}</code> ({r.kind})
                  {accessOf(r)}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None{remote ? '' : ' yet (they arrive with the next sync)'}.</p>
          )}
          {published.ignored.map((i) => (
            <p class="bad">
              Ignored published rule {i.id}: {i.reason}
            </p>
          ))}
          {remote?.config.disabledAdapters.length ? <p>Switched off by your admin: {remote.config.disabledAdapters.join(', ')}.</p> : null}
        </section>

        <div class="actions sticky">
          <button type="submit" data-gt="save-settings">
            Save
          </button>
          {message ? (
            <span data-gt="save-result" class={message.ok ? 'good' : 'bad'} role="status">
              {message.text}
            </span>
          ) : null}
        </div>
      </form>
    </main>
  );
}
