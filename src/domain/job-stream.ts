import { isTerminalJobState, jobPercent } from './job-state';
import { withArtifactLinks } from './artifacts';
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
  /** Overall percent done (0–100). */
  percent: number;
  results?: JobRecord['results'];
}

export function jobSnapshot(job: JobRecord): JobSnapshot {
  return {
    id: job.resource.id,
    updated_at: job.resource.updated_at,
    state: job.status.state,
    message: job.status.message,
    benchmarks: job.status.benchmarks,
    percent: jobPercent(job),
    // Results as readers see them: files as download links, not the worker's paths.
    ...(isTerminalJobState(job.status.state) ? { results: { ...job.results, ...(job.results.benchmarks ? { benchmarks: job.results.benchmarks.map((r) => withArtifactLinks(job.resource.id, r)) } : {}) } } : {}),
  };
}

/** One entry of the all-jobs stream: enough for a list view to refresh one row. */
export interface JobChangeEntry {
  id: string;
  tenant?: string;
  name: string;
  state: JobRecord['status']['state'];
  percent: number;
  updated_at?: string;
}

export function jobChangeEntry(job: JobRecord): JobChangeEntry {
  return { id: job.resource.id, ...(job.resource.tenant ? { tenant: job.resource.tenant } : {}), name: job.config.name, state: job.status.state, percent: jobPercent(job), updated_at: job.resource.updated_at };
}

/**
 * An event id as SSE's Last-Event-ID may carry it: a stream entry id (`<ms>-<seq>`), or with log
 * lines one per stream read (`<job>_<unit 1>_…`); anything else is no id.
 */
export function streamEntryId(raw: unknown): string | undefined {
  return typeof raw === 'string' && raw.length <= 2000 && /^\d{1,16}-\d{1,16}(_\d{1,16}-\d{1,16})*$/.test(raw) ? raw : undefined;
}

/** The cursors of `count` streams from an event id (missing ones start at the beginning). */
export function streamCursors(id: string | undefined, count: number): string[] {
  const parts = id ? id.split('_') : [];
  return Array.from({ length: count }, (_, i) => parts[i] ?? '0');
}

/** Orders entry ids (`<ms>-<seq>`) as Redis does. */
export function compareEntryIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/** One log line in the job stream (opt-in): which run unit wrote it, for which benchmarks, when. */
export interface JobLogLine {
  unit: string;
  benchmark_indexes: number[];
  time: string;
  line: string;
}
