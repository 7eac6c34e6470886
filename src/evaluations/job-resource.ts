import { backfillMetricsSchema } from '../domain/job-state';
import { JobRecord } from '../domain/types';

/**
 * The API shape of a job (§2.5): resource, status, results, and the submitted config flat beside
 * them. Metric schemas are completed on the way out.
 */
export function toJobResource(job: JobRecord): Record<string, unknown> {
  const results = { ...job.results };
  if (results.benchmarks) results.benchmarks = results.benchmarks.map(backfillMetricsSchema);
  const out: Record<string, unknown> = {
    resource: job.resource,
    status: { state: job.status.state, message: job.status.message ?? null, benchmarks: job.status.benchmarks },
    results,
    ...job.config,
  };
  if (job.tracking) out.tracking = { state: job.tracking.state, ...(job.tracking.last_error ? { last_error: job.tracking.last_error } : {}) };
  return out;
}
