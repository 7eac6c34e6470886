import { evaluateRule, gateDecision, gateErrors, latestPassingBaseline } from './gates';
import { Z95 } from './statistics';
import { JobRecord } from './types';

function job(id: string, acc: number, stderr: number | undefined, created = '2026-12-02T10:00:00.000Z', pass = true): JobRecord {
  return {
    resource: { id, created_at: created },
    config: { name: id, model: { url: 'http://m/v1', name: 'm' } },
    benchmarks: [{ id: 'arc', provider_id: 'lm', provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 0.5 } }],
    status: { state: 'completed', message: null, benchmarks: [{ id: 'arc', provider_id: 'lm', benchmark_index: 0, status: 'completed' }] },
    results: {
      benchmarks: [
        {
          id: 'arc',
          provider_id: 'lm',
          benchmark_index: 0,
          metrics: { acc },
          test: { primary_score: acc, primary_score_metric: 'acc', threshold: 0.5, pass: acc >= 0.5 },
          ...(stderr !== undefined ? { statistics: { acc: { stderr, ci95: [acc - Z95 * stderr, acc + Z95 * stderr] as [number, number], method: 'backend_stderr' as const } } } : {}),
        },
      ],
      test: { score: acc, threshold: 0.5, pass },
    },
  };
}
const ARC = { provider_id: 'lm', id: 'arc' };

describe('gate rules', () => {
  it('0.55 ± 0.08 against a minimum of 0.5 is INCONCLUSIVE, and says why', () => {
    const o = evaluateRule({ benchmark: ARC, min_score: 0.5 }, job('j', 0.55, 0.08 / Z95));
    expect(o.decision).toBe('INCONCLUSIVE');
    expect(o.reason).toContain('more samples are needed');
    expect(gateDecision([o])).toBe('INCONCLUSIVE');
  });

  it('GO when the whole interval clears the minimum, NO-GO when it misses; a missing benchmark is NO-GO', () => {
    expect(evaluateRule({ benchmark: ARC, min_score: 0.5 }, job('j', 0.7, 0.02)).decision).toBe('GO');
    expect(evaluateRule({ benchmark: ARC, min_score: 0.5 }, job('j', 0.3, 0.02)).decision).toBe('NO-GO');
    expect(evaluateRule({ benchmark: { provider_id: 'lm', id: 'mmlu' }, min_score: 0.5 }, job('j', 0.7, 0.02)).decision).toBe('NO-GO');
    expect(evaluateRule({ max_score: 0.9 }, job('j', 0.7, undefined)).decision).toBe('GO');
  });

  it('max_regression: GO within the allowance, NO-GO past it, INCONCLUSIVE when the interval straddles it, without a baseline too', () => {
    const base = job('base', 0.7, 0.01);
    expect(evaluateRule({ benchmark: ARC, max_regression: 0.05 }, job('c', 0.69, 0.01), base).decision).toBe('GO');
    expect(evaluateRule({ benchmark: ARC, max_regression: 0.05 }, job('c', 0.5, 0.01), base).decision).toBe('NO-GO');
    expect(evaluateRule({ benchmark: ARC, max_regression: 0.05 }, job('c', 0.65, 0.01), base).decision).toBe('INCONCLUSIVE');
    expect(evaluateRule({ benchmark: ARC, max_regression: 0.05 }, job('c', 0.65, 0.01), undefined)).toMatchObject({ decision: 'INCONCLUSIVE', reason: expect.stringContaining('no earlier passing job') });
  });

  it('the gate: NO-GO beats INCONCLUSIVE beats GO', () => {
    const r = (decision: 'GO' | 'NO-GO' | 'INCONCLUSIVE') => ({ rule: {}, decision, reason: '' });
    expect(gateDecision([r('GO'), r('INCONCLUSIVE'), r('NO-GO')])).toBe('NO-GO');
    expect(gateDecision([r('GO'), r('INCONCLUSIVE')])).toBe('INCONCLUSIVE');
    expect(gateDecision([r('GO')])).toBe('GO');
  });

  it('the default baseline is the latest earlier passing job of the same model', () => {
    const cand = job('c', 0.6, 0.01, '2026-12-02T12:00:00.000Z');
    const older = job('a', 0.6, 0.01, '2026-12-01T10:00:00.000Z');
    const newer = job('b', 0.6, 0.01, '2026-12-02T11:00:00.000Z');
    const failing = job('f', 0.4, 0.01, '2026-12-02T11:30:00.000Z', false);
    const later = job('l', 0.6, 0.01, '2026-12-02T13:00:00.000Z');
    expect(latestPassingBaseline(cand, [older, newer, failing, later, cand])?.resource.id).toBe('b');
  });

  it('rules that cannot be evaluated are refused with the reason', () => {
    expect(gateErrors({ name: 'g', rules: [] })).toEqual(['rules must list at least one rule']);
    expect(gateErrors({ name: 'g', rules: [{ min_score: 0.5, max_score: 0.9 }, { max_regression: -1 }, { min_score: 0.5, baseline_job_id: 'x' }] })).toEqual([
      'rules[0] must set exactly one of min_score, max_score, max_regression',
      'rules[1].max_regression must be at least 0',
      'rules[2].baseline_job_id only goes with max_regression',
    ]);
  });
});
