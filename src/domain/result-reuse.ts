import { createHash } from 'crypto';
import { stableJson } from './stable-json';
import { BenchmarkResult, JobRecord, MessageInfo } from './types';

// Reuse of a completed benchmark: one whose model (url, name, parameters), provider, benchmark,
// parameters and test data (with its resolved revision) are the same as an earlier completed
// one of the same tenant can take that result over instead of running. Plain functions.

/** What makes two benchmark runs the same question to the same model. */
export function reuseFingerprint(job: JobRecord, index: number): string {
  const b = job.benchmarks[index];
  const m = job.config.model;
  return createHash('sha256')
    .update(stableJson({ model: { url: m.url ?? null, name: m.name, parameters: m.parameters ?? null }, provider: b.provider_id, benchmark: b.id, parameters: b.parameters ?? null, data: b.test_data_ref ?? null }))
    .digest('hex');
}

/** Where a reusable result is: its job, index and when it completed. */
export interface ReuseSource {
  job_id: string;
  benchmark_index: number;
  completed_at: string;
}

export function encodeSource(s: ReuseSource): string {
  return JSON.stringify(s);
}

export function decodeSource(raw: string | null | undefined): ReuseSource | undefined {
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw) as ReuseSource;
    return typeof s.job_id === 'string' && Number.isInteger(s.benchmark_index) && typeof s.completed_at === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the job asks for reuse: its own `reuse`, else the deployment's default. */
export function wantsReuse(job: JobRecord, deploymentDefault: boolean): boolean {
  return job.config.reuse ?? deploymentDefault;
}

/**
 * The completed event that takes `source`'s result over: its metrics and statistics, marked with
 * where they came from. Files stay with the earlier job (links to them would cross jobs).
 */
export function reusedEvent(result: BenchmarkResult, source: ReuseSource): { status: 'completed'; metrics?: Record<string, unknown>; metrics_schema?: BenchmarkResult['metrics_schema']; statistics?: BenchmarkResult['statistics']; additional_info: Record<string, unknown>; warning_message: MessageInfo } {
  return {
    status: 'completed',
    ...(result.metrics ? { metrics: result.metrics } : {}),
    ...(result.metrics_schema ? { metrics_schema: result.metrics_schema } : {}),
    ...(result.statistics ? { statistics: result.statistics } : {}),
    additional_info: { ...((result.additional_info as Record<string, unknown> | undefined) ?? {}), reused_from: source },
    warning_message: {
      message: `Not run: the result of job ${source.job_id} (benchmark ${source.benchmark_index}, completed ${source.completed_at}) was reused; its files are with that job.`,
      message_code: 'result_reused',
      message_origin: 'server',
    },
  };
}
