// Two or more finished jobs side by side: every numeric metric per benchmark, with the change
// against the first job picked (the baseline).
import { api } from '../api/client';
import type { Job } from '../api/types';
import { ChartCanvas } from '../charts/chart-canvas';
import { ErrorBanner } from '../components/error-banner';
import { PassBadge, StateBadge } from '../components/state-badge';
import { compareJobs } from '../lib/compare';
import { fmtAgo, fmtNumber, fmtSigned } from '../lib/format';
import { primaryScores } from '../lib/metrics';
import { useLoad } from '../lib/use-load';
import { href, navigate } from '../router';

const FINISHED = 'completed|partially_failed|failed';
const COLORS = ['#0969da', '#8250df', '#bf8700', '#1a7f37', '#cf222e', '#57606a'];

function PrimaryChart({ jobs }: { jobs: Job[] }) {
  const labels = [...new Set(jobs.flatMap((j) => primaryScores(j).map((s) => s.label)))];
  if (!labels.length) return null;
  return (
    <ChartCanvas
      testid="compare-chart"
      config={{
        type: 'bar',
        data: {
          labels,
          datasets: jobs.map((j, i) => {
            const by = new Map(primaryScores(j).map((s) => [s.label, s.score]));
            return { label: `${j.name} (${j.resource.id.slice(0, 8)})`, data: labels.map((l) => by.get(l) ?? null) as number[], backgroundColor: COLORS[i % COLORS.length] };
          }),
        },
        options: { plugins: { title: { display: true, text: 'Primary scores' } }, scales: { y: { beginAtZero: true } } },
      }}
    />
  );
}

export function ComparePage({ query }: { query: URLSearchParams }) {
  const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
  const finished = useLoad((signal) => api.listJobs({ status: FINISHED, limit: 100 }, signal), []);
  const jobs = useLoad((signal) => Promise.all(ids.map((id) => api.getJob(id, signal))), [ids.join(',')]);
  const setIds = (next: string[]) => navigate(href('compare', undefined, next.length ? { ids: next.join(',') } : undefined));
  const toggle = (id: string) => setIds(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
  const picked = ids.length >= 2 ? (jobs.data ?? []) : [];
  const rows = compareJobs(picked);

  return (
    <section data-testid="compare-page">
      <div class="page-head">
        <h2>Compare jobs</h2>
      </div>
      <p class="muted small">Pick two or more finished jobs; the first one picked is the baseline for the deltas.</p>
      <ErrorBanner error={finished.error} context="Loading jobs" />
      <div class="pick-list" data-testid="compare-pick">
        {(finished.data?.items ?? []).map((j) => (
          <label class="check" key={j.resource.id} data-testid="compare-candidate" data-job-id={j.resource.id}>
            <input type="checkbox" checked={ids.includes(j.resource.id)} onChange={() => toggle(j.resource.id)} /> {j.name} <span class="mono muted small">{j.resource.id.slice(0, 8)}</span>{' '}
            <StateBadge state={j.status.state} /> <span class="muted small">{fmtAgo(j.resource.created_at)}</span>
            {ids.includes(j.resource.id) ? <span class="badge neutral">#{ids.indexOf(j.resource.id) + 1}</span> : null}
          </label>
        ))}
        {finished.data && !finished.data.items.length ? <p class="muted">No finished jobs yet.</p> : null}
      </div>
      <ErrorBanner error={jobs.error} context="Loading the picked jobs" />
      {picked.length >= 2 ? (
        <>
          <PrimaryChart jobs={picked} />
          <table class="table compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th>Benchmark</th>
                <th>Metric</th>
                {picked.map((j, i) => (
                  <th key={j.resource.id} class="num">
                    <a href={href('job', j.resource.id)}>{j.name}</a>
                    <div class="muted small mono">
                      {j.resource.id.slice(0, 8)}
                      {i === 0 ? ' · baseline' : ''}
                    </div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr class="primary">
                <td colSpan={2}>weighted score</td>
                {picked.map((j) => (
                  <td key={j.resource.id} class="num" data-testid="compare-job-score">
                    {j.results.test ? (
                      <>
                        {fmtNumber(j.results.test.score)} <PassBadge pass={j.results.test.pass} />
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                ))}
              </tr>
              {rows.map((r) => (
                <tr key={`${r.benchmark}/${r.metric}`} class={r.primary ? 'primary' : ''} data-testid="compare-row" data-benchmark={r.benchmark} data-metric={r.metric}>
                  <td class="mono small">{r.benchmark}</td>
                  <td class="mono small">{r.metric}</td>
                  {r.cells.map((c, i) => (
                    <td key={i} class="num" data-testid="compare-cell">
                      {c.value === undefined ? '—' : fmtNumber(c.value)}
                      {c.stderr !== undefined ? <span class="muted small"> ±{fmtNumber(c.stderr, 2)}</span> : null}
                      {c.delta !== undefined ? (
                        // Neutral: whether up is better depends on the metric (accuracy vs latency).
                        <div class="small delta" data-testid="compare-delta" data-delta={String(c.delta)}>
                          {c.delta === 0 ? '±0' : `${c.delta > 0 ? '▲' : '▼'} ${fmtSigned(c.delta)}`}
                        </div>
                      ) : null}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {!rows.length ? <p class="muted">These jobs have no numeric metrics to compare.</p> : null}
        </>
      ) : (
        <p class="muted">{ids.length === 1 ? 'Pick one more job.' : ''}</p>
      )}
    </section>
  );
}
