/**
 * What a public ingest key's sync may write (issue 17, item 2; docs/api/public-keys.md). Each
 * mutation is checked on its own (a refused one is `rejected` with a reason, the others apply):
 * - no deletes (`public_key_cannot_delete`): a key creates and updates, it never takes back;
 * - `target.url` must be a page of one of the key's origins (`origin_not_allowed`): a key given to
 *   app.example.com rates app.example.com's answers, not anybody's;
 * - its criterion and target kind must be among the key's, when the key names any
 *   (`criterion_not_allowed`, `kind_not_allowed`);
 * - a person rates: `source.type: "model"` is refused (`source_not_allowed`), and so is answering
 *   a review queue (`queue_not_allowed`), which is for the workspace's own reviewers.
 * What passes is rewritten: the source is the server's to say (`{type: human, channel: embed,
 * name: <key name>}`, set by the store from the actor), and with the key's `hashesOnly` the page's
 * text is dropped and its SHA-256 kept (shared/hashes-only.ts).
 */
import { hashesOnly } from '../../shared/hashes-only.ts';
import { Mutation, type MutationResult } from '../../shared/schemas.ts';
import type { RedactableFeedback } from '../../shared/redact-feedback.ts';
import { anonymousRaterId, userRaterId } from '../store/anonymous-raters.ts';
import type { Actor } from '../store/feedback.ts';
import { criterionOf } from '../store/live-key.ts';
import { originOfUrl, type PublicKeyInfo } from '../store/public-keys.ts';

type Raw = Record<string, unknown>;

/** Per mutation: the refusal, or the mutation to apply in its place. */
export type Screened = { refused: MutationResult } | { mutation: Raw };

function refuse(raw: Raw, reason: string, error: string): Screened {
  return { refused: { id: typeof raw.id === 'string' ? raw.id.slice(0, 100) : '', status: 'rejected', reason, error } };
}

async function screenOne(key: PublicKeyInfo, raw: Raw): Promise<Screened> {
  if (raw.op === 'delete') return refuse(raw, 'public_key_cannot_delete', 'a public key cannot delete feedback');
  const parsed = Mutation.safeParse(raw);
  // Not a valid mutation: the store says why, in its words.
  if (!parsed.success || parsed.data.op !== 'upsert') return { mutation: raw };
  const f = parsed.data.feedback;
  if (f.deleted) return refuse(raw, 'public_key_cannot_delete', 'a public key cannot delete feedback');
  const origin = f.target.url === undefined ? undefined : originOfUrl(f.target.url);
  if (!origin || !key.origins.includes(origin)) {
    return refuse(
      raw,
      'origin_not_allowed',
      f.target.url === undefined ? 'target.url is required with a public key: the page the rated answer is on' : `target.url is not a page of this key's origins (${key.origins.join(', ')})`,
    );
  }
  const criterion = criterionOf(f);
  if (key.criteria && !key.criteria.includes(criterion)) {
    return refuse(raw, 'criterion_not_allowed', `this public key may rate only ${key.criteria.join(', ')}, not ${criterion}`);
  }
  if (key.kinds && !key.kinds.includes(f.target.kind)) {
    return refuse(raw, 'kind_not_allowed', `this public key may rate only targets of kind ${key.kinds.join(', ')}, not ${f.target.kind}`);
  }
  if (f.source?.type === 'model') return refuse(raw, 'source_not_allowed', 'a public key sends people\'s ratings only (no source.type "model")');
  if (f.queueId !== undefined) return refuse(raw, 'queue_not_allowed', 'a public key cannot answer review queues');
  // The raw record, not zod's output, so the store hashes what was sent (a replay stays unchanged).
  const { source: _source, ...rest } = raw.feedback as Raw;
  const feedback = key.hashesOnly ? await hashesOnly(rest as unknown as RedactableFeedback) : rest;
  return { mutation: { ...raw, feedback } };
}

/** Every mutation of a key's batch, checked and rewritten (in order). */
export function screenForPublicKey(key: PublicKeyInfo, mutations: Raw[]): Promise<Screened[]> {
  return Promise.all(mutations.map((m) => screenOne(key, m)));
}

/**
 * Who writes with a key: the app's user (`user:<id>`) when the page names one, else one anonymous
 * rater per browser (its outbox's client id) and key. Channel `embed`, the key's name as source.
 */
export function publicKeyActor(key: PublicKeyInfo, clientId: string, userId: string | undefined): Omit<Actor, 'aheadAfter'> {
  return {
    workspaceId: key.workspaceId,
    raterId: userId !== undefined ? userRaterId(userId) : anonymousRaterId(`key:${key.id}`, clientId),
    role: 'rater',
    tokenId: key.id,
    clientId,
    channel: 'embed',
    sourceName: key.name,
  };
}
