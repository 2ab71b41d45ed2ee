/** Target keys and ids: a conversation id from the URL, and keys for answers without a site message id. */
import { LIMITS } from '../../../shared/limits.ts';

/**
 * cyrb53: a fast 53-bit string hash (public domain, github.com/bryc/code). Used for target keys of
 * answers without a site message id; not a security hash (prompt/output hashes use SHA-256).
 */
export function textHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** First capture group (or the whole match) of a regex on a URL. */
export function matchUrl(url: URL | string, regex: RegExp): string | undefined {
  const m = regex.exec(String(url));
  if (!m) return undefined;
  const value = m[1] ?? m[0];
  if (!value) return undefined;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // a stray % in the URL: keep it as it is
  }
  return decoded.slice(0, LIMITS.shortTextMaxChars);
}

/** Key built from position and content, for answers without a site message id. */
export function positionKey(site: string, conversation: string, position: number, text: string): string {
  return `${site}:${conversation}:${position}:${textHash(text)}`.slice(0, LIMITS.keyMaxChars);
}
