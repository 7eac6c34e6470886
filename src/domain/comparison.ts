import { comparePaired, holmAdjust, Interval, normalInterval, unpairedZTest } from './statistics';
import { effectivePrimaryScore } from './scoring';
import { JobRecord, ResolvedBenchmark } from './types';
import { SampleScores } from './uncertainty';
import { stableJson } from './stable-json';

// A comparison of runs: for every benchmark both jobs ran with the same parameters, each metric's
// values and difference, and for the primary metric whether the candidate improved, regressed or
// did not change significantly. Paired on the shared samples where both runs logged per-sample
// scores; otherwise an unpaired z-test from the standard errors, with a note saying so.

export const ALPHA = 0.05;

export type Outcome = 'improved' | 'regressed' | 'no_significant_change' | 'not_tested';

export interface MetricComparison {
  metric: string;
  primary: boolean;
  baseline: number;
  candidate: number;
  /** candidate − baseline */
  difference: number;
  ci95?: [number, number];
  p_value?: number;
  test: 'mcnemar_exact' | 'sign_flip_permutation' | 'unpaired_z' | 'none';
  /** Samples matched between the two runs (paired tests). */
  n_paired?: number;
  note?: string;
}

export interface BenchmarkComparison {
  provider_id: string;
  id: string;
  baseline_index: number;
  candidate_index: number;
  metrics: MetricComparison[];
  /** From the primary metric, at α = 0.05 after the Holm correction over this candidate's benchmarks. */
  outcome: Outcome;
  adjusted_p_value?: number;
}

export interface CandidateComparison {
  candidate: { id: string; name: string };
  benchmarks: BenchmarkComparison[];
  only_in_baseline: { provider_id: string; id: string; benchmark_index: number }[];
  only_in_candidate: { provider_id: string; id: string; benchmark_index: number }[];
  summary: Record<Outcome, number> & { correction: 'holm'; alpha: number };
}

/** Loads a benchmark's per-sample scores, when its run logged them. */
export type SampleSource = (job: JobRecord, index: number) => SampleScores[] | undefined;


/** Two benchmarks compare when they are the same benchmark run with the same parameters. */
export function benchmarkKey(b: ResolvedBenchmark): string {
  return `${b.provider_id}\u0000${b.id}\u0000${stableJson(b.parameters ?? {})}`;
}

function numericMetrics(metrics: Record<string, unknown> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v) && !/_stderr$/.test(k)) out[k] = v;
  return out;
}

/** Paired per-sample values of one metric, matched by sample id; undefined when nothing matches. */
function paired(a: SampleScores[] | undefined, b: SampleScores[] | undefined, metric: string): { base: number[]; cand: number[] } | undefined {
  if (!a || !b) return undefined;
  const byId = new Map(b.map((s) => [s.id, s.scores[metric]]));
  const base: number[] = [];
  const cand: number[] = [];
  for (const s of a) {
    const x = s.scores[metric];
    const y = byId.get(s.id);
    if (typeof x === 'number' && typeof y === 'number') {
      base.push(x);
      cand.push(y);
    }
  }
  return base.length ? { base, cand } : undefined;
}

function compareMetric(
  metric: string,
  primary: boolean,
  base: { value: number; stderr?: number; samples?: SampleScores[] },
  cand: { value: number; stderr?: number; samples?: SampleScores[] },
): MetricComparison {
  const common = { metric, primary, baseline: base.value, candidate: cand.value, difference: cand.value - base.value };
  const pairs = paired(base.samples, cand.samples, metric);
  if (pairs) {
    const c = comparePaired(pairs.base, pairs.cand);
    const all = Math.max(base.samples!.length, cand.samples!.length);
    return {
      ...common,
      ci95: toPair(c.interval),
      p_value: c.p_value,
      test: c.test,
      n_paired: c.n,
      ...(c.n < all ? { note: `paired on the ${c.n} of ${all} samples both runs scored` } : {}),
    };
  }
  if (base.stderr !== undefined && cand.stderr !== undefined) {
    return {
      ...common,
      ci95: toPair(normalInterval(common.difference, Math.sqrt(base.stderr ** 2 + cand.stderr ** 2))),
      p_value: unpairedZTest(base.value, base.stderr, cand.value, cand.stderr),
      test: 'unpaired_z',
      note: 'no per-sample scores to pair on: an unpaired test from the standard errors, which is less sensitive',
    };
  }
  return { ...common, test: 'none', note: 'neither per-sample scores nor standard errors: no test' };
}

