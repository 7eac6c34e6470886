import { backfillMetricsSchema, jobPercent } from '../domain/job-state';
import { BenchmarkStatus, JobRecord } from '../domain/types';

/**
 * The API shape of a job (§2.5): resource, status, results, and the submitted config flat beside
 * them. Metric schemas are completed on the way out. With queue places (a single job's read),
 * benchmarks still waiting for a worker are listed as pending with their place.
 */
export function toJobResource(job: JobRecord, queuePlaces?: Map<number, number>): Record<string, unknown> {
  const results = { ...job.results };
  if (results.benchmarks) results.benchmarks = results.benchmarks.map(backfillMetricsSchema);
  const out: Record<string, unknown> = {
    resource: job.resource,
    status: { state: job.status.state, message: job.status.message ?? null, benchmarks: withQueuePlaces(job, queuePlaces), percent: jobPercent(job) },
    results,
    ...job.config,
  };
  if (job.tracking) out.tracking = { state: job.tracking.state, ...(job.tracking.last_error ? { last_error: job.tracking.last_error } : {}) };
  return out;
}

function withQueuePlaces(job: JobRecord, places: Map<number, number> | undefined): BenchmarkStatus[] {
  if (!places?.size) return job.status.benchmarks;
  const listed = job.status.benchmarks.map((b) => (b.status === 'pending' && places.has(b.benchmark_index) ? { ...b, queue_position: places.get(b.benchmark_index) } : b));
  const known = new Set(listed.map((b) => b.benchmark_index));
  for (const [index, place] of [...places].sort((a, b) => a[0] - b[0])) {
    const b = job.benchmarks[index];
    if (b && !known.has(index)) listed.push({ provider_id: b.provider_id, id: b.id, benchmark_index: index, status: 'pending', queue_position: place });
  }
  return listed;
}
