import { DomainError } from './errors';
import { benchmarkTest, effectivePrimaryScore, effectiveThreshold, jobTestFor } from './scoring';
import { metricStatistics } from './uncertainty';
import {
  BenchmarkResult,
  BenchmarkState,
  BenchmarkStatus,
  BenchmarkStatusEvent,
  JobRecord,
  JobState,
  MessageInfo,
  ModelUsage,
  ResolvedBenchmark,
  TERMINAL_JOB_STATES,
} from './types';

const TERMINAL_BENCHMARK_STATES: readonly BenchmarkState[] = ['completed', 'failed', 'cancelled'];

export function isTerminalJobState(s: JobState): boolean {
  return TERMINAL_JOB_STATES.includes(s);
}

export function isTerminalBenchmarkState(s: BenchmarkState): boolean {
  return TERMINAL_BENCHMARK_STATES.includes(s);
}

function serverMessage(message: string, code: string): MessageInfo {
  return { message, message_code: code, message_origin: 'server' };
}

function failureLines(statuses: BenchmarkStatus[], include: BenchmarkState[]): string {
  return statuses
    .filter((b) => include.includes(b.status))
    .map((b) => `Benchmark ${b.id} ${b.status === 'cancelled' ? 'was cancelled' : 'failed'} with message: ${b.error_message?.message ?? 'no message'}\n`)
    .join('');
}

/**
 * Overall job state from its benchmark statuses (evalhub-api-v1 §2.6). `total` is the number of
 * resolved benchmarks; statuses only hold benchmarks that have reported.
 */
export function overallState(total: number, statuses: BenchmarkStatus[]): { state: JobState; message: MessageInfo } {
  const count = (s: BenchmarkState) => statuses.filter((b) => b.status === s).length;
  const completed = count('completed');
  const failed = count('failed');
  const cancelled = count('cancelled');
  const code = 'evaluation_job_updated';
  if (total > 0 && completed === total) return { state: 'completed', message: serverMessage('Evaluation job is completed', code) };
  if (total > 0 && failed === total)
    return { state: 'failed', message: serverMessage('Evaluation job is failed. \n' + failureLines(statuses, ['failed']), code) };
  if (total > 0 && completed + failed === total)
    return { state: 'partially_failed', message: serverMessage('Some of the benchmarks failed. \n' + failureLines(statuses, ['failed']), code) };
  if (total > 0 && cancelled === total) return { state: 'cancelled', message: serverMessage('Evaluation job is cancelled', code) };
  if (total > 0 && completed + failed + cancelled === total)
    return {
      state: 'partially_failed',
      message: serverMessage('Some of the benchmarks failed or cancelled. \n' + failureLines(statuses, ['failed', 'cancelled']), code),
    };
  if (statuses.some((b) => b.status !== 'pending')) return { state: 'running', message: serverMessage('Evaluation job is running', code) };
  return { state: 'pending', message: serverMessage('Evaluation job is pending', code) };
}

/** Metric schema entries for every metric that has none (numeric by default). */
export function backfillMetricsSchema(r: BenchmarkResult): BenchmarkResult {
  if (!r.metrics) return r;
  const schema = [...(r.metrics_schema ?? [])];
  const known = new Set(schema.map((s) => s.name));
  for (const k of Object.keys(r.metrics)) if (!known.has(k)) schema.push({ name: k, type: 'numeric' });
  return { ...r, metrics_schema: schema };
}

/**
 * Applies one benchmark status event to a job and returns the new record (§3.4). Throws DomainError
 * for a terminal job (409) or an event for a benchmark the job does not have (404).
 */
/**
 * Records the commit a benchmark's git test data resolved to (`job_meta.resolved_sha`, sent by the
 * pod sidecar) on that benchmark's test_data_ref, in the resolved list and in the request as shown.
 */
export function withResolvedSha(job: JobRecord, index: number, sha: unknown): JobRecord {
  if (typeof sha !== 'string' || !/^[0-9a-f]{7,40}$/i.test(sha)) return job;
  const ref = job.benchmarks[index]?.test_data_ref as { git?: unknown; resolved_sha?: string } | undefined;
  if (!ref?.git || ref.resolved_sha === sha) return job;
  const stamp = <T extends { test_data_ref?: unknown }>(b: T): T => ({ ...b, test_data_ref: { ...(b.test_data_ref as object), resolved_sha: sha.toLowerCase() } });
  const requested = job.config.benchmarks?.[index];
  return {
    ...job,
    benchmarks: job.benchmarks.map((b, i) => (i === index ? stamp(b) : b)),
    config: requested?.test_data_ref ? { ...job.config, benchmarks: job.config.benchmarks!.map((b, i) => (i === index ? stamp(b) : b)) } : job.config,
  };
}

