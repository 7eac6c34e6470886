import type { BenchmarkStatus, Job, JobStreamSnapshot } from '../sdk/models';
import { bar, csv, formatNumber, paint, stateColour, Style, table } from './render';

// What `evalhub watch` and `evalhub results` show of a job: live progress, then the results.

function benchmarkLine(b: BenchmarkStatus, style: Style, nameWidth: number): string {
  const share = b.status === 'completed' || b.status === 'failed' || b.status === 'cancelled' ? 1 : (b.progress ?? 0);
  const what = b.status === 'running' ? (b.phase ?? 'running') : b.status;
  const count = b.total_count ? ` ${b.completed_count ?? 0}/${b.total_count} ${b.count_unit ?? ''}`.trimEnd() : '';
  const eta = b.status === 'running' && typeof b.eta_seconds === 'number' ? ` eta ${b.eta_seconds}s` : '';
  const queue = b.status === 'pending' && b.queue_position ? ` (queue ${b.queue_position})` : '';
  return `  ${b.id.padEnd(nameWidth)} ${bar(share)}  ${paint(style, stateColour(b.status), what)}${queue}${count}${eta}`;
}

/** The progress block: an overall bar, then one bar per benchmark. */
export function progressBlock(s: JobStreamSnapshot, style: Style, name?: string): string[] {
  const nameWidth = Math.max(8, ...(s.benchmarks ?? []).map((b) => b.id.length));
  return [`${paint(style, 'bold', name ?? s.id)}  ${bar((s.percent ?? 0) / 100)}  ${paint(style, stateColour(s.state), s.state)}`, ...(s.benchmarks ?? []).map((b) => benchmarkLine(b, style, nameWidth))];
}

/** One line per change, for logs and pipes (no cursor movement). */
export function progressLine(s: JobStreamSnapshot): string {
  return `${s.state.padEnd(16)} ${String(s.percent ?? 0).padStart(3)}%  ${(s.benchmarks ?? [])
    .map((b) => `${b.id} ${b.status === 'running' ? (b.phase ?? 'running') : b.status}${typeof b.progress === 'number' ? ` ${Math.round(b.progress * 100)}%` : ''}${b.status === 'running' && b.eta_seconds !== undefined && b.eta_seconds !== null ? ` eta ${b.eta_seconds}s` : ''}`)
    .join(', ')}`;
}

interface ResultRow {
  benchmark: string;
  provider: string;
  state: string;
  metric?: string;
  score?: number;
  threshold?: number;
  pass?: boolean;
  verdict?: string;
  error?: string;
}

function rows(job: Job): ResultRow[] {
  const results = job.results.benchmarks ?? [];
  return job.status.benchmarks.map((b) => {
    const r = results.find((x) => x.benchmark_index === b.benchmark_index);
    return {
      benchmark: b.id,
      provider: b.provider_id,
      state: b.status,
      metric: r?.test?.primary_score_metric,
      score: r?.test?.primary_score,
      threshold: r?.test?.threshold,
      pass: r?.test?.pass,
      verdict: r?.test?.verdict ?? undefined,
      error: b.error_message?.message,
    };
  });
}

const verdictText = (pass: boolean | undefined, style: Style) => (pass === undefined ? '' : pass ? paint(style, 'green', 'PASS') : paint(style, 'red', 'FAIL'));

/** The results table, with the weighted score under it. */
export function resultsTable(job: Job, style: Style): string {
  const body = rows(job).map((r) => [
    r.benchmark,
    r.provider,
    paint(style, stateColour(r.state), r.state),
    r.metric ?? '',
    formatNumber(r.score),
    formatNumber(r.threshold),
    verdictText(r.pass, style),
    r.error ? paint(style, 'dim', r.error.slice(0, 80)) : (r.verdict ?? ''),
  ]);
  const lines = [table(['BENCHMARK', 'PROVIDER', 'STATE', 'METRIC', 'SCORE', 'THRESHOLD', 'RESULT', 'NOTE'], body)];
  const t = job.results.test;
  if (t) lines.push('', `weighted score ${formatNumber(t.score)} (threshold ${formatNumber(t.threshold)}${t.ci95 ? `, 95% CI ${t.ci95.map(formatNumber).join('–')}` : ''}): ${verdictText(t.pass, style)}`);
  return lines.join('\n');
}

export function resultsCsv(job: Job): string {
  return csv(
    ['benchmark', 'provider', 'state', 'metric', 'score', 'threshold', 'pass', 'verdict', 'error'],
    rows(job).map((r) => [r.benchmark, r.provider, r.state, r.metric, r.score, r.threshold, r.pass, r.verdict, r.error]),
  );
}

/** What a CI pipeline needs to know: 0 only when the job completed and did not fail its test. */
export function jobExitCode(job: Pick<Job, 'status' | 'results'>): number {
  if (job.status.state !== 'completed') return 1;
  if (job.results.test && !job.results.test.pass) return 1;
  return (job.results.benchmarks ?? []).some((b) => b.test && !b.test.pass) && !job.results.test ? 1 : 0;
}
