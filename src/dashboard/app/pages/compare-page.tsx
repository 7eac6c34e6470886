// Two or more finished jobs: the first one picked is the baseline, the others candidates. The API
// compares each candidate with it (GET /jobs/compare: per metric the difference with its interval
// and a test, per benchmark an outcome after the Holm correction); when that call fails the page
// falls back to every numeric metric side by side, computed here.
import { api } from '../api/client';
import type { BenchmarkComparison, CandidateComparison, Job, JobComparison, OnlyIn } from '../api/types';
import { ChartCanvas } from '../charts/chart-canvas';
import { ErrorBanner } from '../components/error-banner';
import { OutcomeBadge, PassBadge, StateBadge, VerdictBadge } from '../components/state-badge';
import { compareJobs, summaryText, TEST_LABEL, type CompareRow } from '../lib/compare';
import { fmtAgo, fmtInterval, fmtNumber, fmtP, fmtSigned } from '../lib/format';
import { asInterval, primaryScores } from '../lib/metrics';
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

function JobHead({ job, note }: { job: Job; note?: string }) {
  return (
    <>
      <a href={href('job', job.resource.id)}>{job.name}</a>
      <div class="muted small mono">
        {job.resource.id.slice(0, 8)}
        {note ? ` · ${note}` : ''}
      </div>
    </>
  );
}

/** A job's weighted score with its interval and badges, or "—". */
function WeightedScore({ job }: { job: Job | undefined }) {
  const t = job?.results.test;
  if (!t) return <>—</>;
  const ci = asInterval(t.ci95);
  return (
    <>
      {fmtNumber(t.score)} <PassBadge pass={t.pass} /> <VerdictBadge verdict={t.verdict} />
      {ci ? <div class="muted small">{fmtInterval(ci)}</div> : null}
    </>
  );
}

