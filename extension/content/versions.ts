/**
 * Remembers the versions of an answer seen in this tab, so a rating records the others as
 * `alternatives` (a regenerated ChatGPT answer replaces the old one in the page, and the
 * "< 2/2 >" arrows swap them). A slot is one position in one conversation.
 */
import { LIMITS } from '../../shared/limits.ts';

export class Versions {
  private readonly bySlot = new Map<string, Map<string, string>>();

  note(slot: string, key: string, text: string): void {
    if (!text) return;
    let versions = this.bySlot.get(slot);
    if (!versions) this.bySlot.set(slot, (versions = new Map()));
    if (versions.has(key)) return;
    versions.set(key, text);
    // Keep the newest few: enough for LIMITS.alternativesMax others.
    if (versions.size > LIMITS.alternativesMax + 1) versions.delete(versions.keys().next().value!);
  }

  /** Texts of the other versions at this slot, oldest first. */
  others(slot: string, key: string, current: string): string[] {
    const versions = this.bySlot.get(slot);
    if (!versions) return [];
    const seen = new Set([current.replace(/\s+/g, ' ').trim()]);
    const out: string[] = [];
    for (const [k, text] of versions) {
      if (k === key || seen.has(text)) continue;
      seen.add(text);
      out.push(text);
    }
    return out.slice(-LIMITS.alternativesMax);
  }
}
