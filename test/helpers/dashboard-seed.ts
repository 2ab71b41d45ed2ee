/**
 * Seeds a workspace with what the dashboard shows: ratings over the last 30 days from two raters on
 * three models (thumbs, stars, comments, corrections), items waiting for review, a note. Some text
 * is hostile on purpose (HOSTILE): every page must show it as text and run nothing.
 * Works against app.request and against a real server alike: it only needs `call`.
 */
import { uuidv7 } from '../../shared/ids.ts';

export type Call = (token: string, method: string, url: string, body?: unknown) => Promise<Response>;

/** Markup that would run script or add an element if any page inserted it as HTML. */
export const HOSTILE = `<img src=x onerror="document.title='pwned'" id="gt-injected"><script id="gt-injected-script">alert(1)</script>`;
export const HOSTILE_SUBJECT = 'dag:nightly_orders';

const MODELS = ['gpt-5', 'claude-4', 'gemini-2'] as const;
const SITES = ['chatgpt', 'claude', 'gemini'] as const;
const INTENTS = ['sql', 'debugging', 'summary'] as const;

async function ok(res: Promise<Response>, what: string): Promise<unknown> {
  const r = await res;
  if (!r.ok) throw new Error(`${what}: ${r.status} ${await r.text()}`);
  return r.json();
}

export interface SeedResult {
  hostileFeedbackId: string;
  /** An ordinary record with a correction (its diff is worth a look). */
  plainFeedbackId: string;
  ratings: number;
  /** Ratings created in the last 30 UTC days (today included): the overview's default window. */
  ratingsLast30: number;
}

export async function seedDashboard(call: Call, tokens: { alice: string; bob: string; analyst: string }, now = Date.now()): Promise<SeedResult> {
  const mutations: Record<string, unknown[]> = { alice: [], bob: [] };
  let hostileFeedbackId = '';
  let plainFeedbackId = '';
  let ratings = 0;
  let ratingsLast30 = 0;
  const since30 = new Date(Date.parse(`${new Date(now).toISOString().slice(0, 10)}T00:00:00Z`) - 29 * 86_400_000).toISOString();
  // Deterministic spread over 40 days (so the last 30 have a window before them to compare with):
  // 3 to 8 ratings a day; gpt-5 mostly up, claude-4 getting worse lately, gemini-2 mostly down.
  for (let day = 0; day < 40; day++) {
    const perDay = 3 + ((day * 7) % 6);
    for (let i = 0; i < perDay; i++) {
      const m = (day + i) % 3;
      const model = MODELS[m]!;
      const r = ((day * 131 + i * 71 + m * 17) % 100) / 100;
      const pUp = m === 0 ? 0.8 : m === 1 ? 0.35 + Math.min(day, 30) / 60 : 0.3;
      const good = r < pUp;
      const at = new Date(now - day * 86_400_000 - i * 600_000).toISOString();
      const who = i % 2 === 0 ? 'alice' : 'bob';
      const id = uuidv7(Date.parse(at));
      const hostile = day === 1 && i === 0;
      const corrected = day % 4 === 0 && !good;
      const feedback = {
        id,
        target: {
          kind: i % 3 === 0 ? 'error_analysis' : 'chat_response',
          key: `seed:${model}:${day}:${i}`,
          site: SITES[m],
          model,
          intent: INTENTS[i % 3],
          project: i % 2 ? 'analytics' : 'platform',
          subject: i % 3 === 0 ? HOSTILE_SUBJECT : i % 3 === 1 ? 'service:billing' : undefined,
          conversationId: `conv-${day}-${i % 2}`,
          url: hostile ? 'javascript:alert(1)' : `https://chatgpt.com/c/conv-${day}`,
          prompt: hostile ? `Explain this page ${HOSTILE}` : `Why did the ${INTENTS[i % 3]} job on day ${day} fail?`,
          output: `The job failed because the warehouse connection timed out after 30 seconds (run ${day}-${i}).`,
          context: { latency_ms: 800 + 40 * i, tokens_used: 300 + 10 * day, prediction: { category: 'network' } },
        },
        rating: { thumb: good ? 'up' : 'down', ...(i % 2 === 0 ? { stars: good ? 4 + (day % 2) : 1 + (day % 2) } : {}) },
        ...(hostile ? { comment: `Looks wrong ${HOSTILE}` } : i === 1 ? { comment: `Good catch on the timeout, day ${day}` } : {}),
        ...(corrected
          ? { correction: { output: `The job failed because the orders table schema changed (run ${day}-${i}).`, fields: { category: 'schema_change' } } }
          : hostile
            ? { correction: { output: `Corrected ${HOSTILE} text`, fields: { category: 'schema_change' } } }
            : {}),
        tags: hostile ? [HOSTILE.slice(0, 60)] : undefined,
        createdAt: at,
        updatedAt: at,
      };
      if (hostile) hostileFeedbackId = id;
      if (!plainFeedbackId && corrected && !hostile) plainFeedbackId = id;
      mutations[who]!.push({ id, op: 'upsert', updatedAt: at, feedback });
      ratings++;
      if (at >= since30) ratingsLast30++;
    }
  }
  for (const who of ['alice', 'bob'] as const) {
    const body = (await ok(call(tokens[who], 'POST', '/v1/sync', { clientId: `seed-${who}`, mutations: mutations[who] }), 'sync')) as {
      results: { status: string; error?: string }[];
    };
    const bad = body.results.filter((r) => r.status !== 'applied');
    if (bad.length) throw new Error(`seed sync: ${JSON.stringify(bad.slice(0, 3))}`);
  }
  await ok(
    call(tokens.alice, 'POST', '/v1/items', {
      items: [
        {
          key: 'run-2026-02-01-load_orders',
          kind: 'error_analysis',
          subject: HOSTILE_SUBJECT,
          model: 'gpt-5',
          input: 'Task load_orders failed: KeyError "region"',
          output: 'The upstream schema dropped the region column.',
          context: { dag_id: 'nightly_orders', task_id: 'load_orders', run_id: 'scheduled__2026-02-01', error_message: 'KeyError: region', log_context: 'Traceback…' },
          prediction: { category: 'schema_change', severity: 'high', confidence: 0.82, reasoning: 'The column is missing in the new file.' },
        },
        {
          key: 'run-2026-02-02-hostile',
          kind: 'hypothesis',
          subject: HOSTILE_SUBJECT,
          model: 'claude-4',
          input: `Why? ${HOSTILE}`,
          output: `Maybe ${HOSTILE}`,
          prediction: { category: 'network', reasoning: HOSTILE },
        },
      ],
    }),
    'items',
  );
  await ok(call(tokens.analyst, 'POST', `/v1/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}/notes`, { body: 'Known quirk: the orders export lags one day on Mondays.' }), 'note');
  await ok(call(tokens.analyst, 'POST', `/v1/subjects/${encodeURIComponent(HOSTILE_SUBJECT)}/notes`, { body: `Hostile note ${HOSTILE}` }), 'note');
  return { hostileFeedbackId, plainFeedbackId, ratings, ratingsLast30 };
}
