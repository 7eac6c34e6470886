import { Injectable } from '@nestjs/common';
import { ApiError } from '../core/errors/api-error';
import { applyBenchmarkEvent, isTerminalBenchmarkState } from '../domain/job-state';
import { metricValueErrors } from '../domain/metric-values';
import { BenchmarkStatusEvent, JobRecord } from '../domain/types';
import { GroupCommit, ItemOutcome } from './group-commit';
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

  /** Events of one benchmark of one job, applied in order, one compare-and-set per round. */
  private readonly commits = new GroupCommit<PendingEvent, JobRecord>((_key, items) => this.commit(items[0].jobId, items));

  async apply(jobId: string, ev: BenchmarkStatusEvent, source: 'api' | 'worker', meta?: { resolved_sha?: unknown }): Promise<JobRecord> {
    JobEventsService.checkEvent(ev);
    return this.commits.submit(`${jobId}\u0000${ev.benchmark_index}\u0000${source}`, { jobId, ev, source, meta });
  }

  /**
   * Applies a round of events (one job, one benchmark, one source) in one update. An event the
   * job's state refuses fails alone; the others still apply. Listeners hear of the round once,
   * as one change from the state before it to the state after it.
   */
  private async commit(jobId: string, items: PendingEvent[]): Promise<ItemOutcome<JobRecord>[]> {
    let errors: unknown[] = [];
    const res = await this.jobs.update(jobId, (job) => {
      errors = items.map(() => undefined);
      const now = new Date().toISOString();
      return items.reduce((doc, it, i) => {
        try {
          return applyBenchmarkEvent(doc, it.ev, now, it.meta);
        } catch (e) {
          errors[i] = e;
          return doc;
        }
      }, job);
    });
    if (!res) return items.map(() => ({ ok: false, error: ApiError.notFound('evaluation job', jobId) }));
    const { source, ev } = items[0];
    if (res.after !== res.before) await this.bus.emit({ before: res.before, after: res.after, index: ev.benchmark_index, source });
    // An adapter that reported its end need not be waited for: its worker stops it after a grace.
    const ended = items.some((it, i) => errors[i] === undefined && isTerminalBenchmarkState(it.ev.status));
    if (source === 'api' && ended && res.after !== res.before) {
      await this.control.publishBenchmarkFinished(jobId, ev.benchmark_index).catch(() => undefined);
    }
    return items.map((_, i) => (errors[i] === undefined ? { ok: true, value: res.after } : { ok: false, error: errors[i] }));
  }
}

interface PendingEvent {
  jobId: string;
  ev: BenchmarkStatusEvent;
  source: 'api' | 'worker';
  meta?: { resolved_sha?: unknown };
}
