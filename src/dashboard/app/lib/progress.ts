// How far a job and each benchmark are, from the status the API sends.
import type { BenchmarkStatus, JobStatus } from '../api/types';

/** A benchmark's share done, 0..1, or undefined when the backend gives no figure. */
export function benchmarkShare(b: BenchmarkStatus): number | undefined {
  if (b.status === 'completed') return 1;
  if (typeof b.progress === 'number' && Number.isFinite(b.progress)) return Math.max(0, Math.min(1, b.progress));
  if (typeof b.completed_count === 'number' && typeof b.total_count === 'number' && b.total_count > 0) return Math.min(1, b.completed_count / b.total_count);
  return undefined;
}

/** The job's percent (0..100): the server's when it sends one, else the mean of its benchmarks. */
export function jobPercent(status: Pick<JobStatus, 'state' | 'benchmarks' | 'percent'>): number {
  if (typeof status.percent === 'number') return status.percent;
  if (status.state === 'completed') return 100;
  const list = status.benchmarks ?? [];
  if (!list.length) return 0;
  const done = list.reduce((sum, b) => sum + (benchmarkShare(b) ?? (b.status === 'failed' || b.status === 'cancelled' ? 1 : 0)), 0);
  return Math.round((done / list.length) * 100);
}

/** "12/40 samples", or undefined when the backend gives no count. */
export function countText(b: BenchmarkStatus): string | undefined {
  if (typeof b.completed_count !== 'number' || typeof b.total_count !== 'number') return undefined;
  return `${b.completed_count}/${b.total_count}${b.count_unit ? ` ${b.count_unit}` : ''}`;
}