/** The current client-side table: every numeric metric of every job, deltas against the first. */
function SideBySideTable({ picked, rows }: { picked: Job[]; rows: CompareRow[] }) {
  return (
    <>
      <table class="table compare-table" data-testid="compare-fallback-table">
        <thead>
          <tr>
            <th>Benchmark</th>
            <th>Metric</th>
            {picked.map((j, i) => (
              <th key={j.resource.id} class="num">
                <JobHead job={j} note={i === 0 ? 'baseline' : undefined} />
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
  );
}

function BenchmarkRows({ b }: { b: BenchmarkComparison }) {
  const span = Math.max(1, b.metrics.length);
  const head = (
    <td rowSpan={span} class="small">
      <span class="mono">
        {b.provider_id}/{b.id}
      </span>
      <div class="muted">
        #{b.baseline_index}
        {b.candidate_index !== b.baseline_index ? ` → #${b.candidate_index}` : ''}
      </div>
    </td>
  );
  const outcome = (
    <td rowSpan={span}>
      <OutcomeBadge outcome={b.outcome} />
    </td>
  );
  const attrs = { 'data-benchmark': `${b.provider_id}/${b.id}`, 'data-baseline-index': b.baseline_index, 'data-outcome': b.outcome };
  if (!b.metrics.length) {
    return (
      <tr data-testid="compare-row" {...attrs}>
        {head}
        <td colSpan={6} class="muted small">
          no numeric metric in common
        </td>
        {outcome}
      </tr>
    );
  }
  return (
    <>
      {b.metrics.map((m, i) => (
        <tr key={m.metric} class={m.primary ? 'primary' : ''} data-testid="compare-row" data-metric={m.metric} {...attrs}>
          {i === 0 ? head : null}
          <td class="mono small">{m.metric}</td>
          <td class="num" data-testid="compare-cell">
            {fmtNumber(m.baseline)}
          </td>
          <td class="num" data-testid="compare-cell">
            {fmtNumber(m.candidate)}
          </td>
          {/* Neutral colour: whether up is better depends on the metric; the outcome says it. */}
          <td class="num delta" data-testid="compare-delta" data-delta={String(m.difference)}>
            {m.difference === 0 ? '±0' : `${m.difference > 0 ? '▲' : '▼'} ${fmtSigned(m.difference)}`}
            {m.ci95 ? (
              <div class="small" data-testid="compare-delta-ci">
                {fmtInterval(m.ci95)}
              </div>
            ) : null}
          </td>
          <td class="num" data-testid="compare-p">
            {m.p_value !== undefined ? fmtP(m.p_value) : '—'}
            {m.primary && b.adjusted_p_value !== undefined ? (
              <div class="small muted" data-testid="compare-adjusted-p" title="Holm-adjusted over this candidate's benchmarks">
                Holm {fmtP(b.adjusted_p_value)}
              </div>
            ) : null}
          </td>
          <td class="small test-cell" data-testid="compare-test" data-test={m.test}>
            {TEST_LABEL[m.test]}
            {m.n_paired !== undefined ? <span class="muted"> · n={m.n_paired}</span> : null}
            {m.note ? <div class="muted note">{m.note}</div> : null}
          </td>
          {i === 0 ? outcome : null}
        </tr>
      ))}
    </>
  );
}

function onlyList(items: OnlyIn[]): string {
  return items.map((b) => `${b.provider_id}/${b.id} #${b.benchmark_index}`).join(', ');
}

function CandidateSection({ c, baseline, jobs }: { c: CandidateComparison; baseline: JobComparison['baseline']; jobs: Job[] }) {
  const baseJob = jobs.find((j) => j.resource.id === baseline.id);
  const candJob = jobs.find((j) => j.resource.id === c.candidate.id);
  return (
    <section class="comparison" data-testid="comparison" data-candidate-id={c.candidate.id}>
      <h3>
        {c.candidate.name} <span class="mono muted small">{c.candidate.id.slice(0, 8)}</span> <span class="muted">vs baseline</span> {baseline.name}{' '}
        <span class="mono muted small">{baseline.id.slice(0, 8)}</span>
      </h3>
      <p class="compare-summary" data-testid="compare-summary">
        {summaryText(c.summary)}
      </p>
      <table class="table compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th>Benchmark</th>
            <th>Metric</th>
            <th class="num">{baseJob ? <JobHead job={baseJob} note="baseline" /> : 'Baseline'}</th>
            <th class="num">{candJob ? <JobHead job={candJob} note="candidate" /> : 'Candidate'}</th>
            <th class="num">Difference [95% CI]</th>
            <th class="num">p</th>
            <th>Test</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          <tr class="primary">
            <td colSpan={2}>weighted score</td>
            <td class="num" data-testid="compare-job-score">
              <WeightedScore job={baseJob} />
            </td>
            <td class="num" data-testid="compare-job-score">
              <WeightedScore job={candJob} />
            </td>
            <td colSpan={4} />
          </tr>
          {c.benchmarks.map((b) => (
            <BenchmarkRows key={`${b.baseline_index}/${b.candidate_index}`} b={b} />
          ))}
        </tbody>
      </table>
      {!c.benchmarks.length ? <p class="muted">These jobs ran no benchmark in common (same benchmark and parameters) that both completed.</p> : null}
      {c.only_in_baseline.length ? (
        <p class="small" data-testid="compare-only-baseline">
          <span class="muted">Only in the baseline (or not completed in both):</span> <span class="mono">{onlyList(c.only_in_baseline)}</span>
        </p>
      ) : null}
      {c.only_in_candidate.length ? (
        <p class="small" data-testid="compare-only-candidate">
          <span class="muted">Only in this candidate:</span> <span class="mono">{onlyList(c.only_in_candidate)}</span>
        </p>
      ) : null}
    </section>
  );
}

/** The answer is for these picks (not a late one for an earlier pick). */
function answersFor(cmp: JobComparison | undefined, ids: string[]): cmp is JobComparison {
  return !!cmp && cmp.baseline.id === ids[0] && cmp.comparisons.map((c) => c.candidate.id).join(',') === ids.slice(1).join(',');
}

export function ComparePage({ query }: { query: URLSearchParams }) {
  const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
  const key = ids.join(',');
  const finished = useLoad((signal) => api.listJobs({ status: FINISHED, limit: 100 }, signal), []);
  const jobs = useLoad((signal) => Promise.all(ids.map((id) => api.getJob(id, signal))), [key]);
  const comparison = useLoad((signal) => (ids.length >= 2 ? api.compareJobs(ids[0], ids.slice(1), signal) : Promise.resolve(undefined)), [key]);
  const setIds = (next: string[]) => navigate(href('compare', undefined, next.length ? { ids: next.join(',') } : undefined));
  const toggle = (id: string) => setIds(ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
  const picked = ids.length >= 2 ? (jobs.data ?? []) : [];
  const cmp = !comparison.error && answersFor(comparison.data, ids) ? comparison.data : undefined;

  return (
    <section data-testid="compare-page">
      <div class="page-head">
        <h2>Compare jobs</h2>
      </div>
      <p class="muted small">
        Pick two or more finished jobs; the first one picked is the baseline, each other one is compared with it: per metric the difference with its 95% interval
        and a test, per benchmark whether the primary score improved or regressed after the Holm correction.
      </p>
      <ErrorBanner error={finished.error} context="Loading jobs" />
      <div class="pick-list" data-testid="compare-pick">
        {(finished.data?.items ?? []).map((j) => (
          <label class="check" key={j.resource.id} data-testid="compare-candidate" data-job-id={j.resource.id}>
            <input type="checkbox" checked={ids.includes(j.resource.id)} onChange={() => toggle(j.resource.id)} /> {j.name} <span class="mono muted small">{j.resource.id.slice(0, 8)}</span>{' '}
            <StateBadge state={j.status.state} /> <span class="muted small">{fmtAgo(j.resource.created_at)}</span>
            {ids.includes(j.resource.id) ? <span class="badge neutral">{ids[0] === j.resource.id ? 'baseline' : `#${ids.indexOf(j.resource.id) + 1}`}</span> : null}
          </label>
        ))}
        {finished.data && !finished.data.items.length ? <p class="muted">No finished jobs yet.</p> : null}
      </div>
      <ErrorBanner error={jobs.error} context="Loading the picked jobs" />
      {picked.length >= 2 ? (
        <>
          <PrimaryChart jobs={picked} />
          {cmp ? (
            cmp.comparisons.map((c) => <CandidateSection key={c.candidate.id} c={c} baseline={cmp.baseline} jobs={picked} />)
          ) : comparison.error ? (
            <>
              <ErrorBanner error={comparison.error} context="Comparing with the baseline (shown side by side without tests instead)" />
              <SideBySideTable picked={picked} rows={compareJobs(picked)} />
            </>
          ) : (
            <p class="muted">Comparing…</p>
          )}
        </>
      ) : (
        <p class="muted">{ids.length === 1 ? 'Pick one more job.' : ''}</p>
      )}
    </section>
  );
}
