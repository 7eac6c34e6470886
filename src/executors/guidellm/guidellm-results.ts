/** The parts of guidellm's benchmarks.json (report version 2) that EvalHub reads. */
interface Distribution {
  mean?: number;
  median?: number;
  percentiles?: Record<string, number>;
}
interface StatusDistributions {
  successful?: Distribution;
}
interface GuideLlmBenchmark {
  config?: { run_index?: number; strategy?: { type_?: string; rate?: number; streams?: number; max_concurrency?: number; worker_count?: number } };
  metrics?: Record<string, unknown> & { request_totals?: { successful?: number; errored?: number; incomplete?: number; total?: number } };
  requests?: { errored?: { info?: { error?: string | null } }[] };
  duration?: number;
}
export interface GuideLlmReport {
  benchmarks?: GuideLlmBenchmark[];
}

export interface StrategySummary {
  label: string;
  type: string;
  rate?: number;
  streams?: number;
  max_concurrency?: number;
  duration_seconds?: number;
  requests_successful: number;
  requests_errored: number;
  requests_incomplete: number;
}

export interface GuideLlmResults {
  metrics: Record<string, number>;
  strategies: StrategySummary[];
  /** Label of the strategy the catalog metrics come from. */
  best?: string;
  requests: { successful: number; errored: number; incomplete: number };
  /** The first error text of a failed request, if any request failed. */
  firstError?: string;
}

/** Distributions reported per strategy, under short names, with the statistics kept of each. */
const LATENCIES: [string, string][] = [
  ['time_to_first_token_ms', 'ttft_ms'],
  ['inter_token_latency_ms', 'itl_ms'],
  ['time_per_output_token_ms', 'tpot_ms'],
  ['request_latency', 'request_latency_s'],
];
const STATS: [string, (d: Distribution) => number | undefined][] = [
  ['mean', (d) => d.mean],
  ['p50', (d) => d.percentiles?.p50 ?? d.median],
  ['p90', (d) => d.percentiles?.p90],
  ['p99', (d) => d.percentiles?.p99],
];
const RATES: [string, string][] = [
  ['requests_per_second', 'requests_per_second'],
  ['prompt_tokens_per_second', 'prompt_tokens_per_second'],
  ['output_tokens_per_second', 'output_tokens_per_second'],
  ['tokens_per_second', 'tokens_per_second'],
  ['request_concurrency', 'mean_concurrency'],
];

