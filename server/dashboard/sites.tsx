/** @jsxImportSource hono/jsx */
/**
 * Sites: adapter health per site and UTC day (visits, % with answers, % with the prompt, layout
 * mix) with a "broken since" badge. Reads server/health/report.ts, the same function as
 * GET /v1/sites/health. Site, layout and adapter names come from clients: hono/jsx escapes them.
 */
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { HEALTH_RULE } from '../../shared/site-health.ts';
import { siteHealth, type SiteHealth } from '../health/report.ts';
import type { DashEnv } from './env.ts';
import { num, pct } from './format.ts';
import { BASE, Empty } from './layout.tsx';
import { render } from './render.tsx';
import { acceptsQuery } from './page-query.ts';

const WINDOWS = ['7', '30', '90'] as const;
const REASONS = { no_answers: 'user turns but no answers found', no_prompt: 'answers found but the prompt not read' } as const;

const Mix: FC<{ counts: Record<string, number>; total: number }> = ({ counts, total }) => (
  <>
    {Object.entries(counts).map(([name, n]) => (
      <>
        <span class="pill" title={`${num(n)} ${n === 1 ? 'visit' : 'visits'}`}>{`${name} ${pct(total > 0 ? n / total : null)}`}</span>{' '}
      </>
    ))}
  </>
);

const SiteTable: FC<{ s: SiteHealth }> = ({ s }) => (
  <section class="panel" data-gt="site-health" data-site={s.site}>
    <h2>
      {s.site}{' '}
      {s.status === 'broken' ? (
        <span class="flag" data-gt="site-status" title={s.reason ? REASONS[s.reason] : undefined}>{`broken since ${s.brokenSince}`}</span>
      ) : (
        <span class="pill" data-gt="site-status">
          healthy
        </span>
      )}
    </h2>
    {s.reason && <p class="muted">{`Why: ${REASONS[s.reason]}.`}</p>}
    {s.days.length === 0 ? (
      <Empty>No visits in this window.</Empty>
    ) : (
      <table class="data">
        <thead>
          <tr>
            <th>Day</th>
            <th class="n">Visits</th>
            <th class="n">Clients</th>
            <th class="n">With answers</th>
            <th class="n">With prompt</th>
            <th class="n">Fallback</th>
            <th>Layouts</th>
          </tr>
        </thead>
        <tbody>
          {[...s.days].reverse().map((d) => (
            <tr>
              <td>{d.day}</td>
              <td class="n">{num(d.visits)}</td>
              <td class="n">{num(d.clients)}</td>
              <td class="n">{pct(d.answersShare)}</td>
              <td class="n">{pct(d.promptShare)}</td>
              <td class="n">{pct(d.fallbackShare)}</td>
              <td>
                <Mix counts={d.layouts} total={d.visits} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </section>
);

export const sitesPage = new Hono<DashEnv>().get('/sites', acceptsQuery('days'), async function sites(c) {
  const q = c.req.query('days');
  const win = (WINDOWS as readonly string[]).includes(q ?? '') ? q! : '7';
  const report = await siteHealth(c.get('store').db, c.get('auth').workspaceId, Number(win));
  return render(
    c,
    { title: 'Sites', page: 'sites' },
    <>
      <nav class="tabs" aria-label="Window">
        {WINDOWS.map((d) => (
          <a href={`${BASE}/sites?days=${d}`} aria-current={d === win ? 'page' : undefined}>
            {`Last ${d} days`}
          </a>
        ))}
      </nav>
      <p class="muted">
        {`What the extension's site adapters found on each page visit (counts only, never page text). A site is broken when, in ${HEALTH_RULE.windowHours} hours, ` +
          `${HEALTH_RULE.minVisits} visits from ${HEALTH_RULE.minClients} or more browsers saw user turns and no answers, or the prompt was read in under ` +
          `${pct(HEALTH_RULE.minPromptShare)} of the visits with answers; it is healthy again after ${HEALTH_RULE.healthyToRecover} good visits in a row.`}
      </p>
      {report.sites.length === 0 ? <Empty>No site visits reported in this window.</Empty> : report.sites.map((s) => <SiteTable s={s} />)}
    </>,
  );
});
