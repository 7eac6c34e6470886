import { BenchmarkResult, BenchmarkTest, JobRecord, JobTest, MetricStatistics, PrimaryScore, ResolvedBenchmark } from './types';
import { verdict } from './statistics';
import { testVerdict, weightedInterval } from './uncertainty';

const DEFAULT_JOB_THRESHOLD = 0.5;

/** The primary score a benchmark is judged by: the job/collection's own, else the provider's. */
export function effectivePrimaryScore(b: ResolvedBenchmark): PrimaryScore | undefined {
  return b.primary_score ?? b.provider_primary_score;
}

export function effectiveThreshold(b: ResolvedBenchmark): number | undefined {
  return b.pass_criteria?.threshold ?? b.provider_pass_criteria?.threshold;
}

/**
 * Pass/fail of one benchmark from its metrics. No test when the metric is missing or not a
 * number, or when no threshold is known.
 */
export function benchmarkTest(b: ResolvedBenchmark, metrics: Record<string, unknown> | undefined, statistics?: Record<string, MetricStatistics>): BenchmarkTest | undefined {
  const primary = effectivePrimaryScore(b);
  const threshold = effectiveThreshold(b);
  if (!primary || threshold === undefined || !metrics) return undefined;
  const value = metrics[primary.metric];
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const pass = primary.lower_is_better ? value <= threshold : value >= threshold;
  const stats = statistics?.[primary.metric];
  return {
    primary_score: value,
    primary_score_metric: primary.metric,
    threshold,
    pass,
    verdict: testVerdict(value, stats, threshold, primary.lower_is_better),
    ...(stats ? { ci95: stats.ci95 } : {}),
  };
}

/**
 * Weighted job score over the benchmarks that have a test. A lower-is-better score counts as
 * (1 - score) so that every term points the same way. Weight 0 or unset counts as 1.
 * Threshold: job pass_criteria, else the collection's, else 0.5.
 */
export function jobTest(
  benchmarks: ResolvedBenchmark[],
  results: BenchmarkResult[],
  jobThreshold: number | undefined,
  collectionThreshold: number | undefined,
): JobTest | undefined {
  let weighted = 0;
  let weights = 0;
  const terms: { weight: number; value: number; stderr?: number }[] = [];
  for (const r of results) {
    if (!r.test) continue;
    const b = benchmarks[r.benchmark_index];
    if (!b) continue;
    const w = b.weight && b.weight > 0 ? b.weight : 1;
    const s = effectivePrimaryScore(b)?.lower_is_better ? 1 - r.test.primary_score : r.test.primary_score;
    weighted += w * s;
    weights += w;
    // 1 - score has the same standard error as the score.
    terms.push({ weight: w, value: s, stderr: r.statistics?.[r.test.primary_score_metric]?.stderr });
  }
  if (weights === 0) return undefined;
  const score = weighted / weights;
  const threshold = jobThreshold ?? collectionThreshold ?? DEFAULT_JOB_THRESHOLD;
  const interval = weightedInterval(terms);
  return {
    score,
    threshold,
    pass: score >= threshold,
    verdict: verdict(score, interval ? { low: interval.ci95[0], high: interval.ci95[1] } : undefined, threshold),
    ...(interval ? { stderr: interval.stderr, ci95: interval.ci95 } : {}),
  };
}

/** The weighted test of a stored job; the collection threshold is copied into the record at submit. */
export function jobTestFor(job: JobRecord): JobTest | undefined {
  return jobTest(job.benchmarks, job.results.benchmarks ?? [], job.config.pass_criteria?.threshold, job.collection_threshold);
}
