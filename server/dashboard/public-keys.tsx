/** @jsxImportSource hono/jsx */
/**
 * Public ingest keys on the tokens page (issue 17; admins only): the form that makes one, the
 * list (name, origins, limits, created, revoked) with a revoke button per live key. tokens.tsx
 * renders this panel and answers its forms; the key's secret is shown once, as a token's is.
 * Every value is printed through hono/jsx, which escapes it.
 */
import type { FC } from 'hono/jsx';
import { PublicKeyInput } from '../routes/public-keys.ts';
import type { PublicKeyInfo } from '../store/public-keys.ts';
import { DEFAULT_RATE_PER_MINUTE } from '../store/public-keys.ts';
import { when } from './format.ts';
import { BASE, CsrfField, Empty } from './layout.tsx';

/** A form field's list: one entry per line or comma. */
const entries = (value: unknown): string[] | undefined => {
  const list = typeof value === 'string' ? value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean) : [];
  return list.length ? list : undefined;
};

/** The form's fields as the API's body; `error` says what is wrong in words. */
export function parsePublicKeyForm(body: Record<string, unknown>): { input: PublicKeyInput } | { error: string } {
  const rate = typeof body.ratePerMinute === 'string' && body.ratePerMinute.trim() !== '' ? Number(body.ratePerMinute) : undefined;
  const parsed = PublicKeyInput.safeParse({
    name: body.name,
    origins: entries(body.origins) ?? [],
    criteria: entries(body.criteria),
    kinds: entries(body.kinds),
    ratePerMinute: rate,
    hashesOnly: body.hashesOnly === 'on',
  });
  if (parsed.success) return { input: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join('.') || 'form'}: ${issue?.message ?? 'invalid input'}` };
}

export const PublicKeysPanel: FC<{ keys: PublicKeyInfo[]; csrf: string }> = ({ keys, csrf }) => (
  <section class="panel" data-gt="public-keys">
    <h2>Public keys</h2>
    <p>
      For the rating widget inside your own app: a key can only send ratings (no reads, no deletes), only from the origins
      listed, about pages of those origins. It sits in the page, so anyone can see it: keep its limits tight.
    </p>
    <form method="post" action={`${BASE}/tokens/public-keys`} class="filters">
      <CsrfField csrf={csrf} />
      <label>
        Name <input type="text" name="name" required maxlength={100} placeholder="support chat" />
      </label>
      <label>
        Origins <textarea name="origins" rows={2} required spellcheck={false} placeholder="https://app.example.com" />
      </label>
      <label>
        Criteria <input type="text" name="criteria" placeholder="any (or: overall, helpfulness)" />
      </label>
      <label>
        Kinds <input type="text" name="kinds" placeholder="any (or: chat_response)" />
      </label>
      <label>
        Per minute <input type="number" name="ratePerMinute" min={1} placeholder={String(DEFAULT_RATE_PER_MINUTE)} />
      </label>
      <label>
        <input type="checkbox" name="hashesOnly" /> hashes only (no prompt or answer text)
      </label>
      <button type="submit" data-gt="create-public-key">
        Create
      </button>
    </form>
    {keys.length === 0 ? (
      <Empty>No public keys.</Empty>
    ) : (
      <table class="data" data-gt="public-keys-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Starts with</th>
            <th>Origins</th>
            <th>Criteria</th>
            <th>Kinds</th>
            <th>Per minute</th>
            <th>Text</th>
            <th>Created</th>
            <th>State</th>
            <th>
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr class={k.revokedAt ? 'thin' : undefined}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>
                {k.origins.map((o) => (
                  <div>
                    <code>{o}</code>
                  </div>
                ))}
              </td>
              <td>{k.criteria?.join(', ') ?? 'any'}</td>
              <td>{k.kinds?.join(', ') ?? 'any'}</td>
              <td>{k.ratePerMinute}</td>
              <td>{k.hashesOnly ? 'hashes only' : 'kept'}</td>
              <td>{when(k.createdAt)}</td>
              <td>{k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'}</td>
              <td>
                {!k.revokedAt && (
                  <form method="post" action={`${BASE}/tokens/public-keys/${encodeURIComponent(k.id)}/revoke`} data-confirm="Revoke this public key? Every page that holds it stops sending ratings.">
                    <CsrfField csrf={csrf} />
                    <button type="submit" class="danger" data-gt="revoke-public-key">
                      Revoke
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);
