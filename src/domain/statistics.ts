import type { Verdict } from './types';

// The statistics behind "is this score good enough" and "did this run get better or worse":
// standard errors, 95% intervals, paired tests on per-sample scores, and a correction for testing
// many benchmarks at once. Plain functions, deterministic (seeded), no dependencies.

/** z of a two-sided 95% normal interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Mean and standard error of the mean (sample standard deviation, n - 1, over √n) as lm-eval does. */
export function meanAndStderr(xs: readonly number[]): { mean: number; stderr: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, stderr: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, stderr: NaN, n };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, stderr: Math.sqrt(variance / n), n };
}

export function normalInterval(value: number, stderr: number): Interval {
  return { low: value - Z95 * stderr, high: value + Z95 * stderr };
}

/** A small, fast, seeded generator (mulberry32): the same seed gives the same intervals. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_SEED = 20261202;
const BOOTSTRAP_ROUNDS = 2000;

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Percentile bootstrap interval of the mean (fixed seed); the bootstrap standard error too. */
export function bootstrapMean(xs: readonly number[], seed = DEFAULT_SEED, rounds = BOOTSTRAP_ROUNDS): { interval: Interval; stderr: number } {
  const n = xs.length;
  if (n === 0) return { interval: { low: NaN, high: NaN }, stderr: NaN };
  const rand = seededRandom(seed);
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[Math.floor(rand() * n)];
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return { interval: { low: quantile(means, 0.025), high: quantile(means, 0.975) }, stderr: meanAndStderr(means).stderr * Math.sqrt(rounds) };
}

/** ln C(n, k), exact enough for the binomial tails below. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * Exact McNemar test on paired 0/1 outcomes: b = pairs right before and wrong after, c = the
 * other way. Two-sided p = 2·P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1.
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Two-sided sign-flip permutation test of "the paired differences have mean 0": exact over all
 * sign patterns up to 16 non-zero differences, otherwise `rounds` seeded random patterns
 * ((hits + 1) / (rounds + 1), never 0).
 */
export function signFlipTest(diffs: readonly number[], seed = DEFAULT_SEED, rounds = 10000): number {
  const d = diffs.filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return 1;
  const observed = Math.abs(d.reduce((a, b) => a + b, 0));
  const eps = 1e-12 * (1 + observed);
  if (n <= 16) {
    let hits = 0;
    const total = 1 << n;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i] : d[i];
      if (Math.abs(s) >= observed - eps) hits++;
    }
    return hits / total;
  }
  const rand = seededRandom(seed);
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rand() < 0.5 ? -d[i] : d[i];
    if (Math.abs(s) >= observed - eps) hits++;
  }
  return (hits + 1) / (rounds + 1);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 through erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Two-sided p of an unpaired z-test on two means with their standard errors. */
export function unpairedZTest(meanA: number, seA: number, meanB: number, seB: number): number {
  const se = Math.sqrt(seA ** 2 + seB ** 2);
  if (!(se > 0)) return meanA === meanB ? 1 : 0;
  return 2 * (1 - normalCdf(Math.abs(meanB - meanA) / se));
}

/** Holm–Bonferroni adjusted p-values (same order as given): controls the family-wise error rate. */
export function holmAdjust(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(ps.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

export interface PairedComparison {
  n: number;
  /** candidate − baseline, mean over the shared samples. */
  difference: number;
  interval: Interval;
  p_value: number;
  test: 'mcnemar_exact' | 'sign_flip_permutation';
}

/**
 * Compares per-sample scores of two runs on the same samples (same order): McNemar for 0/1 scores,
 * otherwise a sign-flip permutation test; the difference's interval from a paired bootstrap.
 */
export function comparePaired(baseline: readonly number[], candidate: readonly number[], seed = DEFAULT_SEED): PairedComparison {
  const n = Math.min(baseline.length, candidate.length);
  const diffs = Array.from({ length: n }, (_, i) => candidate[i] - baseline[i]);
  const binary = [...baseline.slice(0, n), ...candidate.slice(0, n)].every((x) => x === 0 || x === 1);
  let p: number;
  if (binary) {
    let b = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (baseline[i] === 1 && candidate[i] === 0) b++;
      if (baseline[i] === 0 && candidate[i] === 1) c++;
    }
    p = mcnemarExact(b, c);
  } else {
    p = signFlipTest(diffs, seed);
  }
  const { mean } = meanAndStderr(diffs);
  return { n, difference: n ? mean : NaN, interval: n ? bootstrapMean(diffs, seed).interval : { low: NaN, high: NaN }, p_value: p, test: binary ? 'mcnemar_exact' : 'sign_flip_permutation' };
}


/**
 * Pass when the whole interval clears the threshold, fail when it lies wholly on the wrong side,
 * inconclusive otherwise. Without an interval the point value decides.
 */
export function verdict(value: number, interval: Interval | undefined, threshold: number, lowerIsBetter = false): Verdict {
  const low = interval && Number.isFinite(interval.low) ? interval.low : value;
  const high = interval && Number.isFinite(interval.high) ? interval.high : value;
  if (lowerIsBetter) {
    if (high <= threshold) return 'pass';
    if (low > threshold) return 'fail';
    return 'inconclusive';
  }
  if (low >= threshold) return 'pass';
  if (high < threshold) return 'fail';
  return 'inconclusive';
}
