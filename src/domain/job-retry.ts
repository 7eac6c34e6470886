import { DomainError } from './errors';
import { isTerminalBenchmarkState, isTerminalJobState } from './job-state';
import { BenchmarkStatus, JobRecord, MessageInfo } from './types';

// Retry of what failed: a finished job's failed and cancelled benchmarks run again in place. The
// completed ones keep their results; the job goes back to pending and ends with a new overall
// state. Each retry adds new run units (new queue ids), and keeps the old ones for their logs.

type RunUnit = NonNullable<JobRecord['runs']>[number];

export function retryableIndexes(job: JobRecord): number[] {
  const byIndex = new Map(job.status.benchmarks.map((b) => [b.benchmark_index, b.status]));
  return job.benchmarks.map((_, i) => i).filter((i) => {
    const s = byIndex.get(i);
    return s === 'failed' || s === 'cancelled' || s === undefined || !isTerminalBenchmarkState(s);
  });
}

/** The job ready to run its failed benchmarks again (or only `only` of them), and the units to queue for them. */
export function retryFailedBenchmarks(job: JobRecord, now: string, only?: number[]): { job: JobRecord; units: RunUnit[] } {
  if (!isTerminalJobState(job.status.state)) {
    throw new DomainError('job_not_finished', `The job ${job.resource.id} is '${job.status.state}': only a finished job can be retried.`);
  }
  const indexes = retryableIndexes(job).filter((i) => !only || only.includes(i));
  if (indexes.length === 0) throw new DomainError('nothing_to_retry', `Every benchmark of job ${job.resource.id} completed: there is nothing to retry.`);
  const attempt = (job.retry_attempt ?? 0) + 1;
  const retry = new Set(indexes);

  // The latest unit that ran each retried benchmark decides how it runs again (same executor,
  // same grouping): one new unit per such unit, with only the benchmarks to retry.
  const latest = new Map<number, RunUnit>();
  for (const unit of job.runs ?? []) for (const i of unit.indexes) latest.set(i, unit);
  const units = new Map<string, RunUnit>();
  for (const i of indexes) {
    const from = latest.get(i);
    if (!from) continue;
    const base = from.key.replace(/-r\d+$/, '');
    const key = `${base}-r${attempt}`;
    const unit = units.get(key) ?? { key, executor: from.executor, indexes: [], attempt };
    unit.indexes.push(i);
    units.set(key, unit);
  }
  const message: MessageInfo = {
    message: `Retrying ${indexes.length} failed or cancelled benchmark${indexes.length === 1 ? '' : 's'} (attempt ${attempt + 1})`,
    message_code: 'evaluation_job_retry',
    message_origin: 'server',
  };
  const statuses: BenchmarkStatus[] = job.benchmarks.map((b, i) => {
    const current = job.status.benchmarks.find((s) => s.benchmark_index === i);
    return retry.has(i) || !current ? { provider_id: b.provider_id, id: b.id, benchmark_index: i, status: 'pending' } : current;
  });
  const { test: _test, ...results } = job.results;
  return {
    job: {
      ...job,
      resource: { ...job.resource, updated_at: now },
      status: { state: 'pending', message, benchmarks: statuses },
      results: { ...results, ...(results.benchmarks ? { benchmarks: results.benchmarks.filter((r) => !retry.has(r.benchmark_index)) } : {}) },
      runs: [...(job.runs ?? []), ...units.values()],
      retry_attempt: attempt,
      // The job's MLflow run is written again when the retry ends.
      ...(job.tracking ? { tracking: { ...job.tracking, state: 'pending' as const } } : {}),
    },
    units: [...units.values()],
  };
}

/** Failures worth an automatic retry: the model endpoint or a remote service was away, a worker was lost. */
const TRANSIENT_CODES = new Set(['model_endpoint_unreachable', 'model_endpoint_failed', 'nemo_evaluator_unreachable', 'kfp_unreachable', 'run_failed']);
const TRANSIENT_TEXT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|connection (refused|reset)|failed after \d+ attempts|\b(502|503|504|429)\b|not reachable|unreachable/i;

export function isTransientFailure(message: MessageInfo | undefined): boolean {
  if (!message) return false;
  return TRANSIENT_CODES.has(message.message_code) || TRANSIENT_TEXT.test(message.message);
}

/** The failed benchmarks of a finished job whose failure looks transient. */
export function transientFailures(job: JobRecord): number[] {
  return job.status.benchmarks.filter((b) => b.status === 'failed' && isTransientFailure(b.error_message)).map((b) => b.benchmark_index);
}

export interface AutoRetryPolicy {
  maxAttempts: number;
  backoffSeconds: number;
}

/**
 * Whether a job that just finished gets an automatic retry, and after how long: only transient
 * failures, at most `maxAttempts` times (retries by hand count too), the wait doubling each time.
 */
export function autoRetryPlan(job: JobRecord, policy: AutoRetryPolicy): { attempt: number; delayMs: number; indexes: number[] } | undefined {
  if (!isTerminalJobState(job.status.state) || job.status.state === 'cancelled') return undefined;
  const done = job.retry_attempt ?? 0;
  if (done >= policy.maxAttempts) return undefined;
  const indexes = transientFailures(job);
  if (indexes.length === 0) return undefined;
  return { attempt: done + 1, delayMs: policy.backoffSeconds * 1000 * 2 ** done, indexes };
}
