/** Formatting for pages: plain strings only (the JSX layer escapes them). */
export function pct(x: number | null | undefined, digits = 0): string {
  return x == null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)} %`;
}

export function num(x: number | null | undefined, digits = 0): string {
  return x == null || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** 2026-02-01 14:03 UTC */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

export function day(iso: string): string {
  return iso.slice(0, 10);
}

export function excerpt(text: string | null | undefined, max = 140): string {
  if (!text) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** A signed change against a previous value: "+12 %", "−3 %", "new". */
export function change(current: number, previous: number): string {
  if (previous === 0) return current === 0 ? '±0' : 'new';
  const d = (current - previous) / previous;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  return `${sign}${Math.abs(d * 100).toFixed(0)} %`;
}

/** Builds a query string from the defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
