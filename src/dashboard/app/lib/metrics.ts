// Reading benchmark results: metric rows with their standard errors and 95% intervals, primary
// scores against thresholds, GuideLLM's per-strategy latencies and throughput, garak's per-probe attack success.
// Metric names follow the executors (src/executors/lm-eval, guidellm, garak).
import type { BenchmarkResult, Job, MetricStatistics, Verdict } from '../api/types';

export interface MetricRow {
  name: string;
  value: unknown;
  stderr?: number;
  /** 95% interval, from the result's statistics (backend stderr or bootstrap). */
  ci95?: [number, number];
  /** Samples behind the value, when known. */
  n?: number;
  method?: MetricStatistics['method'];
  /** This row is the benchmark's primary score. */
  primary: boolean;
  threshold?: number;
  pass?: boolean;
  verdict?: Verdict;
}

/** An interval as the API sends it (number[] | null in the document), or undefined. */
export function asInterval(v: readonly number[] | null | undefined): [number, number] | undefined {
  return v && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? [v[0], v[1]] : undefined;
}

function statisticsOf(result: BenchmarkResult, name: string): Pick<MetricRow, 'ci95' | 'n' | 'method'> & { stderr?: number } {
  const s = result.statistics?.[name];
  const ci95 = asInterval(s?.ci95);
  if (!s || !ci95) return {};
  return { ci95, stderr: s.stderr, method: s.method, ...(typeof s.n === 'number' ? { n: s.n } : {}) };
}

/**
 * The metric a standard-error key belongs to, or undefined. lm-eval names them `x_stderr`,
 * `x_stderr,none` (raw) or `x_stderr_<filter>` (another filter, EvalHub's naming).
 */
export function stderrBase(key: string): string | undefined {
  const m = /^(.*)_stderr(,none|_.+|,.+)?$/.exec(key);
  if (!m || !m[1]) return undefined;
  const suffix = m[2];
  return !suffix || suffix === ',none' ? m[1] : `${m[1]}${suffix}`;
}

function lookup(metrics: Record<string, unknown>, name: string): string | undefined {
  if (name in metrics) return name;
  if (`${name},none` in metrics) return `${name},none`;
  if (name.endsWith(',none') && name.slice(0, -5) in metrics) return name.slice(0, -5);
  return undefined;
}

/** One row per metric, stderr folded into the metric it belongs to (unpaired ones stay rows). */
export function metricRows(result: BenchmarkResult): MetricRow[] {
  const metrics = (result.metrics ?? {}) as Record<string, unknown>;
  const stderrOf = new Map<string, number>();
  const paired = new Set<string>();
  for (const [k, v] of Object.entries(metrics)) {
    const base = stderrBase(k);
    const target = base === undefined ? undefined : lookup(metrics, base);
    if (target !== undefined && typeof v === 'number') {
      stderrOf.set(target, v);
      paired.add(k);
    }
  }
  const test = result.test;
  const primaryKey = test ? lookup(metrics, test.primary_score_metric) ?? test.primary_score_metric : undefined;
  const testFields = test ? { threshold: test.threshold, pass: test.pass, ...(test.verdict ? { verdict: test.verdict } : {}) } : {};
  const rows: MetricRow[] = [];
  for (const [k, v] of Object.entries(metrics)) {
    if (paired.has(k)) continue;
    const primary = k === primaryKey;
    // The backend's own stderr key wins; a bootstrap's stderr fills in where there is none.
    const stats = statisticsOf(result, k);
    rows.push({ name: k, value: v, ...stats, stderr: stderrOf.get(k) ?? stats.stderr, primary, ...(primary ? testFields : {}) });
  }
  if (test && primaryKey && !(primaryKey in metrics)) {
    rows.push({ name: primaryKey, value: test.primary_score, ...statisticsOf(result, primaryKey), primary: true, ...testFields });
  }
  // Primary first, then by name, so the table reads the same every time.
  return rows.sort((a, b) => Number(b.primary) - Number(a.primary) || a.name.localeCompare(b.name));
}

export interface PrimaryScore {
  label: string;
  metric: string;
  score: number;
  threshold: number;
  pass: boolean;
  verdict?: Verdict;
  /** The primary score's 95% interval (the test's, else the metric's statistics). */
  ci95?: [number, number];
}

export function primaryScores(job: Pick<Job, 'results'>): PrimaryScore[] {
  return (job.results?.benchmarks ?? [])
    .filter((r) => r.test)
    .map((r) => {
      const t = r.test!;
      const ci95 = asInterval(t.ci95) ?? asInterval(r.statistics?.[t.primary_score_metric]?.ci95);
      return {
        label: `${r.id} #${r.benchmark_index}`,
        metric: t.primary_score_metric,
        score: t.primary_score,
        threshold: t.threshold,
        pass: t.pass,
        ...(t.verdict ? { verdict: t.verdict } : {}),
        ...(ci95 ? { ci95 } : {}),
      };
    });
}

export interface Percentiles {
  p50?: number;
  p90?: number;
  p99?: number;
}

export interface StrategyPerf {
  label: string;
  ttft: Percentiles;
  itl: Percentiles;
  requestsPerSecond?: number;
  outputTokensPerSecond?: number;
}

const STRATEGY_KEY = /^(.+)\/(ttft_ms|itl_ms)_(p50|p90|p99)$/;
const RATE_KEY = /^(.+)\/(requests_per_second|output_tokens_per_second)$/;

/**
 * GuideLLM's per-strategy numbers (`<strategy>/ttft_ms_p50`, `<strategy>/output_tokens_per_second`
 * …), in run order when additional_info.strategies lists it. Empty for other results.
 */
export function guidellmStrategies(result: BenchmarkResult): StrategyPerf[] {
  const metrics = (result.metrics ?? {}) as Record<string, unknown>;
  const by = new Map<string, StrategyPerf>();
  const get = (label: string) => {
    let s = by.get(label);
    if (!s) by.set(label, (s = { label, ttft: {}, itl: {} }));
    return s;
  };
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number') continue;
    const lat = STRATEGY_KEY.exec(k);
    if (lat) {
      get(lat[1])[lat[2] === 'ttft_ms' ? 'ttft' : 'itl'][lat[3] as keyof Percentiles] = v;
      continue;
    }
    const rate = RATE_KEY.exec(k);
    if (rate) get(rate[1])[rate[2] === 'requests_per_second' ? 'requestsPerSecond' : 'outputTokensPerSecond'] = v;
  }
  const order = ((result.additional_info?.strategies as { label?: string }[] | undefined) ?? []).map((s) => s.label);
  return [...by.values()].sort((a, b) => rank(order, a.label) - rank(order, b.label) || a.label.localeCompare(b.label));
}

function rank(order: (string | undefined)[], label: string): number {
  const i = order.indexOf(label);
  return i < 0 ? order.length : i;
}

export interface ProbeRate {
  probe: string;
  rate: number;
}

/** garak's `attack_success_rate/<probe>` (share of failed detector checks per probe). */
export function garakProbes(result: BenchmarkResult): ProbeRate[] {
  const metrics = (result.metrics ?? {}) as Record<string, unknown>;
  return Object.entries(metrics)
    .filter((e): e is [string, number] => e[0].startsWith('attack_success_rate/') && typeof e[1] === 'number')
    .map(([k, v]) => ({ probe: k.slice('attack_success_rate/'.length), rate: v }))
    .sort((a, b) => a.probe.localeCompare(b.probe));
}

/** Artifact names and paths the result carries inline (`artifacts` object of the result). */
export function inlineArtifacts(result: BenchmarkResult): [string, string][] {
  return Object.entries(result.artifacts ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
}