function successful(m: Record<string, unknown> | undefined, name: string): Distribution | undefined {
  return (m?.[name] as StatusDistributions | undefined)?.successful;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** MLflow metric keys allow alphanumerics, `_ - . space /` only. */
export function safeKey(s: string): string {
  return s.replace(/[^A-Za-z0-9_\-. /]/g, '_');
}

/**
 * Strategy labels: the strategy type (synchronous, throughput, constant, …); a type that occurs
 * more than once (a sweep's constant rates) is numbered in run order:
 * constant_1, constant_2, …
 */
export function strategyLabels(types: string[]): string[] {
  const count = new Map<string, number>();
  for (const t of types) count.set(t, (count.get(t) ?? 0) + 1);
  const seen = new Map<string, number>();
  return types.map((t) => {
    const key = safeKey(t);
    if ((count.get(t) ?? 0) < 2) return key;
    const n = (seen.get(t) ?? 0) + 1;
    seen.set(t, n);
    return `${key}_${n}`;
  });
}

/**
 * EvalHub metrics from a guidellm report.
 *
 * - The catalog names (requests_per_second, prompt_tokens_per_second, output_tokens_per_second,
 *   mean_ttft_ms, mean_itl_ms, plus p50/p99 TTFT and ITL) all describe ONE operating point: the
 *   strategy with the highest output tokens/s (for a single-strategy profile, that strategy). For a
 *   sweep that is the saturating one, so its latencies are those at peak throughput; the other
 *   strategies' latencies are in their own keys.
 * - Every strategy also gets `<label>/<metric>`: the rates above, mean concurrency,
 *   ttft/itl/tpot (ms) and request latency (s) as mean, p50, p90, p99, and its request counts
 *   (≈ 25 keys per strategy, at most MAX_STRATEGIES strategies).
 * - Rates and latencies are over successful requests (what guidellm's console tables show).
 */
export function parseGuideLlmReport(doc: GuideLlmReport): GuideLlmResults {
  const benches = doc.benchmarks ?? [];
  const labels = strategyLabels(benches.map((b) => b.config?.strategy?.type_ ?? 'strategy'));
  const metrics: Record<string, number> = {};
  const strategies: StrategySummary[] = [];
  const requests = { successful: 0, errored: 0, incomplete: 0 };
  let best: { label: string; otps: number; m: Record<string, unknown> | undefined } | undefined;
  let firstError: string | undefined;

  benches.forEach((b, i) => {
    const label = labels[i];
    const m = b.metrics;
    const totals = m?.request_totals ?? {};
    const counts = { successful: totals.successful ?? 0, errored: totals.errored ?? 0, incomplete: totals.incomplete ?? 0 };
    requests.successful += counts.successful;
    requests.errored += counts.errored;
    requests.incomplete += counts.incomplete;
    firstError ??= b.requests?.errored?.find((r) => r.info?.error)?.info?.error ?? undefined;
    const s = b.config?.strategy ?? {};
    strategies.push({
      label,
      type: s.type_ ?? 'unknown',
      ...(finite(s.rate) ? { rate: s.rate } : {}),
      ...(finite(s.streams) ? { streams: s.streams } : {}),
      ...(finite(s.max_concurrency) ? { max_concurrency: s.max_concurrency } : {}),
      ...(finite(b.duration) ? { duration_seconds: b.duration } : {}),
      requests_successful: counts.successful,
      requests_errored: counts.errored,
      requests_incomplete: counts.incomplete,
    });

    for (const [src, name] of RATES) {
      const v = successful(m, src)?.mean;
      if (finite(v)) metrics[`${label}/${name}`] = v;
    }
    for (const [src, name] of LATENCIES) {
      const d = successful(m, src);
      if (!d) continue;
      for (const [stat, get] of STATS) {
        const v = get(d);
        if (finite(v)) metrics[`${label}/${name}_${stat}`] = v;
      }
    }
    metrics[`${label}/requests_successful`] = counts.successful;
    metrics[`${label}/requests_errored`] = counts.errored;
    metrics[`${label}/requests_incomplete`] = counts.incomplete;
    if (finite(b.duration)) metrics[`${label}/duration_s`] = b.duration;

    const otps = successful(m, 'output_tokens_per_second')?.mean;
    if (counts.successful > 0 && finite(otps) && (!best || otps > best.otps)) best = { label, otps, m };
  });

  if (best) {
    const at = (src: string, get: (d: Distribution) => number | undefined, name: string) => {
      const d = successful(best!.m, src);
      const v = d ? get(d) : undefined;
      if (finite(v)) metrics[name] = v;
    };
    at('requests_per_second', (d) => d.mean, 'requests_per_second');
    at('prompt_tokens_per_second', (d) => d.mean, 'prompt_tokens_per_second');
    at('output_tokens_per_second', (d) => d.mean, 'output_tokens_per_second');
    at('time_to_first_token_ms', (d) => d.mean, 'mean_ttft_ms');
    at('time_to_first_token_ms', (d) => d.percentiles?.p50 ?? d.median, 'median_ttft_ms');
    at('time_to_first_token_ms', (d) => d.percentiles?.p99, 'p99_ttft_ms');
    at('inter_token_latency_ms', (d) => d.mean, 'mean_itl_ms');
    at('inter_token_latency_ms', (d) => d.percentiles?.p50 ?? d.median, 'median_itl_ms');
    at('inter_token_latency_ms', (d) => d.percentiles?.p99, 'p99_itl_ms');
    at('request_latency', (d) => d.mean, 'mean_request_latency_s');
  }
  metrics.requests_successful = requests.successful;
  metrics.requests_errored = requests.errored;
  metrics.requests_incomplete = requests.incomplete;
  return { metrics, strategies, best: best?.label, requests, ...(firstError ? { firstError: firstError.slice(0, 500) } : {}) };
}
