/** SHA-256 as lowercase hex, through Web Crypto (Node 20 and browsers alike). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * JSON with object keys sorted, so that equal values serialize equally whatever the key order.
 * Used to compare records and to break ties deterministically.
 */
export function canonicalJson(value: unknown): string {
  // Without an object anywhere (strings, numbers, arrays of them: the rollups' example hashes on
  // every write) there are no keys to sort, and JSON.stringify without a replacer is the same text.
  if (!holdsObject(value)) return JSON.stringify(value);
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        sorted[k] = (v as Record<string, unknown>)[k];
      }
      return sorted;
    }
    return v;
  });
}

function holdsObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (!Array.isArray(value)) return true;
  return value.some(holdsObject);
}
