import { DomainError } from './errors';
import { autoRetryPlan, isTransientFailure, retryFailedBenchmarks } from './job-retry';
import { JobRecord } from './types';

function job(state: string, statuses: string[], runs = [{ key: 'g0', executor: 'lm_evaluation_harness', indexes: [0, 1] }, { key: 'b2', executor: 'local-process', indexes: [2] }]): JobRecord {
  return {
    resource: { id: 'j', created_at: 't0', updated_at: 't0' },
    config: { name: 'j', model: { url: 'http://m', name: 'm' } },
    benchmarks: statuses.map((_, i) => ({ id: `b${i}`, provider_id: 'p' })),
    status: { state, benchmarks: statuses.map((s, i) => ({ provider_id: 'p', id: `b${i}`, benchmark_index: i, status: s })) },
    results: { benchmarks: statuses.map((s, i) => ({ provider_id: 'p', id: `b${i}`, benchmark_index: i, metrics: { acc: i } })).filter((_, i) => statuses[i] === 'completed'), test: { score: 0.5, threshold: 0.5, pass: true } },
    runs,
    tracking: { state: 'synced' },
  } as unknown as JobRecord;
}

describe('retry of what failed', () => {
  it('resets only the failed and cancelled benchmarks, keeps the completed results, and plans new units for them', () => {
    const { job: after, units } = retryFailedBenchmarks(job('partially_failed', ['completed', 'failed', 'cancelled']), 't1');
    expect(after.status.state).toBe('pending');
    expect(after.status.message).toMatchObject({ message_code: 'evaluation_job_retry', message: 'Retrying 2 failed or cancelled benchmarks (attempt 2)' });
    expect(after.status.benchmarks.map((b) => b.status)).toEqual(['completed', 'pending', 'pending']);
    expect(after.results.benchmarks!.map((r) => r.benchmark_index)).toEqual([0]);
    expect(after.results.test).toBeUndefined();
    expect(units).toEqual([
      { key: 'g0-r1', executor: 'lm_evaluation_harness', indexes: [1], attempt: 1 },
      { key: 'b2-r1', executor: 'local-process', indexes: [2], attempt: 1 },
    ]);
    // Old units stay (their logs), the new ones are added; MLflow writes the job again at its end.
    expect(after.runs!.map((u) => u.key)).toEqual(['g0', 'b2', 'g0-r1', 'b2-r1']);
    expect(after.retry_attempt).toBe(1);
    expect(after.tracking?.state).toBe('pending');
  });

  it('a second retry uses the latest units and a new attempt number', () => {
    const first = retryFailedBenchmarks(job('failed', ['failed', 'failed', 'completed']), 't1').job;
    const failedAgain = { ...first, status: { ...first.status, state: 'partially_failed', benchmarks: first.status.benchmarks.map((b) => (b.benchmark_index === 1 ? { ...b, status: 'failed' as const } : { ...b, status: 'completed' as const })) } } as JobRecord;
    const { units } = retryFailedBenchmarks(failedAgain, 't2');
    expect(units).toEqual([{ key: 'g0-r2', executor: 'lm_evaluation_harness', indexes: [1], attempt: 2 }]);
  });

  it('refuses a running job and a job with nothing to retry', () => {
    expect(() => retryFailedBenchmarks(job('running', ['completed', 'running', 'pending']), 't')).toThrow(new DomainError('job_not_finished', "The job j is 'running': only a finished job can be retried."));
    expect(() => retryFailedBenchmarks(job('completed', ['completed', 'completed', 'completed']), 't')).toThrow(/nothing to retry/);
  });

  it('retries automatically only transient failures, a bounded number of times, the wait doubling', () => {
    const failedJob = (attempt: number, messages: { code: string; text: string }[]) =>
      ({
        ...job('partially_failed', ['completed', ...messages.map(() => 'failed')]),
        retry_attempt: attempt,
        status: {
          state: 'partially_failed',
          benchmarks: [
            { provider_id: 'p', id: 'b0', benchmark_index: 0, status: 'completed' },
            ...messages.map((m, i) => ({ provider_id: 'p', id: `b${i + 1}`, benchmark_index: i + 1, status: 'failed', error_message: { message: m.text, message_code: m.code } })),
          ],
        },
      }) as unknown as JobRecord;
    const transient = { code: 'lm_eval_failed', text: 'lm-eval exited with code 1: [gateway] the model endpoint http://m:80 failed after 4 attempts: ECONNREFUSED' };
    const permanent = { code: 'lighteval_task_unsupported', text: 'the task needs log-likelihood' };
    expect(autoRetryPlan(failedJob(0, [transient, permanent]), { maxAttempts: 2, backoffSeconds: 10 })).toEqual({ attempt: 1, delayMs: 10_000, indexes: [1] });
    expect(autoRetryPlan(failedJob(1, [transient]), { maxAttempts: 2, backoffSeconds: 10 })).toEqual({ attempt: 2, delayMs: 20_000, indexes: [1] });
    expect(autoRetryPlan(failedJob(2, [transient]), { maxAttempts: 2, backoffSeconds: 10 })).toBeUndefined();
    expect(autoRetryPlan(failedJob(0, [permanent]), { maxAttempts: 2, backoffSeconds: 10 })).toBeUndefined();
    expect(autoRetryPlan(failedJob(0, [transient]), { maxAttempts: 0, backoffSeconds: 10 })).toBeUndefined();
    expect(isTransientFailure({ message: 'x', message_code: 'model_endpoint_unreachable' })).toBe(true);
    // Only what failed transiently runs again; others keep their result.
    expect(retryFailedBenchmarks(failedJob(0, [transient, permanent]), 't', [1]).units.flatMap((u) => u.indexes)).toEqual([1]);
  });
});
