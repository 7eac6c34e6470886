import { bootstrapMean, comparePaired, holmAdjust, mcnemarExact, meanAndStderr, normalCdf, normalInterval, signFlipTest, unpairedZTest, verdict, Z95 } from './statistics';

// Reference values: worked by hand or from scipy / statsmodels, computed once with the lines in
// the comments (scipy 1.14, statsmodels 0.14).

describe('meanAndStderr', () => {
  it('matches lm-eval (sample sd with n - 1, over √n)', () => {
    // statistics.stdev([1,0,1,1]) / 2 = 0.5 / 2
    expect(meanAndStderr([1, 0, 1, 1])).toEqual({ mean: 0.75, stderr: 0.25, n: 4 });
  });
  it('edge cases: all correct has no spread; one sample has no stderr; none has no mean', () => {
    expect(meanAndStderr([1, 1, 1])).toEqual({ mean: 1, stderr: 0, n: 3 });
    expect(meanAndStderr([0.4]).stderr).toBeNaN();
    expect(meanAndStderr([]).mean).toBeNaN();
  });
});

describe('intervals', () => {
  it('normal: value ± 1.96 stderr', () => {
    const i = normalInterval(0.55, 0.04);
    expect(i.low).toBeCloseTo(0.55 - Z95 * 0.04, 12);
    expect(i.high).toBeCloseTo(0.6284, 4);
  });
  it('bootstrap: seeded (same input, same interval), near the normal one for a large sample, a point for constant data', () => {
    const xs = Array.from({ length: 400 }, (_, i) => (i % 10 < 6 ? 1 : 0));
    const a = bootstrapMean(xs);
    expect(bootstrapMean(xs)).toEqual(a);
    const { mean, stderr } = meanAndStderr(xs);
    expect(a.interval.low).toBeCloseTo(mean - Z95 * stderr, 1);
    expect(a.interval.high).toBeCloseTo(mean + Z95 * stderr, 1);
    expect(a.stderr).toBeCloseTo(stderr, 2);
    expect(bootstrapMean([1, 1, 1, 1]).interval).toEqual({ low: 1, high: 1 });
  });
  it('standard normal CDF', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(Z95)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6); // scipy.stats.norm.cdf(-1)
  });
});

describe('tests', () => {
  it('exact McNemar', () => {
    expect(mcnemarExact(6, 0)).toBeCloseTo(0.03125, 12); // 2 · ½⁶
    expect(mcnemarExact(10, 2)).toBeCloseTo(0.03857421875, 12); // scipy.stats.binomtest(2, 12, 0.5).pvalue
    expect(mcnemarExact(5, 5)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
  });
  it('sign-flip permutation: exact for few differences, zeros ignored', () => {
    // Of the 8 sign patterns of (1, 2, 3) only all-plus and all-minus reach |sum| = 6.
    expect(signFlipTest([1, 2, 3, 0, 0])).toBeCloseTo(0.25, 12);
    expect(signFlipTest([0, 0])).toBe(1);
    expect(signFlipTest([0.5, -0.5])).toBe(1);
  });
  it('sign-flip permutation, sampled for many differences: a clear shift is significant, seeded', () => {
    const diffs = Array.from({ length: 40 }, (_, i) => 0.1 + (i % 3) * 0.05);
    const p = signFlipTest(diffs);
    expect(p).toBeLessThan(0.001);
    expect(signFlipTest(diffs)).toBe(p);
  });
  it('unpaired z-test', () => {
    // 2 * (1 - scipy.stats.norm.cdf(0.2 / math.sqrt(0.02)))
    expect(unpairedZTest(0.5, 0.1, 0.7, 0.1)).toBeCloseTo(0.157299, 5);
    expect(unpairedZTest(0.5, 0, 0.5, 0)).toBe(1);
  });
  it('Holm correction', () => {
    // statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03], method='holm')[1]
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holmAdjust([])).toEqual([]);
  });
});

describe('comparePaired', () => {
  it('0/1 scores: McNemar; six items lost is a regression at p < 0.05', () => {
    const base = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    const cand = [0, 0, 0, 0, 0, 0, 1, 1, 0, 0];
    const c = comparePaired(base, cand);
    expect(c).toMatchObject({ n: 10, test: 'mcnemar_exact', difference: -0.6 });
    expect(c.p_value).toBeCloseTo(0.03125, 12);
    expect(c.interval.high).toBeLessThan(0);
  });
  it('a run compared with itself shows no change', () => {
    const xs = [0.2, 0.9, 0.4, 1, 0];
    expect(comparePaired(xs, xs)).toMatchObject({ difference: 0, p_value: 1, interval: { low: 0, high: 0 } });
  });
});

describe('verdict', () => {
  it.each([
    [0.55, { low: 0.47, high: 0.63 }, 0.5, false, 'inconclusive'],
    [0.7, { low: 0.62, high: 0.78 }, 0.5, false, 'pass'],
    [0.3, { low: 0.2, high: 0.4 }, 0.5, false, 'fail'],
    [0.1, { low: 0.05, high: 0.15 }, 0.3, true, 'pass'],
    [0.5, { low: 0.35, high: 0.65 }, 0.3, true, 'fail'],
    [0.28, { low: 0.2, high: 0.36 }, 0.3, true, 'inconclusive'],
    [0.6, undefined, 0.5, false, 'pass'],
  ])('%s in %j against %s (lower is better: %s) -> %s', (value, interval, threshold, lower, expected) => {
    expect(verdict(value, interval, threshold, lower)).toBe(expected);
  });
});