export function applyBenchmarkEvent(job: JobRecord, ev: BenchmarkStatusEvent, now: string, meta?: { resolved_sha?: unknown }): JobRecord {
  if (isTerminalJobState(job.status.state)) {
    throw new DomainError(
      'job_can_not_be_updated',
      `The job ${job.resource.id} can not be updated because it is '${job.status.state}'.`,
    );
  }
  const resolved = job.benchmarks[ev.benchmark_index];
  if (!resolved || resolved.id !== ev.id || resolved.provider_id !== ev.provider_id) {
    throw new DomainError(
      'resource_not_found',
      `Invalid Benchmark: the job ${job.resource.id} has no benchmark '${ev.id}' of provider '${ev.provider_id}' at index ${ev.benchmark_index}.`,
    );
  }
  // Checked to belong to this job above; kept even if the event itself changes nothing else.
  if (meta?.resolved_sha !== undefined) job = withResolvedSha(job, ev.benchmark_index, meta.resolved_sha);
  const withOrigin = (m?: MessageInfo): MessageInfo | undefined => (m ? { ...m, message_origin: m.message_origin ?? 'runtime' } : undefined);

  const statuses = [...job.status.benchmarks];
  const pos = statuses.findIndex((b) => b.benchmark_index === ev.benchmark_index);
  const previous = pos >= 0 ? statuses[pos] : undefined;
  // A finished benchmark stays as it finished: no overwrite of its result, no way back. The same
  // terminal report sent twice (a retried callback) changes nothing and is not an error.
  if (previous && isTerminalBenchmarkState(previous.status)) {
    if (previous.status === ev.status && sameResult(job, ev)) return job;
    throw new DomainError(
      'benchmark_already_finished',
      `Benchmark ${ev.id} (index ${ev.benchmark_index}) of job ${job.resource.id} is already '${previous.status}'; its result can not be changed.`,
    );
  }
  const entry: BenchmarkStatus = stripUndefined({
    provider_id: ev.provider_id,
    id: ev.id,
    benchmark_index: ev.benchmark_index,
    status: ev.status,
    phase: ev.phase,
    ...progressFields(ev, previous),
    error_message: withOrigin(ev.error_message),
    warning_message: withOrigin(ev.warning_message),
    started_at: ev.started_at ?? previous?.started_at ?? (ev.status === 'running' ? now : undefined),
    completed_at: ev.completed_at ?? (isTerminalBenchmarkState(ev.status) ? now : undefined),
  });
  if (pos >= 0) statuses[pos] = entry;
  else statuses.push(entry);

  let resultsBenchmarks = job.results.benchmarks ?? [];
  if (ev.status === 'completed' || ev.status === 'failed') {
    // The executor's (over per-sample scores), else what the metrics' own stderrs give.
    const statistics = ev.statistics ?? (ev.status === 'completed' ? metricStatistics(ev.metrics, undefined, sampleCount(ev.additional_info)) : undefined);
    const result: BenchmarkResult = stripUndefined({
      id: ev.id,
      provider_id: ev.provider_id,
      benchmark_index: ev.benchmark_index,
      metrics: ev.metrics,
      metrics_schema: ev.metrics_schema,
      additional_info: ev.additional_info,
      artifacts: ev.artifacts,
      mlflow_run_id: ev.mlflow_run_id,
      logs_path: ev.logs_path,
      test: ev.status === 'completed' ? benchmarkTest(resolved, ev.metrics, statistics) : undefined,
      statistics: statistics && Object.keys(statistics).length ? statistics : undefined,
      warning_message: ev.status === 'completed' ? missingPrimaryMetric(resolved, ev.metrics) : undefined,
      usage: ev.usage,
    });
    resultsBenchmarks = [...resultsBenchmarks.filter((r) => r.benchmark_index !== ev.benchmark_index), result].sort(
      (a, b) => a.benchmark_index - b.benchmark_index,
    );
  }

  const overall = overallState(job.benchmarks.length, statuses);
  const next: JobRecord = {
    ...job,
    resource: { ...job.resource, updated_at: now },
    status: { state: overall.state, message: overall.message, benchmarks: statuses },
    results: { ...job.results, benchmarks: resultsBenchmarks },
  };
  if (overall.state === 'completed') {
    const test = jobTestFor(next);
    if (test) next.results = { ...next.results, test };
  }
  return next;
}

/**
 * Progress of a benchmark event as stored: a finished benchmark is wholly done (its count kept), a
 * failed one keeps how far it got; no ETA once nothing runs.
 */
function progressFields(ev: BenchmarkStatusEvent, previous: BenchmarkStatus | undefined): Partial<BenchmarkStatus> {
  const counts = { completed_count: ev.completed_count, total_count: ev.total_count, count_unit: ev.count_unit };
  if (ev.status === 'completed') {
    const total = ev.total_count ?? previous?.total_count;
    return { progress: 1, total_count: total, completed_count: total, count_unit: ev.count_unit ?? previous?.count_unit };
  }
  if (isTerminalBenchmarkState(ev.status)) {
    return { progress: ev.progress ?? previous?.progress, completed_count: ev.completed_count ?? previous?.completed_count, total_count: ev.total_count ?? previous?.total_count, count_unit: ev.count_unit ?? previous?.count_unit };
  }
  // A phase report without figures (an executor's own step) keeps the figures reached so far.
  if (ev.progress === undefined && previous?.progress !== undefined) {
    return { progress: previous.progress, completed_count: previous.completed_count, total_count: previous.total_count, count_unit: previous.count_unit };
  }
  return { progress: ev.progress, ...counts, eta_seconds: ev.eta_seconds };
}

