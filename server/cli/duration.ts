/** "365d", "12w", "36h", "1y" → milliseconds. Retention is counted in whole days, hours at the finest. */
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

export function parseDuration(text: string): number {
  const m = /^\s*(\d+)\s*([hdwy])\s*$/i.exec(text);
  if (!m || Number(m[1]) <= 0) {
    throw new Error(`"${text}" is not a duration: write a positive whole number and a unit, e.g. 365d, 12w, 48h or 1y.`);
  }
  return Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
}
