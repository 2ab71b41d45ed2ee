/** @jsxImportSource hono/jsx */
/**
 * The extension config at /dashboard/extension: the published version, and per built-in site its
 * selector pack. Admins publish a site's pack from its form (one selector per line), as the next
 * version: the other sites' packs, the rules and the switched-off adapters stay as they are.
 * Analysts read only. Selectors are checked as the API checks them (CheckedPublishedConfig); an
 * invalid one is shown with its line and nothing is stored. Extensions fetch a new version at
 * their next sync (the sync answer's `configVersion`).
 */
import { Hono, type Context, type Next } from 'hono';
import type { FC } from 'hono/jsx';
import { CheckedPublishedConfig } from '../../shared/css-selector.ts';
import { SELECTOR_PACK_KEYS, type PublishedConfig, type SelectorPack, type SelectorPackKey } from '../../shared/extension-config.ts';
import { BUILTIN_SITE_IDS, BUILTIN_SITES, type BuiltinSiteId } from '../../shared/sites.ts';
import { audit } from '../audit/http.ts';
import { ApiError } from '../lib/errors.ts';
import { configSummary } from '../routes/extension-config.ts';
import { ConfigVersionConflictError, getExtensionConfig, listConfigVersions, putExtensionConfig, type StoredExtensionConfig } from '../store/extension-config.ts';
import type { DashEnv } from './env.ts';
import { when } from './format.ts';
import { BASE, CsrfField, Empty, Notice } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const LABELS: Record<SelectorPackKey | 'conversationUrlPattern', { label: string; hint: string }> = {
  answer: { label: 'Answer', hint: 'each AI answer' },
  answerText: { label: 'Answer text', hint: 'inside an answer, the parts holding its text' },
  prompt: { label: 'Prompt', hint: 'each user turn; its text is the prompt' },
  streaming: { label: 'Streaming', hint: 'on, around or inside an answer while it is written' },
  stopButton: { label: 'Stop button', hint: 'anywhere on the page while the last answer is written' },
  model: { label: 'Model', hint: 'an element whose text names the model' },
  conversationUrlPattern: { label: 'Conversation URL pattern', hint: 'a regular expression on the URL path; its first group is the conversation id' },
};

const isSite = (s: string): s is BuiltinSiteId => (BUILTIN_SITE_IDS as string[]).includes(s);

/** What a site's form holds: the text of each field, as typed. */
type PackForm = Record<SelectorPackKey | 'conversationUrlPattern', string>;

function formOf(pack: SelectorPack | undefined): PackForm {
  const form = { conversationUrlPattern: pack?.conversationUrlPattern ?? '' } as PackForm;
  for (const key of SELECTOR_PACK_KEYS) form[key] = (pack?.[key] ?? []).join('\n');
  return form;
}

/** The pack a form describes (undefined: every field empty, i.e. no pack), and each selector's line. */
function packOf(form: PackForm): { pack: SelectorPack | undefined; lines: Partial<Record<SelectorPackKey, number[]>> } {
  const pack: Record<string, unknown> = {};
  const lines: Partial<Record<SelectorPackKey, number[]>> = {};
  for (const key of SELECTOR_PACK_KEYS) {
    const entries = form[key].split(/\r?\n/).flatMap((text, i) => (text.trim() ? [{ text: text.trim(), line: i + 1 }] : []));
    if (entries.length) {
      pack[key] = entries.map((e) => e.text);
      lines[key] = entries.map((e) => e.line);
    }
  }
  const pattern = form.conversationUrlPattern.trim();
  if (pattern) pack.conversationUrlPattern = pattern;
  return { pack: Object.keys(pack).length ? (pack as SelectorPack) : undefined, lines };
}

/** A validation issue, said in the form's terms ("Answer, line 2: …"). */
function describeIssue(site: BuiltinSiteId, path: PropertyKey[], message: string, lines: Partial<Record<SelectorPackKey, number[]>>): string {
  const [top, issueSite, key, index] = path;
  if (top !== 'selectorPacks' || issueSite !== site) return `${path.map(String).join('.') || 'config'}: ${message}`;
  if (key === undefined) return message;
  const label = LABELS[key as SelectorPackKey]?.label ?? String(key);
  const line = typeof index === 'number' ? lines[key as SelectorPackKey]?.[index] : undefined;
  return line ? `${label}, line ${line}: ${message}` : `${label}: ${message}`;
}

