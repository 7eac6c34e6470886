/**
 * What a job runs: a non-empty benchmarks list, a collection, or (our extension) a risk_category,
 * exactly one of them. The texts keep upstream's rule names ('minimum one benchmark',
 * 'benchmarks or collection') because clients and upstream's own tests match on them.
 */
export interface JobSource {
  benchmarks?: unknown[];
  collection?: unknown;
  risk_category?: unknown;
}

/** The validation problem with a job's source, or undefined when it names exactly one. */
export function jobSourceError(job: JobSource): string | undefined {
  const hasBenchmarks = job.benchmarks !== undefined && job.benchmarks.length > 0;
  const hasCollection = job.collection !== undefined && job.collection !== null;
  const hasRisk = job.risk_category !== undefined;
  if (hasRisk && (hasBenchmarks || hasCollection || job.benchmarks !== undefined)) {
    return 'give exactly one of benchmarks, collection or risk_category';
  }
  if (hasRisk) return undefined;
  if (hasCollection) {
    // As upstream: an empty top-level list next to a collection is the same as none.
    return hasBenchmarks ? "benchmarks: a job needs benchmarks or collection, not both ('benchmarks' failed on the 'benchmarks or collection' tag)" : undefined;
  }
  if (job.benchmarks === undefined) {
    return "benchmarks: a job needs benchmarks or collection, and a minimum of one benchmark is needed without a collection ('benchmarks' failed on the 'minimum one benchmark' tag)";
  }
  if (!hasBenchmarks) return "benchmarks: a minimum of one benchmark is needed ('benchmarks' failed on the 'minimum one benchmark' tag)";
  return undefined;
}
