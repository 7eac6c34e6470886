import { bootstrapMean, Interval, normalInterval, verdict } from './statistics';
import { MetricStatistics, Verdict } from './types';

// How sure a score is: its standard error and 95% interval, from the backend's own stderr where
// it reports one (lm-eval's `<metric>_stderr`), else from the per-sample scores the run logged
// (bootstrap, fixed seed). Per-sample scores are also what a paired comparison of two runs needs.

/** The artifact key of a benchmark's per-sample scores file (one `{id, scores}` JSON per line). */
export const SAMPLE_SCORES_ARTIFACT = 'evalhub.sample_scores';

/** One sample's scores: its key (stable across runs of the same data) and a value per metric. */
export interface SampleScores {
  id: string;
  scores: Record<string, number>;
}

/** Per-metric lists of per-sample values. */
export function valuesByMetric(samples: readonly SampleScores[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of samples) for (const [m, v] of Object.entries(s.scores)) (out[m] ??= []).push(v);
  return out;
}

const STDERR_SUFFIX = /_stderr$/;

/**
 * Statistics of every numeric metric of a result that has a backend stderr or at least two
 * per-sample values. `_stderr` metrics themselves get none.
 */
export function metricStatistics(metrics: Record<string, unknown> | undefined, samples?: readonly SampleScores[], n?: number): Record<string, MetricStatistics> {
  const out: Record<string, MetricStatistics> = {};
  if (!metrics) return out;
  const perSample = samples ? valuesByMetric(samples) : {};
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || STDERR_SUFFIX.test(name)) continue;
    const backend = metrics[`${name}_stderr`];
    const values = perSample[name];
    const count = values?.length ?? n;
    if (typeof backend === 'number' && Number.isFinite(backend) && backend >= 0) {
      const i = normalInterval(value, backend);
      out[name] = { ...(count ? { n: count } : {}), stderr: backend, ci95: [i.low, i.high], method: 'backend_stderr' };
    } else if (values && values.length >= 2) {
      const b = bootstrapMean(values);
      out[name] = { n: values.length, stderr: b.stderr, ci95: [b.interval.low, b.interval.high], method: 'bootstrap' };
    }
  }
  return out;
}

export function intervalOf(s: MetricStatistics | undefined): Interval | undefined {
  return s ? { low: s.ci95[0], high: s.ci95[1] } : undefined;
}

/** The verdict of a benchmark test from its primary metric's interval. */
export function testVerdict(score: number, stats: MetricStatistics | undefined, threshold: number, lowerIsBetter?: boolean): Verdict {
  return verdict(score, intervalOf(stats), threshold, lowerIsBetter);
}

/**
 * The interval of a weighted mean of scores with standard errors, taken as independent:
 * se = √(Σ wᵢ² seᵢ²) / Σ wᵢ. Undefined when any term has no stderr.
 */
export function weightedInterval(terms: readonly { weight: number; value: number; stderr?: number }[]): { stderr: number; ci95: [number, number] } | undefined {
  const total = terms.reduce((a, t) => a + t.weight, 0);
  if (total <= 0 || terms.some((t) => t.stderr === undefined || !Number.isFinite(t.stderr))) return undefined;
  const mean = terms.reduce((a, t) => a + t.weight * t.value, 0) / total;
  const stderr = Math.sqrt(terms.reduce((a, t) => a + (t.weight * t.stderr!) ** 2, 0)) / total;
  const i = normalInterval(mean, stderr);
  return { stderr, ci95: [i.low, i.high] };
}

/**
 * Per-sample scores from lm-eval's samples file (one JSON line per document and filter): keyed by
 * the document's hash (stable across runs of the same data; its id where there is none). Metric
 * names follow the results: the `none` filter (or the first one) keeps the plain name, others
 * become `<metric>_<filter>`.
 */
export function lmEvalSampleScores(jsonl: string): SampleScores[] {
  const rows: Record<string, unknown>[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a cut last line: the rest still counts */
    }
  }
  const filterOf = (row: Record<string, unknown>) => (typeof row.filter === 'string' ? row.filter : 'none');
  const filters = new Set(rows.map(filterOf));
  const plain = filters.has('none') ? 'none' : rows.length ? filterOf(rows[0]) : 'none';
  const byDoc = new Map<string, SampleScores>();
  for (const row of rows) {
    const id = typeof row.doc_hash === 'string' ? row.doc_hash : String(row.doc_id);
    const filter = filterOf(row);
    const names = Array.isArray(row.metrics) ? row.metrics.filter((m): m is string => typeof m === 'string') : [];
    const entry = byDoc.get(id) ?? { id, scores: {} };
    for (const m of names) {
      const v = row[m];
      const value = typeof v === 'boolean' ? Number(v) : v;
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      entry.scores[filter === plain ? m : `${m}_${filter}`] = value;
    }
    byDoc.set(id, entry);
  }
  return [...byDoc.values()];
}

/**
 * Per-row scores from the RAGAS driver's scores.jsonl (`{row, user_input, scores}`), keyed by the
 * question (the same data gives the same keys); rows a metric could not score (null) are left out
 * of that metric.
 */
export function ragasSampleScores(jsonl: string): SampleScores[] {
  const out: SampleScores[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let row: { row?: unknown; user_input?: unknown; scores?: Record<string, unknown> };
    try {
      row = JSON.parse(line) as typeof row;
    } catch {
      continue;
    }
    const scores: Record<string, number> = {};
    for (const [m, v] of Object.entries(row.scores ?? {})) if (typeof v === 'number' && Number.isFinite(v)) scores[m] = v;
    out.push({ id: typeof row.user_input === 'string' ? row.user_input : `row ${String(row.row)}`, scores });
  }
  return out;
}
