import { DomainError } from './errors';
import { applyBenchmarkEvent, backfillMetricsSchema, cancelJob, jobPercent, overallState } from './job-state';
import { BenchmarkStatus, JobRecord } from './types';

const NOW = '2026-11-21T10:00:00.000Z';

function job(n = 2): JobRecord {
  return {
    resource: { id: 'j1', created_at: NOW },
    config: { name: 'j', model: { url: 'http://m/v1', name: 'm' } },
    benchmarks: Array.from({ length: n }, (_, i) => ({
      id: `b${i}`,
      provider_id: 'p',
      provider_primary_score: { metric: 'acc' },
      provider_pass_criteria: { threshold: 0.5 },
    })),
    status: { state: 'pending', message: null, benchmarks: [] },
    results: {},
  };
}

const st = (i: number, status: BenchmarkStatus['status']): BenchmarkStatus => ({ id: `b${i}`, provider_id: 'p', benchmark_index: i, status });

describe('overallState', () => {
  it.each([
    [[st(0, 'completed'), st(1, 'completed')], 'completed'],
    [[st(0, 'failed'), st(1, 'failed')], 'failed'],
    [[st(0, 'completed'), st(1, 'failed')], 'partially_failed'],
    [[st(0, 'cancelled'), st(1, 'cancelled')], 'cancelled'],
    [[st(0, 'completed'), st(1, 'cancelled')], 'partially_failed'],
    [[st(0, 'running')], 'running'],
    [[st(0, 'completed')], 'running'],
    [[st(0, 'pending')], 'pending'],
    [[], 'pending'],
  ])('%j -> %s', (statuses, expected) => {
    expect(overallState(2, statuses as BenchmarkStatus[]).state).toBe(expected);
  });

  it('names each failed benchmark and its message', () => {
    const s = overallState(2, [{ ...st(0, 'failed'), error_message: { message: 'boom', message_code: 'x' } }, st(1, 'completed')]);
    expect(s.message.message).toContain('Benchmark b0 failed with message: boom');
    expect(s.message.message_code).toBe('evaluation_job_updated');
  });
});