async function requireAdmin(c: Context<DashEnv>, next: Next) {
  if (c.get('auth').role !== 'admin') throw new ApiError(403, 'forbidden', 'Only admins can publish selector packs.');
  await next();
}

interface SiteError {
  site: BuiltinSiteId;
  form: PackForm;
  messages: string[];
}

const PackView: FC<{ pack: SelectorPack | undefined }> = ({ pack }) => {
  if (!pack) return <Empty>No pack: the extension's built-in selectors apply.</Empty>;
  return (
    <dl class="meta">
      {SELECTOR_PACK_KEYS.filter((k) => pack[k]).map((k) => (
        <>
          <dt>{LABELS[k].label}</dt>
          <dd>
            {pack[k]!.map((s) => (
              <div>
                <code>{s}</code>
              </div>
            ))}
          </dd>
        </>
      ))}
      {pack.conversationUrlPattern && (
        <>
          <dt>{LABELS.conversationUrlPattern.label}</dt>
          <dd>
            <code>{pack.conversationUrlPattern}</code>
          </dd>
        </>
      )}
    </dl>
  );
};

const PackFormView: FC<{ site: BuiltinSiteId; form: PackForm; version: number; csrf: string; open: boolean }> = ({ site, form, version, csrf, open }) => (
  <details open={open}>
    <summary>Edit this pack</summary>
    <form method="post" action={`${BASE}/extension/${site}`} class="stack" data-gt={`pack-form-${site}`}>
      <CsrfField csrf={csrf} />
      <input type="hidden" name="version" value={String(version)} />
      <p class="muted">One CSS selector per line, tried in order. A field left empty keeps the built-in selectors; all fields empty removes the pack.</p>
      {SELECTOR_PACK_KEYS.map((k) => (
        <label>
          {`${LABELS[k].label} — ${LABELS[k].hint}`}
          <textarea name={k} rows={3} spellcheck={false}>
            {form[k]}
          </textarea>
        </label>
      ))}
      <label>
        {`${LABELS.conversationUrlPattern.label} — ${LABELS.conversationUrlPattern.hint}`}
        <input type="text" name="conversationUrlPattern" value={form.conversationUrlPattern} spellcheck={false} placeholder="^/c/([\w-]+)" />
      </label>
      <button type="submit" data-gt={`publish-${site}`}>
        Publish as version {version + 1}
      </button>
    </form>
  </details>
);