function toPair(i: Interval): [number, number] {
  return [i.low, i.high];
}

/** Compares a candidate job with a baseline job. */
export function compareJobs(baseline: JobRecord, candidate: JobRecord, samples: SampleSource): CandidateComparison {
  const resultOf = (job: JobRecord, i: number) => job.results.benchmarks?.find((r) => r.benchmark_index === i && job.status.benchmarks.find((b) => b.benchmark_index === i)?.status === 'completed');
  const candidateByKey = new Map<string, number[]>();
  candidate.benchmarks.forEach((b, i) => candidateByKey.set(benchmarkKey(b), [...(candidateByKey.get(benchmarkKey(b)) ?? []), i]));
  const usedCandidate = new Set<number>();
  const benchmarks: BenchmarkComparison[] = [];
  const onlyInBaseline: CandidateComparison['only_in_baseline'] = [];
  baseline.benchmarks.forEach((b, bi) => {
    const ci = (candidateByKey.get(benchmarkKey(b)) ?? []).find((i) => !usedCandidate.has(i));
    const rb = resultOf(baseline, bi);
    const rc = ci !== undefined ? resultOf(candidate, ci) : undefined;
    if (ci === undefined || !rb || !rc) {
      onlyInBaseline.push({ provider_id: b.provider_id, id: b.id, benchmark_index: bi });
      return;
    }
    usedCandidate.add(ci);
    const primary = effectivePrimaryScore(b)?.metric;
    const mb = numericMetrics(rb.metrics);
    const mc = numericMetrics(rc.metrics);
    const sb = samples(baseline, bi);
    const sc = samples(candidate, ci);
    const metrics = Object.keys(mb)
      .filter((m) => m in mc)
      .sort((x, y) => Number(y === primary) - Number(x === primary) || x.localeCompare(y))
      .map((m) =>
        compareMetric(m, m === primary, { value: mb[m], stderr: rb.statistics?.[m]?.stderr, samples: sb }, { value: mc[m], stderr: rc.statistics?.[m]?.stderr, samples: sc }),
      );
    benchmarks.push({ provider_id: b.provider_id, id: b.id, baseline_index: bi, candidate_index: ci, metrics, outcome: 'not_tested' });
  });
  const onlyInCandidate = candidate.benchmarks
    .map((b, i) => ({ provider_id: b.provider_id, id: b.id, benchmark_index: i }))
    .filter((b) => !usedCandidate.has(b.benchmark_index));

  // Holm over the primary metrics that were tested: many benchmarks at α each would find
  // "regressions" by chance.
  const tested = benchmarks.map((bc) => ({ bc, m: bc.metrics.find((m) => m.primary && m.p_value !== undefined) })).filter((t) => t.m);
  const adjusted = holmAdjust(tested.map((t) => t.m!.p_value!));
  tested.forEach(({ bc, m }, k) => {
    bc.adjusted_p_value = adjusted[k];
    const lowerIsBetter = effectivePrimaryScore(baseline.benchmarks[bc.baseline_index])?.lower_is_better ?? false;
    if (adjusted[k] >= ALPHA || m!.difference === 0) bc.outcome = 'no_significant_change';
    else bc.outcome = m!.difference > 0 !== lowerIsBetter ? 'improved' : 'regressed';
  });
  // Equal values need no test to be "no change".
  for (const bc of benchmarks) if (bc.outcome === 'not_tested' && bc.metrics.find((m) => m.primary)?.difference === 0) bc.outcome = 'no_significant_change';
  const summary = { improved: 0, regressed: 0, no_significant_change: 0, not_tested: 0, correction: 'holm' as const, alpha: ALPHA };
  for (const bc of benchmarks) summary[bc.outcome]++;
  return { candidate: { id: candidate.resource.id, name: candidate.config.name }, benchmarks, only_in_baseline: onlyInBaseline, only_in_candidate: onlyInCandidate, summary };
}