describe('applyBenchmarkEvent', () => {
  it('moves the job to running and records phase and default origin', () => {
    const next = applyBenchmarkEvent(
      job(),
      { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'running', phase: 'initializing', warning_message: { message: 'w', message_code: 'c' } },
      NOW,
    );
    expect(next.status.state).toBe('running');
    expect(next.status.benchmarks[0]).toMatchObject({ status: 'running', phase: 'initializing', started_at: NOW });
    expect(next.status.benchmarks[0].warning_message?.message_origin).toBe('runtime');
  });

  it('completes the job with per-benchmark tests and the weighted job score', () => {
    let j = job();
    j.benchmarks[1].weight = 3;
    j = applyBenchmarkEvent(j, { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'completed', metrics: { acc: 0.9 } }, NOW);
    j = applyBenchmarkEvent(j, { id: 'b1', provider_id: 'p', benchmark_index: 1, status: 'completed', metrics: { acc: 0.3 } }, NOW);
    expect(j.status.state).toBe('completed');
    expect(j.results.benchmarks?.map((r) => r.test?.pass)).toEqual([true, false]);
    expect(j.results.test?.score).toBeCloseTo((0.9 + 3 * 0.3) / 4);
    expect(j.results.test).toMatchObject({ threshold: 0.5, pass: false });
  });

  it('does not compute a job score for partially failed jobs', () => {
    let j = applyBenchmarkEvent(job(), { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'completed', metrics: { acc: 1 } }, NOW);
    j = applyBenchmarkEvent(j, { id: 'b1', provider_id: 'p', benchmark_index: 1, status: 'failed' }, NOW);
    expect(j.status.state).toBe('partially_failed');
    expect(j.results.test).toBeUndefined();
  });

  it('rejects events for a terminal job with 409', () => {
    const j = { ...job(), status: { state: 'completed' as const, message: null, benchmarks: [] } };
    expect(() => applyBenchmarkEvent(j, { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'running' }, NOW)).toThrow(
      expect.objectContaining({ code: 'job_can_not_be_updated' }),
    );
  });

  it.each([
    ['wrong index', { id: 'b0', provider_id: 'p', benchmark_index: 5 }],
    ['wrong id', { id: 'zz', provider_id: 'p', benchmark_index: 0 }],
    ['wrong provider', { id: 'b0', provider_id: 'q', benchmark_index: 0 }],
  ])('rejects an event for a benchmark the job does not have (%s) with 404', (_, ids) => {
    expect(() => applyBenchmarkEvent(job(), { ...ids, status: 'running' } as never, NOW)).toThrow(DomainError);
  });

  const b0 = { id: 'b0', provider_id: 'p', benchmark_index: 0 };
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'ok';
  };

  it('never moves a finished benchmark back to running, nor overwrites or flips its result', () => {
    const failed = applyBenchmarkEvent(job(), { ...b0, status: 'failed' }, NOW);
    expect(codeOf(() => applyBenchmarkEvent(failed, { ...b0, status: 'running' }, NOW))).toBe('benchmark_already_finished');
    const done = applyBenchmarkEvent(job(), { ...b0, status: 'completed', metrics: { acc: 0.1 } }, NOW);
    expect(codeOf(() => applyBenchmarkEvent(done, { ...b0, status: 'completed', metrics: { acc: 0.99 } }, NOW))).toBe('benchmark_already_finished');
    expect(codeOf(() => applyBenchmarkEvent(done, { ...b0, status: 'failed' }, NOW))).toBe('benchmark_already_finished');
    expect(done.results.benchmarks![0].metrics).toEqual({ acc: 0.1 });
  });

  it('takes the same terminal report twice as one (a retried callback)', () => {
    const done = applyBenchmarkEvent(job(), { ...b0, status: 'completed', metrics: { acc: 0.7 } }, NOW);
    expect(applyBenchmarkEvent(done, { ...b0, status: 'completed', metrics: { acc: 0.7 } }, NOW)).toBe(done);
  });

  it('says why a completed benchmark has no test when its primary metric is missing', () => {
    const done = applyBenchmarkEvent(job(), { ...b0, status: 'completed', metrics: { accuracy: 0.7, f1: 0.5 } }, NOW);
    const r = done.results.benchmarks![0];
    expect(r.test).toBeUndefined();
    expect(r.warning_message).toMatchObject({ message_code: 'primary_metric_missing' });
    expect(r.warning_message!.message).toContain("'acc'");
    expect(r.warning_message!.message).toContain('accuracy, f1');
    const ok = applyBenchmarkEvent(job(), { ...b0, status: 'completed', metrics: { acc: 0.7 } }, NOW);
    expect(ok.results.benchmarks![0].warning_message).toBeUndefined();
  });
});

describe('progress', () => {
  const running = { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'running' as const, phase: 'running_evaluation' as const };

  it('keeps the count and ETA of a running benchmark, and marks a completed one wholly done', () => {
    let j = applyBenchmarkEvent(job(), { ...running, progress: 0.25, completed_count: 5, total_count: 20, count_unit: 'samples', eta_seconds: 9 }, NOW);
    expect(j.status.benchmarks[0]).toMatchObject({ progress: 0.25, completed_count: 5, total_count: 20, count_unit: 'samples', eta_seconds: 9 });
    j = applyBenchmarkEvent(j, { ...running, status: 'completed', metrics: { acc: 1 } }, NOW);
    expect(j.status.benchmarks[0]).toMatchObject({ progress: 1, completed_count: 20, total_count: 20, count_unit: 'samples' });
    expect(j.status.benchmarks[0].eta_seconds).toBeUndefined();
  });

  it('keeps the figures reached when a later phase report carries none', () => {
    let j = applyBenchmarkEvent(job(), { ...running, progress: 1, completed_count: 30, total_count: 30, count_unit: 'requests' }, NOW);
    j = applyBenchmarkEvent(j, { ...running, phase: 'post_processing' }, NOW);
    expect(j.status.benchmarks[0]).toMatchObject({ phase: 'post_processing', progress: 1, completed_count: 30, total_count: 30 });
  });

  it('keeps how far a failed benchmark got', () => {
    let j = applyBenchmarkEvent(job(), { ...running, progress: 0.4, completed_count: 4, total_count: 10, count_unit: 'rows' }, NOW);
    j = applyBenchmarkEvent(j, { ...running, status: 'failed', error_message: { message: 'x', message_code: 'y' } }, NOW);
    expect(j.status.benchmarks[0]).toMatchObject({ status: 'failed', progress: 0.4, completed_count: 4, total_count: 10 });
  });

  it.each([
    ['nothing reported', [], 'pending', 0],
    ['one of two half done', [{ ...st(0, 'running'), progress: 0.5 }], 'running', 25],
    ['one finished, one at 30%', [st(0, 'completed'), { ...st(1, 'running'), progress: 0.3 }], 'running', 65],
    ['a failed benchmark counts as finished', [st(0, 'failed'), st(1, 'pending')], 'running', 50],
    ['a terminal job', [st(0, 'completed'), st(1, 'failed')], 'partially_failed', 100],
  ])('job percent: %s', (_label, statuses, state, expected) => {
    const j = job();
    j.status = { state: state as JobRecord['status']['state'], message: null, benchmarks: statuses as BenchmarkStatus[] };
    expect(jobPercent(j)).toBe(expected);
  });
});

