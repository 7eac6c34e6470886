import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { ApiError } from '../core/errors/api-error';
import { RequestContext } from '../core/http/request-context';
import { capBytes, LogQuery, logStreamPages } from '../core/logs/job-logs';
import { REDIS } from '../core/redis/redis.provider';
import { RedisKeys } from '../core/redis/redis-keys';
import { JOB_RUNTIME, JobRuntime } from '../core/runtime/job-runtime';
import { assertKnownParams, once, parseBool } from '../domain/filters';
import { JobRecord } from '../domain/types';
import { EvaluationsService } from './evaluations.service';

const LOG_PARAMS = ['tail_lines', 'since_seconds', 'timestamps'] as const;
/** Ten years: further back than any log line (and within what a stream id can hold). */
export const MAX_SINCE_SECONDS = 10 * 365 * 24 * 3600;

/**
 * A job's logs as the logs routes send them: each run unit's lines from its Redis stream, or from
 * the runtime where the unit ran elsewhere (a Kubernetes pod's adapter container), with headers
 * when the whole job is asked, streamed page by page up to the size cap.
 */
@Injectable()
export class JobLogsService {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly keys: RedisKeys,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly cfg: AppConfig,
    @Optional() @Inject(JOB_RUNTIME) private readonly runtime?: JobRuntime,
  ) {}

  async logs(
    id: string,
    benchmarkIndex: string | undefined,
    query: Record<string, string | string[] | undefined>,
    caller: RequestContext,
  ): Promise<JobLogs> {
    assertKnownParams(query, LOG_PARAMS);
    const q = parseLogQuery(query);
    const job = await this.evaluations.get(id, caller);
    let indexes = job.benchmarks.map((_, i) => i);
    if (benchmarkIndex !== undefined) {
      const i = /^\d+$/.test(benchmarkIndex) ? Number(benchmarkIndex) : NaN;
      if (!Number.isInteger(i) || i >= job.benchmarks.length) {
        throw new ApiError('query_parameter_invalid', `The benchmark index '${benchmarkIndex}' is not valid for job ${id} (0..${job.benchmarks.length - 1}).`);
      }
      indexes = [i];
    }
    const units = (job.runs ?? []).filter((r) => r.indexes.some((i) => indexes.includes(i)));
    // Checks are done; the text itself is produced while it is sent, page by page, up to the cap.
    const out: JobLogs = { chunks: capBytes(this.logText(job, units, indexes, q, benchmarkIndex === undefined), this.cfg.maxLogResponseBytes, () => (out.truncated = true)), truncated: false };
    return out;
  }

  private async *logText(job: JobRecord, units: NonNullable<JobRecord['runs']>, indexes: number[], q: LogQuery, all: boolean): AsyncGenerator<string> {
    for (const unit of units) {
      const external = await this.runtime?.unitLogs(job, unit, unit.indexes.filter((i) => indexes.includes(i)), q, all);
      if (external) {
        if (external.length) yield external.join('\n') + '\n';
        continue;
      }
      if (all) {
        const names = unit.indexes.map((i) => job.benchmarks[i].id).join(',');
        yield `=== run=${unit.key} executor=${unit.executor} benchmark_id=${names} ===\n`;
      }
      for await (const page of logStreamPages(this.redis, this.keys.logStream(job.resource.id, unit.key), q)) yield page.join('\n') + '\n';
    }
  }
}

/** A log answer: its bytes, streamed, and whether the size cap cut them (known once sent). */
export interface JobLogs {
  chunks: AsyncIterable<Buffer>;
  truncated: boolean;
}

export function parseLogQuery(query: Record<string, string | string[] | undefined>): LogQuery {
  const tailRaw = once('tail_lines', query.tail_lines);
  let tailLines = 1000;
  if (tailRaw !== undefined) {
    const n = /^-?\d+$/.test(tailRaw) ? Number(tailRaw) : NaN;
    if (!(n === -1 || (n >= 1 && n <= 10000))) {
      throw new ApiError('query_parameter_invalid', `tail_lines must be -1 (all) or between 1 and 10000, got '${tailRaw}'.`);
    }
    tailLines = n;
  }
  const sinceRaw = once('since_seconds', query.since_seconds);
  let sinceSeconds: number | undefined;
  if (sinceRaw !== undefined) {
    const n = /^\d+$/.test(sinceRaw) ? Number(sinceRaw) : NaN;
    if (!(n >= 1 && n <= MAX_SINCE_SECONDS)) throw new ApiError('query_parameter_invalid', `since_seconds must be a whole number from 1 to ${MAX_SINCE_SECONDS}, got '${sinceRaw}'.`);
    sinceSeconds = n;
  }
  return { tailLines, sinceSeconds, timestamps: parseBool('timestamps', once('timestamps', query.timestamps), false) };
}
