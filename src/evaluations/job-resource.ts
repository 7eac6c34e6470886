import { backfillMetricsSchema, jobPercent } from '../domain/job-state';
import { withArtifactLinks } from '../domain/artifacts';
import { BenchmarkResult, BenchmarkStatus, JobRecord } from '../domain/types';

export interface ResourceLinks {
  /** Benchmarks waiting for a worker, by index: their place in the queue (single-job reads). */
  queuePlaces?: Map<number, number>;
  /** Seconds until a unit at a queue place likely starts, when recent run times are known. */
  queueEta?: (place: number) => number;
  /** The tracking UI's page of a run, when tracking is on. */
  runUrl?: (experimentId: string, runId: string) => string;
}

/**
 * The API shape of a job (§2.5): resource, status, results, and the submitted config flat beside
 * them. Metric schemas are completed on the way out, files are download links (not the worker's
 * paths), recorded runs link to MLflow. With queue places, benchmarks still waiting for a worker
 * are listed as pending with their place.
 */
export function toJobResource(job: JobRecord, links: ResourceLinks = {}): Record<string, unknown> {
  const queuePlaces = links.queuePlaces;
  const results = { ...job.results };
  if (results.benchmarks) results.benchmarks = results.benchmarks.map((r) => shownResult(job, r, links));
  const out: Record<string, unknown> = {
    resource: job.resource,
    status: { state: job.status.state, message: job.status.message ?? null, benchmarks: withQueuePlaces(job, queuePlaces, links.queueEta), percent: jobPercent(job) },
    results,
    ...job.config,
  };
  if (job.tracking) out.tracking = { state: job.tracking.state, ...(job.tracking.last_error ? { last_error: job.tracking.last_error } : {}) };
  return out;
}

function withQueuePlaces(job: JobRecord, places: Map<number, number> | undefined, eta?: (place: number) => number): BenchmarkStatus[] {
  if (!places?.size) return job.status.benchmarks;
  const waiting = (place: number) => ({ queue_position: place, ...(eta ? { queue_eta_seconds: eta(place) } : {}) });
  const listed = job.status.benchmarks.map((b) => (b.status === 'pending' && places.has(b.benchmark_index) ? { ...b, ...waiting(places.get(b.benchmark_index)!) } : b));
  const known = new Set(listed.map((b) => b.benchmark_index));
  for (const [index, place] of [...places].sort((a, b) => a[0] - b[0])) {
    const b = job.benchmarks[index];
    if (b && !known.has(index)) listed.push({ provider_id: b.provider_id, id: b.id, benchmark_index: index, status: 'pending', ...waiting(place) });
  }
  return listed;
}

function shownResult(job: JobRecord, r: BenchmarkResult, links: ResourceLinks): BenchmarkResult {
  const shown: BenchmarkResult & { mlflow_run_url?: string } = withArtifactLinks(job.resource.id, backfillMetricsSchema(r));
  // Only runs EvalHub recorded: an event's mlflow_run_id is not checked against the experiment.
  const runId = job.tracking?.benchmark_runs?.[String(r.benchmark_index)];
  const experiment = job.resource.mlflow_experiment_id;
  if (links.runUrl && runId && experiment) shown.mlflow_run_url = links.runUrl(experiment, runId);
  return shown;
}