/**
 * The job's overall percent: every benchmark weighs the same; finished ones (whatever their end)
 * count in full, running ones by their progress, the rest as nothing yet.
 */
export function jobPercent(job: Pick<JobRecord, 'benchmarks' | 'status'>): number {
  const total = job.benchmarks.length;
  if (total === 0) return isTerminalJobState(job.status.state) ? 100 : 0;
  if (isTerminalJobState(job.status.state)) return 100;
  let done = 0;
  for (const b of job.status.benchmarks) done += isTerminalBenchmarkState(b.status) ? 1 : Math.min(1, Math.max(0, b.progress ?? 0));
  return Math.min(100, Math.floor((100 * done) / total));
}

/** How many samples a result says it evaluated (`num_examples_evaluated`), if it says. */
function sampleCount(info: unknown): number | undefined {
  const n = info && typeof info === 'object' ? (info as Record<string, unknown>).num_examples_evaluated : undefined;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Whether a repeated terminal event carries the result already stored for that benchmark. */
function sameResult(job: JobRecord, ev: BenchmarkStatusEvent): boolean {
  const stored = job.results.benchmarks?.find((r) => r.benchmark_index === ev.benchmark_index);
  return JSON.stringify(stored?.metrics ?? null) === JSON.stringify(ev.metrics ?? null);
}

/**
 * A completed benchmark with a threshold but without its primary metric gets no test; say why,
 * naming the metric expected and the ones reported (usually a provider reporting `acc` where the
 * benchmark's primary metric is `accuracy`).
 */
export function missingPrimaryMetric(b: ResolvedBenchmark, metrics: Record<string, unknown> | undefined): MessageInfo | undefined {
  const primary = effectivePrimaryScore(b);
  if (!primary || effectiveThreshold(b) === undefined) return undefined;
  const value = metrics?.[primary.metric];
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  const reported = Object.keys(metrics ?? {});
  return {
    message: `No test: the primary metric '${primary.metric}' ${value === undefined ? 'is not among the reported metrics' : 'is not a number'} (reported: ${reported.length ? reported.join(', ') : 'none'}).`,
    message_code: 'primary_metric_missing',
    message_origin: 'server',
  };
}

/**
 * Cancels a job (§1.4): every benchmark that has not finished becomes cancelled. Already
 * cancelled is a no-op; another terminal state is a 409.
 */
export function cancelJob(job: JobRecord, now: string): JobRecord {
  if (job.status.state === 'cancelled') return job;
  if (isTerminalJobState(job.status.state)) {
    throw new DomainError('job_can_not_be_updated', `The job ${job.resource.id} can not be cancelled because it is '${job.status.state}'.`);
  }
  const message: MessageInfo = serverMessage('Evaluation job cancelled', 'evaluation_job_cancelled');
  const byIndex = new Map(job.status.benchmarks.map((b) => [b.benchmark_index, b]));
  const statuses: BenchmarkStatus[] = job.status.benchmarks.map((b) =>
    isTerminalBenchmarkState(b.status) ? b : { ...b, status: 'cancelled', error_message: message, completed_at: now },
  );
  job.benchmarks.forEach((b, i) => {
    if (!byIndex.has(i)) {
      statuses.push({ provider_id: b.provider_id, id: b.id, benchmark_index: i, status: 'cancelled', error_message: message, completed_at: now });
    }
  });
  return {
    ...job,
    resource: { ...job.resource, updated_at: now },
    status: { state: 'cancelled', message, benchmarks: statuses },
  };
}

/**
 * Adds the gateway's usage to a benchmark's result after the fact (an adapter reported it without
 * one); a result that has usage already keeps it.
 */
export function withUsage(job: JobRecord, index: number, usage: ModelUsage): JobRecord {
  const results = job.results.benchmarks ?? [];
  if (!results.some((r) => r.benchmark_index === index && !r.usage)) return job;
  return { ...job, results: { ...job.results, benchmarks: results.map((r) => (r.benchmark_index === index && !r.usage ? { ...r, usage } : r)) } };
}

/** Indexes of benchmarks that have not reached a terminal state. */
export function unfinishedIndexes(job: JobRecord, indexes: number[]): number[] {
  const byIndex = new Map(job.status.benchmarks.map((b) => [b.benchmark_index, b.status]));
  return indexes.filter((i) => {
    const s = byIndex.get(i);
    return !s || !isTerminalBenchmarkState(s);
  });
}

export function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