async function extensionView(c: Context<DashEnv>, options: { stored?: StoredExtensionConfig; notice?: string; error?: SiteError } = {}, status: 200 | 409 | 422 = 200) {
  const auth = c.get('auth');
  const db = c.get('store').db;
  const stored = options.stored ?? (await getExtensionConfig(db, auth.workspaceId));
  const isAdmin = auth.role === 'admin';
  const versions = await listConfigVersions(db, auth.workspaceId, 10);
  const { config, version } = stored;
  const { error } = options;
  const csrf = c.get('session').csrf;
  return render(
    c,
    { title: 'Extension config', page: 'extension' },
    <>
      {options.notice && <Notice kind="ok">{options.notice}</Notice>}
      {error && (
        <Notice kind="error">
          {`Not published: the ${error.site} pack has ${error.messages.length === 1 ? 'a problem' : 'problems'}.`}
          <ul data-gt="pack-errors">
            {error.messages.map((m) => (
              <li>{m}</li>
            ))}
          </ul>
        </Notice>
      )}
      <section class="panel">
        <h2>Published</h2>
        <dl class="meta">
          <dt>Version</dt>
          <dd data-gt="config-version">{version === 0 ? '0 (nothing published yet)' : String(version)}</dd>
          <dt>Published</dt>
          <dd>
            {when(stored.updatedAt)}
            {versions[0]?.publishedBy && ` by ${versions[0].publishedBy.name ?? versions[0].publishedBy.tokenId}`}
          </dd>
          <dt>Custom rules</dt>
          <dd>{String(config.rules.length)}</dd>
          <dt>Switched-off adapters</dt>
          <dd>{config.disabledAdapters.length ? config.disabledAdapters.join(', ') : 'none'}</dd>
        </dl>
        <p class="muted">
          Extensions fetch a new version at their next sync. Rules and switched-off adapters are published with{' '}
          <code>PUT /v1/extension-config</code>; publishing a pack here keeps them, and the other sites' packs, as they are.
          {!isAdmin && ' Only admins can publish.'}
        </p>
      </section>
      {BUILTIN_SITE_IDS.map((site) => {
        const pack = config.selectorPacks[site];
        const failed = error?.site === site ? error : undefined;
        return (
          <section class="panel" id={`site-${site}`} data-gt={`pack-${site}`}>
            <h2>
              {site} <small class="muted">{BUILTIN_SITES[site]}</small>{' '}
              {config.disabledAdapters.includes(site) && <span class="flag">switched off</span>}
            </h2>
            <PackView pack={pack} />
            {isAdmin && <PackFormView site={site} form={failed?.form ?? formOf(pack)} version={version} csrf={csrf} open={!!failed} />}
          </section>
        );
      })}
      <h2>Recent versions</h2>
      {versions.length === 0 ? (
        <Empty>Nothing published yet.</Empty>
      ) : (
        <table class="data" data-gt="config-versions">
          <thead>
            <tr>
              <th class="n">Version</th>
              <th>Published</th>
              <th>By</th>
              <th>Sites with a pack</th>
              <th class="n">Rules</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr>
                <td class="n">{String(v.version)}</td>
                <td>{when(v.publishedAt)}</td>
                <td>{v.publishedBy ? (v.publishedBy.name ?? <code>{v.publishedBy.tokenId}</code>) : '—'}</td>
                <td>{v.packSites.length ? v.packSites.join(', ') : '—'}</td>
                <td class="n">{String(v.rules)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>,
    status,
  );
}

export const extensionConfigPage = new Hono<DashEnv>()
  .get('/extension', acceptsQuery('published'), async function extensionPage(c) {
    // A number only, never text from the URL.
    const published = Number.parseInt(c.req.query('published') ?? '', 10);
    return extensionView(c, { notice: Number.isSafeInteger(published) && published > 0 ? `Published version ${published}.` : undefined });
  })
  .post('/extension/:site', requireAdmin, async function publishPack(c) {
    const site = c.req.param('site') ?? '';
    if (!isSite(site)) throw new ApiError(404, 'not_found', 'There is no built-in site with that id.');
    const body = await c.req.parseBody();
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const form = { conversationUrlPattern: text('conversationUrlPattern') } as PackForm;
    for (const key of SELECTOR_PACK_KEYS) form[key] = text(key);
    const expectedVersion = /^\d+$/.test(text('version')) ? Number(text('version')) : undefined;
    if (expectedVersion === undefined) throw new ApiError(400, 'bad_request', 'The form is missing its version; reload the page and try again.');

    const auth = c.get('auth');
    const db = c.get('store').db;
    const current = await getExtensionConfig(db, auth.workspaceId);
    if (current.version !== expectedVersion) {
      return extensionView(c, { stored: current, error: { site, form, messages: [stale(current.version)] } }, 409);
    }
    const { pack, lines } = packOf(form);
    const { [site]: _old, ...others } = current.config.selectorPacks;
    const next = CheckedPublishedConfig.safeParse({ ...current.config, selectorPacks: pack ? { ...others, [site]: pack } : others } satisfies PublishedConfig);
    if (!next.success) {
      const messages = next.error.issues.map((i) => describeIssue(site, i.path, i.message, lines));
      return extensionView(c, { stored: current, error: { site, form, messages } }, 422);
    }
    try {
      const published = await putExtensionConfig(db, auth.workspaceId, next.data, auth.id, { expectedVersion });
      await audit(c, 'extension_config.published', { type: 'extension_config', id: auth.workspaceId }, configSummary(published));
      return c.redirect(`${BASE}/extension?published=${published.version}#site-${site}`, 303);
    } catch (err) {
      if (!(err instanceof ConfigVersionConflictError)) throw err;
      const latest = await getExtensionConfig(db, auth.workspaceId);
      return extensionView(c, { stored: latest, error: { site, form, messages: [stale(latest.version)] } }, 409);
    }
  });

const stale = (version: number) =>
  `Someone published version ${version} since you opened this page. Your text is kept below: check the current pack above, then publish again.`;
