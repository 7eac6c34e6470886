import { benchmarkKey, compareJobs } from './comparison';
import { JobRecord } from './types';
import { SampleScores } from './uncertainty';

const NOW = '2026-12-02T10:00:00.000Z';

function job(id: string, benchmarks: { id: string; metrics: Record<string, number>; parameters?: Record<string, number> }[]): JobRecord {
  return {
    resource: { id, created_at: NOW },
    config: { name: `job ${id}`, model: { url: 'http://m/v1', name: 'm' } },
    benchmarks: benchmarks.map((b) => ({ id: b.id, provider_id: 'p', parameters: b.parameters, provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 0.5 } })),
    status: { state: 'completed', message: null, benchmarks: benchmarks.map((b, i) => ({ id: b.id, provider_id: 'p', benchmark_index: i, status: 'completed' as const })) },
    results: { benchmarks: benchmarks.map((b, i) => ({ id: b.id, provider_id: 'p', benchmark_index: i, metrics: b.metrics })) },
  };
}

const scores = (values: number[]): SampleScores[] => values.map((v, i) => ({ id: `doc${i}`, scores: { acc: v } }));
const right = Array.from({ length: 40 }, (_, i) => (i < 30 ? 1 : 0));
// The variant gets twelve of the thirty right answers wrong, and nothing else changes.
const worse = right.map((v, i) => (i < 12 ? 0 : v));

describe('compareJobs', () => {
  const base = job('a', [
    { id: 'arith', metrics: { acc: 0.75, acc_stderr: 0.07 } },
    { id: 'mc', metrics: { acc: 0.6 } },
    { id: 'gone', metrics: { acc: 0.5 } },
  ]);
  const cand = job('b', [
    { id: 'mc', metrics: { acc: 0.6 } },
    { id: 'arith', metrics: { acc: 0.45, acc_stderr: 0.08 } },
    { id: 'new', metrics: { acc: 0.9 } },
  ]);
  const mc = scores(Array.from({ length: 20 }, (_, i) => i % 3 === 0 ? 0 : 1));
  const samples = (j: JobRecord, i: number) => {
    const id = j.benchmarks[i].id;
    if (id === 'arith') return scores(j.resource.id === 'a' ? right : worse);
    if (id === 'mc') return mc;
    return undefined;
  };

  it('a task that got worse on some items regressed (paired, McNemar); an unaffected one did not change', () => {
    const c = compareJobs(base, cand, samples);
    const arith = c.benchmarks.find((b) => b.id === 'arith')!;
    expect(arith).toMatchObject({ baseline_index: 0, candidate_index: 1, outcome: 'regressed' });
    expect(arith.metrics[0]).toMatchObject({ metric: 'acc', primary: true, test: 'mcnemar_exact', n_paired: 40 });
    expect(arith.metrics[0].difference).toBeCloseTo(-0.3, 12);
    expect(arith.metrics[0].p_value).toBeCloseTo(2 * 0.5 ** 12, 12);
    expect(c.benchmarks.find((b) => b.id === 'mc')).toMatchObject({ outcome: 'no_significant_change' });
    expect(c.only_in_baseline).toEqual([{ provider_id: 'p', id: 'gone', benchmark_index: 2 }]);
    expect(c.only_in_candidate).toEqual([{ provider_id: 'p', id: 'new', benchmark_index: 2 }]);
    expect(c.summary).toMatchObject({ improved: 0, regressed: 1, no_significant_change: 1, not_tested: 0, correction: 'holm' });
  });

  it('a job compared with itself shows no change', () => {
    const c = compareJobs(base, base, samples);
    expect(c.benchmarks.every((b) => b.outcome === 'no_significant_change')).toBe(true);
    expect(c.summary.regressed + c.summary.improved).toBe(0);
  });

  it('without per-sample scores: an unpaired test from the standard errors, and it says so', () => {
    const withStats = (j: JobRecord, se: number) => ({
      ...j,
      results: { benchmarks: j.results.benchmarks!.map((r) => ({ ...r, statistics: { acc: { stderr: se, ci95: [0, 1] as [number, number], method: 'backend_stderr' as const } } })) },
    });
    const c = compareJobs(withStats(base, 0.07), withStats(cand, 0.08), () => undefined);
    const arith = c.benchmarks.find((b) => b.id === 'arith')!;
    expect(arith.metrics[0]).toMatchObject({ test: 'unpaired_z', note: expect.stringContaining('unpaired') });
    // z = 0.3 / √(0.07² + 0.08²) ≈ 2.82: p ≈ 0.0048; with mc (p = 1) Holm doubles the smaller one.
    expect(arith.metrics[0].p_value).toBeCloseTo(0.00480, 4);
    expect(arith.outcome).toBe('regressed');
    // No stderr and no samples: listed, not tested (unless the values are equal).
    const bare = compareJobs(base, job('c', [{ id: 'mc', metrics: { acc: 0.7 } }]), () => undefined);
    expect(bare.benchmarks[0]).toMatchObject({ outcome: 'not_tested', metrics: [{ test: 'none' }] });
    expect(compareJobs(base, cand, () => undefined).benchmarks.find((b) => b.id === 'mc')).toMatchObject({ outcome: 'no_significant_change' });
  });

  it('benchmarks match on provider, id and parameters (key order does not matter)', () => {
    expect(benchmarkKey({ id: 'x', provider_id: 'p', parameters: { a: 1, b: [2, { c: 3 }] } })).toBe(benchmarkKey({ id: 'x', provider_id: 'p', parameters: { b: [2, { c: 3 }], a: 1 } }));
    expect(benchmarkKey({ id: 'x', provider_id: 'p', parameters: { num_examples: 10 } })).not.toBe(benchmarkKey({ id: 'x', provider_id: 'p' }));
  });
});
