import { benchmarkTest, jobTest } from './scoring';

describe('benchmarkTest', () => {
  it('prefers the job primary score and threshold over the provider defaults', () => {
    const t = benchmarkTest(
      { id: 'a', provider_id: 'p', primary_score: { metric: 'f1' }, pass_criteria: { threshold: 0.8 }, provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 0.1 } },
      { acc: 0.9, f1: 0.7 },
    );
    // No interval: the point value decides the verdict too.
    expect(t).toEqual({ primary_score: 0.7, primary_score_metric: 'f1', threshold: 0.8, pass: false, verdict: 'fail' });
  });

  it('0.55 ± 0.08 against 0.5 passes on the point value but is inconclusive', () => {
    const b = { id: 'a', provider_id: 'p', provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 0.5 } };
    const t = benchmarkTest(b, { acc: 0.55 }, { acc: { n: 40, stderr: 0.08 / 1.959963984540054, ci95: [0.47, 0.63], method: 'backend_stderr' } });
    expect(t).toMatchObject({ pass: true, verdict: 'inconclusive', ci95: [0.47, 0.63] });
    expect(benchmarkTest(b, { acc: 0.7 }, { acc: { stderr: 0.03, ci95: [0.64, 0.76], method: 'bootstrap' } })?.verdict).toBe('pass');
  });

  it('passes lower-is-better metrics at or below the threshold', () => {
    const b = { id: 'a', provider_id: 'p', provider_primary_score: { metric: 'asr', lower_is_better: true }, provider_pass_criteria: { threshold: 0.3 } };
    expect(benchmarkTest(b, { asr: 0.2 })?.pass).toBe(true);
    expect(benchmarkTest(b, { asr: 0.4 })?.pass).toBe(false);
  });

  it('has no test without a numeric metric or threshold', () => {
    expect(benchmarkTest({ id: 'a', provider_id: 'p', provider_primary_score: { metric: 'acc' } }, { acc: 1 })).toBeUndefined();
    expect(benchmarkTest({ id: 'a', provider_id: 'p', provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 1 } }, { acc: 'x' })).toBeUndefined();
  });
});

describe('jobTest', () => {
  const bs = [
    { id: 'a', provider_id: 'p', weight: 2, provider_primary_score: { metric: 'acc' } },
    { id: 'b', provider_id: 'p', provider_primary_score: { metric: 'asr', lower_is_better: true } },
  ];
  const results = [
    { id: 'a', provider_id: 'p', benchmark_index: 0, test: { primary_score: 0.6, primary_score_metric: 'acc', threshold: 0.5, pass: true } },
    { id: 'b', provider_id: 'p', benchmark_index: 1, test: { primary_score: 0.2, primary_score_metric: 'asr', threshold: 0.3, pass: true } },
  ];

  it('weights scores and inverts lower-is-better ones', () => {
    const t = jobTest(bs, results, undefined, undefined);
    expect(t?.score).toBeCloseTo((2 * 0.6 + 0.8) / 3);
    expect(t?.threshold).toBe(0.5);
  });

  it('carries an interval through the weights when every benchmark has a stderr', () => {
    const withStats = results.map((r, i) => ({ ...r, statistics: { [r.test.primary_score_metric]: { stderr: [0.03, 0.04][i], ci95: [0, 1] as [number, number], method: 'backend_stderr' as const } } }));
    const t = jobTest(bs, withStats, undefined, undefined)!;
    // se = √((2·0.03)² + 0.04²) / 3
    expect(t.stderr).toBeCloseTo(Math.sqrt(0.06 ** 2 + 0.04 ** 2) / 3, 12);
    expect(t.ci95![0]).toBeCloseTo(t.score - 1.959963984540054 * t.stderr!, 12);
    expect(t.verdict).toBe('pass');
    // One benchmark without a stderr: no interval, the point value decides.
    expect(jobTest(bs, [withStats[0], results[1]], undefined, undefined)).not.toHaveProperty('ci95');
  });

  it('takes the job threshold, then the collection threshold', () => {
    expect(jobTest(bs, results, 0.9, 0.1)).toMatchObject({ threshold: 0.9, pass: false });
    expect(jobTest(bs, results, undefined, 0.1)).toMatchObject({ threshold: 0.1, pass: true });
  });
});
