import { isTerminalJobState } from './job-state';
import { JobRecord } from './types';

/**
 * What the live stream of a job carries at each write of the job: its status (state, message,
 * every benchmark's status, phase and progress) and, once it is terminal, its results. Equal
 * consecutive snapshots are not repeated by the stream reader.
 */
export interface JobSnapshot {
  id: string;
  updated_at?: string;
  state: JobRecord['status']['state'];
  message: JobRecord['status']['message'];
  benchmarks: JobRecord['status']['benchmarks'];
  results?: JobRecord['results'];
}

export function jobSnapshot(job: JobRecord): JobSnapshot {
  return {
    id: job.resource.id,
    updated_at: job.resource.updated_at,
    state: job.status.state,
    message: job.status.message,
    benchmarks: job.status.benchmarks,
    ...(isTerminalJobState(job.status.state) ? { results: job.results } : {}),
  };
}

/** One entry of the all-jobs stream: enough for a list view to refresh one row. */
export interface JobChangeEntry {
  id: string;
  tenant?: string;
  name: string;
  state: JobRecord['status']['state'];
  updated_at?: string;
}

export function jobChangeEntry(job: JobRecord): JobChangeEntry {
  return { id: job.resource.id, ...(job.resource.tenant ? { tenant: job.resource.tenant } : {}), name: job.config.name, state: job.status.state, updated_at: job.resource.updated_at };
}

/** A stream entry id (`<ms>-<seq>`) as SSE's Last-Event-ID may carry it; anything else is no id. */
export function streamEntryId(raw: unknown): string | undefined {
  return typeof raw === 'string' && /^\d{1,16}-\d{1,16}$/.test(raw) ? raw : undefined;
}
