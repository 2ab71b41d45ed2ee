/**
 * The API reference at /docs, rendered on the server from the OpenAPI document: plain HTML and one
 * stylesheet, no script at all, so it works without any CDN and under a CSP that forbids scripts.
 * Every string taken from the document goes through `esc` (descriptions can quote user-facing
 * examples, and a later route could carry anything).
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Inline code in `backticks` inside an already-escaped description. */
function prose(text: unknown): string {
  return esc(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

export const DOCS_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --chip: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --bg: #0d1117; --chip: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
.layout { display: grid; grid-template-columns: 18rem 1fr; min-height: 100vh; }
nav { border-right: 1px solid var(--line); padding: 1rem; position: sticky; top: 0; height: 100vh; overflow: auto; font-size: 13px; }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 1rem 0 .25rem; }
nav a { display: block; color: inherit; text-decoration: none; padding: 2px 0; }
main { padding: 1.5rem 2rem; max-width: 64rem; }
section.op { border-top: 1px solid var(--line); padding: 1rem 0; }
.method { display: inline-block; min-width: 4.2em; text-align: center; font: 600 12px/1.8 ui-monospace, monospace; border-radius: 4px; padding: 0 .4em; color: #fff; }
.get { background: #0969da; } .post { background: #1a7f37; } .put { background: #9a6700; } .patch { background: #8250df; } .delete { background: #cf222e; }
code, .path { font-family: ui-monospace, monospace; font-size: 13px; }
code { background: var(--chip); padding: 0 .25em; border-radius: 3px; }
.path { font-weight: 600; margin-left: .5em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: 13px; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: .3rem .5rem; vertical-align: top; }
.muted { color: var(--muted); }
ul.schema { list-style: none; margin: 0; padding-left: 1rem; border-left: 1px solid var(--line); font-size: 13px; }
ul.schema > li { margin: 2px 0; }
.req { color: #cf222e; font-size: 11px; }
h3 { font-size: 14px; margin: .75rem 0 .25rem; }
`;

/** For the CSP header: the stylesheet is allowed by its hash, nothing else inline is. */
export const DOCS_CSS_HASH = `sha256-${createHash('sha256').update(DOCS_CSS).digest('base64')}`;

export const DOCS_CSP = [
  "default-src 'none'",
  `style-src '${DOCS_CSS_HASH}'`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface RenderContext {
  components: Json;
}

function refName(ref: string): string {
  return ref.replace(/^#\/components\/schemas\//, '');
}

const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** A union of constants or scalars ("1 | -1", "string | null") reads better inline than as shapes. */
function scalarUnion(s: Json): Json[] | undefined {
  const variants = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (!Array.isArray(variants)) return undefined;
  const simple = variants.every((v) => v.const !== undefined || Array.isArray(v.enum) || (typeof v.type === 'string' && SCALARS.has(v.type)));
  return simple ? variants : undefined;
}

function typeLabel(s: Json): string {
  if (typeof s.$ref === 'string') return refName(s.$ref);
  const scalars = scalarUnion(s);
  if (scalars) return scalars.map(typeLabel).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const type = Array.isArray(s.type) ? s.type.join(' | ') : (s.type as string | undefined);
  if (type === 'array' && s.items && typeof s.items === 'object') return `array of ${typeLabel(s.items as Json)}`;
  if (s.anyOf || s.oneOf) return 'one of';
  return type ?? 'any';
}

function constraints(s: Json): string {
  const parts: string[] = [];
  const pairs: [string, string][] = [
    ['minimum', '≥'], ['exclusiveMinimum', '>'], ['maximum', '≤'], ['exclusiveMaximum', '<'],
    ['minLength', 'min length'], ['maxLength', 'max length'], ['minItems', 'min items'], ['maxItems', 'max items'],
    ['format', 'format'], ['pattern', 'pattern'], ['default', 'default'],
  ];
  for (const [key, label] of pairs) if (s[key] !== undefined) parts.push(`${label} ${typeof s[key] === 'string' ? s[key] : JSON.stringify(s[key])}`);
  return parts.length ? ` <span class="muted">(${esc(parts.join(', '))})</span>` : '';
}

/** A schema as a nested list: properties with type, required mark and limits; refs expanded a few levels. */
export function renderSchema(schema: unknown, ctx: RenderContext, depth = 0, seen: ReadonlySet<string> = new Set()): string {
  if (!schema || typeof schema !== 'object') return '';
  let s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = refName(s.$ref);
    const target = (ctx.components[name] ?? {}) as Json;
    if (seen.has(name) || depth > 6) return '';
    return renderSchema(target, ctx, depth, new Set([...seen, name]));
  }
  if (depth > 6 || scalarUnion(s)) return '';
  const variants = (s.anyOf ?? s.oneOf) as Json[] | undefined;
  if (Array.isArray(variants)) {
    return `<ul class="schema">${variants
      .map((v, i) => `<li><strong>shape ${i + 1}</strong>: ${esc(typeLabel(v))}${constraints(v)}${renderSchema(v, ctx, depth + 1, seen)}</li>`)
      .join('')}</ul>`;
  }
  if (Array.isArray(s.allOf)) s = Object.assign({}, ...(s.allOf as Json[]));
  if (s.type === 'array' && s.items && typeof s.items === 'object') return renderSchema(s.items, ctx, depth + 1, seen);
  const props = s.properties as Record<string, Json> | undefined;
  if (!props) return '';
  const required = new Set((s.required as string[] | undefined) ?? []);
  const items = Object.entries(props).map(([name, p]) => {
    const desc = p.description ? ` — ${prose(p.description)}` : '';
    return `<li><code>${esc(name)}</code> <span class="muted">${esc(typeLabel(p))}</span>${required.has(name) ? ' <span class="req">required</span>' : ''}${constraints(p)}${desc}${renderSchema(p, ctx, depth + 1, seen)}</li>`;
  });
  return `<ul class="schema">${items.join('')}</ul>`;
}

function anchor(method: string, path: string): string {
  return `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

interface Operation {
  method: string;
  path: string;
  op: Json;
  group: string;
}

function groupOf(path: string, op: Json): string {
  const tags = op.tags as string[] | undefined;
  if (tags?.length) return tags[0]!;
  const segment = path.split('/').filter((p) => p && p !== 'v1' && p !== 'api')[0] ?? 'general';
  return segment.charAt(0).toUpperCase() + segment.slice(1).replace(/-/g, ' ');
}

function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (op) out.push({ method, path, op, group: groupOf(path, op) });
    }
  }
  return out;
}

function renderParameters(op: Json): string {
  const params = (op.parameters as Json[] | undefined) ?? [];
  if (!params.length) return '';
  const rows = params
    .map((p) => {
      const schema = (p.schema ?? {}) as Json;
      return `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${esc(typeLabel(schema))}${constraints(schema)}</td><td>${prose(p.description ?? schema.description ?? '')}</td></tr>`;
    })
    .join('');
  return `<h3>Parameters</h3><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderContent(content: unknown, ctx: RenderContext): string {
  if (!content || typeof content !== 'object') return '';
  return Object.entries(content as Record<string, Json>)
    .map(([type, media]) => `<div class="muted"><code>${esc(type)}</code></div>${renderSchema(media.schema, ctx)}`)
    .join('');
}

function renderOperation(o: Operation, ctx: RenderContext): string {
  const { op } = o;
  const body = op.requestBody as Json | undefined;
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
    .map(([status, r]) => `<tr><td><code>${esc(status)}</code></td><td>${prose(r.description ?? '')}${renderContent(r.content, ctx)}</td></tr>`)
    .join('');
  const secured = Array.isArray(op.security) && op.security.length > 0;
  return `<section class="op" id="${esc(anchor(o.method, o.path))}">
<h2><span class="method ${esc(o.method)}">${esc(o.method.toUpperCase())}</span><span class="path">${esc(o.path)}</span></h2>
<p>${prose(op.summary ?? '')}</p>${op.description ? `<p>${prose(op.description)}</p>` : ''}
<p class="muted">${secured ? 'Needs <code>Authorization: Bearer &lt;token&gt;</code>.' : 'No token needed.'}</p>
${renderParameters(op)}
${body ? `<h3>Request body${body.required ? '' : ' <span class="muted">(optional)</span>'}</h3>${renderContent(body.content, ctx)}` : ''}
<h3>Responses</h3><table><tbody>${responses}</tbody></table>
</section>`;
}

/** The whole page. */
export function renderDocsPage(doc: Json): string {
  const info = (doc.info ?? {}) as Json;
  const ctx: RenderContext = { components: ((doc.components as Json | undefined)?.schemas ?? {}) as Json };
  const ops = operations(doc);
  const groups = new Map<string, Operation[]>();
  for (const o of ops) groups.set(o.group, [...(groups.get(o.group) ?? []), o]);
  const nav = [...groups]
    .map(([g, list]) => `<h2>${esc(g)}</h2>${list.map((o) => `<a href="#${esc(anchor(o.method, o.path))}"><span class="muted">${esc(o.method.toUpperCase())}</span> ${esc(o.path)}</a>`).join('')}`)
    .join('');
  const body = [...groups].map(([g, list]) => `<h1>${esc(g)}</h1>${list.map((o) => renderOperation(o, ctx)).join('')}`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title ?? 'API')} — reference</title>
<style>${DOCS_CSS}</style>
</head>
<body>
<div class="layout">
<nav><strong>${esc(info.title ?? 'API')}</strong> <span class="muted">${esc(info.version ?? '')}</span>
<p><a href="/openapi.json">openapi.json</a></p>${nav}</nav>
<main>
<h1>${esc(info.title ?? 'API')}</h1>
<p>${prose(info.description ?? '')}</p>
<p>Errors are JSON everywhere: <code>{ "error": { "code", "message", "details"? } }</code>. Malformed JSON is 400, a schema violation 422
(the message names the field), no or bad token 401, wrong role 403, unknown id 404, too large 413, too fast 429 with <code>Retry-After</code>.
The machine-readable description is at <a href="/openapi.json"><code>/openapi.json</code></a>.</p>
${body}
</main>
</div>
</body>
</html>`;
}
