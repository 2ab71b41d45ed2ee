/**
 * Stored text on the operator's terminal. Model names, token names, workspace and rater ids come
 * from clients and files; printed raw, ESC/CSI/OSC sequences could clear the screen, retitle the
 * window or fake output, a CR overwrite a line, and bidi controls reorder what is shown
 * ("Trojan Source", CVE-2021-42574). Every CLI output of such text goes through this module.
 *
 * Controls are not dropped but shown as escapes (`\x1b`, `\u202e`), so two names that differ only
 * there stay apart and the operator sees that something odd was stored.
 */

/** C0 (but the line feed, handled per function) and DEL, C1, bidi marks/embeddings/overrides/isolates, line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/** What JSON.stringify leaves raw (it escapes C0 itself). */
const CONTROL_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

const hex = (c: string, width: number) => c.codePointAt(0)!.toString(16).padStart(width, '0');

function visible(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

/** One value, for a table cell or inside a line: every control (line feeds too) shown as an escape. */
export function terminalText(value: unknown): string {
  return String(value ?? '').replace(CONTROL, visible);
}

/** Text of several lines (a message): line feeds kept, every other control shown as an escape. */
export function terminalLines(value: unknown): string {
  return String(value ?? '')
    .split('\n')
    .map(terminalText)
    .join('\n');
}

/** A line template whose interpolated values go through terminalText: tty`Erased rater ${id}.\n`. */
export function tty(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += terminalText(v) + strings[i + 1]!;
  });
  return out;
}

/** JSON and a line feed that a terminal shows as is: what JSON.stringify leaves raw becomes \uXXXX (the same JSON value). */
export function terminalJson(value: unknown, indent = 2): string {
  return `${JSON.stringify(value, null, indent).replace(CONTROL_IN_JSON, (c) => `\\u${hex(c, 4)}`)}\n`;
}

/** Pads a table: each cell through terminalText, columns as wide as their widest cell. */
export function terminalTable(head: string[], rows: unknown[][], opts: { right?: ReadonlySet<number> } = {}): string[] {
  const cells = rows.map((r) => r.map(terminalText));
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  return [head, ...cells].map((r) => r.map((c, i) => (opts.right?.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
}
