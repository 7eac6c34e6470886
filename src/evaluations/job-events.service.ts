import { Injectable } from '@nestjs/common';
import { ApiError } from '../core/errors/api-error';
import { applyBenchmarkEvent, isTerminalBenchmarkState } from '../domain/job-state';
import { metricValueErrors } from '../domain/metric-values';
import { BenchmarkStatusEvent, JobRecord } from '../domain/types';
import { JobControl } from './job-control';
import { JobEventsBus } from './job-events.bus';
import { JobsRepository } from './jobs.repository';

/** Applies benchmark status events to jobs: from adapters over HTTP and from EvalHub's own executors. */
@Injectable()
export class JobEventsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly bus: JobEventsBus,
    private readonly control: JobControl,
  ) {}

  /** Checks that go beyond field shapes (§3.4 step 1). */
  static checkEvent(ev: BenchmarkStatusEvent): void {
    const bad = metricValueErrors(ev.metrics);
    if (bad.length) throw ApiError.validation(bad.join('; '));
    if (ev.metrics_schema) {
      const names = new Set<string>();
      for (const s of ev.metrics_schema) {
        if (names.has(s.name)) throw ApiError.validation(`metrics_schema: duplicate metric '${s.name}'`);
        names.add(s.name);
        if (!ev.metrics || !(s.name in ev.metrics)) throw ApiError.validation(`metrics_schema: '${s.name}' is not a key of metrics`);
      }
    }
  }

  async apply(jobId: string, ev: BenchmarkStatusEvent, source: 'api' | 'worker', meta?: { resolved_sha?: unknown }): Promise<JobRecord> {
    JobEventsService.checkEvent(ev);
    const res = await this.jobs.update(jobId, (job) => applyBenchmarkEvent(job, ev, new Date().toISOString(), meta));
    if (!res) throw ApiError.notFound('evaluation job', jobId);
    if (res.after !== res.before) await this.bus.emit({ before: res.before, after: res.after, index: ev.benchmark_index, source });
    // An adapter that reported its end need not be waited for: its worker stops it after a grace.
    if (source === 'api' && isTerminalBenchmarkState(ev.status) && res.after !== res.before) {
      await this.control.publishBenchmarkFinished(jobId, ev.benchmark_index).catch(() => undefined);
    }
    return res.after;
  }
}