describe('cancelJob', () => {
  it('cancels unfinished benchmarks and keeps finished ones', () => {
    const started = applyBenchmarkEvent(job(3), { id: 'b0', provider_id: 'p', benchmark_index: 0, status: 'completed', metrics: { acc: 1 } }, NOW);
    const c = cancelJob(started, NOW);
    expect(c.status.state).toBe('cancelled');
    expect(c.status.benchmarks.map((b) => b.status).sort()).toEqual(['cancelled', 'cancelled', 'completed']);
    expect(cancelJob(c, NOW)).toBe(c);
  });

  it('refuses to cancel a completed job', () => {
    const j = { ...job(), status: { state: 'completed' as const, message: null, benchmarks: [] } };
    expect(() => cancelJob(j, NOW)).toThrow(expect.objectContaining({ code: 'job_can_not_be_updated' }));
  });
});

describe('backfillMetricsSchema', () => {
  it('adds numeric entries for metrics without a schema', () => {
    const r = backfillMetricsSchema({ id: 'b', provider_id: 'p', benchmark_index: 0, metrics: { acc: 1, label: 'x' }, metrics_schema: [{ name: 'label', type: 'categorical' }] });
    expect(r.metrics_schema).toEqual([{ name: 'label', type: 'categorical' }, { name: 'acc', type: 'numeric' }]);
  });
});

describe('job_meta.resolved_sha', () => {
  const gitJob = (): JobRecord => {
    const j = job(2);
    const ref = { git: { url: 'https://github.com/o/r.git', ref: 'main' } };
    j.benchmarks = j.benchmarks.map((b, i) => (i === 0 ? { ...b, test_data_ref: ref } : b));
    j.config.benchmarks = j.benchmarks.map(({ id, provider_id, test_data_ref }) => ({ id, provider_id, ...(test_data_ref ? { test_data_ref } : {}) }));
    return j;
  };
  const ev = (index: number) => ({ provider_id: 'p', id: `b${index}`, benchmark_index: index, status: 'running' as const });

  it('is recorded on the git test data of the benchmark the event is about', () => {
    const out = applyBenchmarkEvent(gitJob(), ev(0), '2026-11-21T00:00:00Z', { resolved_sha: 'ABCDEF1234567' });
    expect((out.benchmarks[0].test_data_ref as { resolved_sha?: string }).resolved_sha).toBe('abcdef1234567');
    expect((out.config.benchmarks![0].test_data_ref as { resolved_sha?: string }).resolved_sha).toBe('abcdef1234567');
  });

  it('is ignored when malformed or when the benchmark has no git data', () => {
    expect(applyBenchmarkEvent(gitJob(), ev(0), 'now', { resolved_sha: 'not-a-sha' }).benchmarks[0].test_data_ref).not.toHaveProperty('resolved_sha');
    expect(applyBenchmarkEvent(gitJob(), ev(1), 'now', { resolved_sha: 'abcdef1' }).benchmarks[1].test_data_ref).toBeUndefined();
  });
});
