import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, makeFeedback, upsert } from '../../test/helpers/app.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('server-side redaction of feedback from programs', () => {
  it('redacts native POST and PATCH text by default, keeps hashes of the original, leaves /v1/sync alone, and can be turned off', async () => {
    const t = await createTestApp();
    closers.push(() => t.store.close());
    const admin = (await t.token('admin')).token;
    const program = (await t.token('rater', { name: 'pipeline' })).token;
    const prompt = 'Mail jane.doe@example.com about invoice';
    const f = makeFeedback({
      target: { kind: 'chat_response', key: 'k-1', prompt, output: 'Call +44 20 7946 0958 now' },
      comment: 'customer is jane.doe@example.com',
      correction: { output: 'write to jane.doe@example.com', fields: { reasoning: 'jane.doe@example.com is the owner' } },
    });
    const res = await t.call(program, 'POST', '/v1/feedback', f);
    expect(res.status).toBe(201);
    const stored = (await res.json()).feedback;
    expect(JSON.stringify(stored)).not.toContain('jane.doe@example.com');
    expect(stored.target.prompt).toBe('Mail [EMAIL] about invoice');
    expect(stored.target.output).not.toContain('7946');
    expect(stored.comment).toBe('customer is [EMAIL]');
    expect(stored.target.promptHash).toBe(sha256(prompt));
    // A replay of the same body is recognised as the same write.
    expect((await (await t.call(program, 'POST', '/v1/feedback', f)).json()).status).toBe('unchanged');
    // The raw row and the event log hold only the redacted text.
    const row = await t.store.db.selectFrom('feedback').select('record').where('id', '=', f.id).executeTakeFirstOrThrow();
    expect(row.record).not.toContain('jane.doe');
    const events = await t.store.db.selectFrom('feedback_events').select('after').where('feedback_id', '=', f.id).execute();
    expect(JSON.stringify(events)).not.toContain('jane.doe');

    const patched = await (await t.call(program, 'PATCH', `/v1/feedback/${f.id}`, { comment: 'ping bob@example.org' })).json();
    expect(patched.feedback.comment).toBe('ping [EMAIL]');

    // The extension's path is redacted on the device, under the user's control: not here.
    const synced = makeFeedback({ comment: 'sync keeps ann@example.com' });
    await t.call(program, 'POST', '/v1/sync', { clientId: 'ext', mutations: [upsert(synced)] });
    expect((await (await t.call(program, 'GET', `/v1/feedback/${synced.id}`)).json()).comment).toBe('sync keeps ann@example.com');

    // Off for the workspace: stored as sent.
    await t.call(admin, 'PATCH', '/v1/settings', { redactProgramText: false });
    const raw = makeFeedback({ comment: 'keep jane.doe@example.com' });
    expect((await (await t.call(program, 'POST', '/v1/feedback', raw)).json()).feedback.comment).toBe('keep jane.doe@example.com');
  });
});
