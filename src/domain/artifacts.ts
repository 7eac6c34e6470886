import { BenchmarkResult } from './types';

// Which files a benchmark's result names, and how the API shows them: a result keeps server paths
// (the worker's disk), a reader gets download links. Names are file names only, so a request can
// only ever pick one of the files the result lists.

export interface ArtifactFile {
  /** File name: unique within the benchmark, the last segment of its download URL. */
  name: string;
  /** The result key(s) that name it (`lm_eval.samples`, `logs`, …). */
  keys: string[];
  /** Where the worker wrote it. */
  path: string;
}

function isServerPath(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && v.length < 4096;
}

/**
 * A file the worker wrote for this job: under its job folder (`…/jobs/<id>/…`). Other absolute
 * paths (an adapter pod's own disk, a shared volume) are shown as reported.
 */
function isJobPath(jobId: string, v: unknown): v is string {
  return isServerPath(v) && v.includes(`/jobs/${jobId}/`) && !v.split('/').includes('..');
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The files of a result: every artifact value that is a file of the job's folder, and the run log. */
export function artifactFiles(jobId: string, result: Pick<BenchmarkResult, 'artifacts' | 'logs_path'> | undefined): ArtifactFile[] {
  const byName = new Map<string, ArtifactFile>();
  const add = (key: string, p: unknown) => {
    if (!isJobPath(jobId, p)) return;
    const name = baseName(p);
    if (!name || name === '.' || name === '..') return;
    const known = byName.get(name);
    if (known) known.keys.push(key);
    else byName.set(name, { name, keys: [key], path: p });
  };
  const artifacts = result?.artifacts;
  if (artifacts && typeof artifacts === 'object' && !Array.isArray(artifacts)) for (const [k, v] of Object.entries(artifacts)) add(k, v);
  add('logs', result?.logs_path);
  return [...byName.values()];
}

export function artifactsUrl(jobId: string, index: number): string {
  return `/api/v1/evaluations/jobs/${encodeURIComponent(jobId)}/benchmarks/${index}/artifacts`;
}

export function artifactUrl(jobId: string, index: number, name: string): string {
  return `${artifactsUrl(jobId, index)}/${encodeURIComponent(name)}`;
}

/**
 * A result as readers see it: server paths in `artifacts` replaced by their download links, and
 * `logs_path` by the benchmark's logs route.
 */
export function withArtifactLinks(jobId: string, result: BenchmarkResult): BenchmarkResult & { artifacts_url: string } {
  const out: BenchmarkResult & { artifacts_url: string } = { ...result, artifacts_url: artifactsUrl(jobId, result.benchmark_index) };
  if (isJobPath(jobId, result.logs_path)) out.logs_path = `/api/v1/evaluations/jobs/${encodeURIComponent(jobId)}/benchmarks/${result.benchmark_index}/logs`;
  const artifacts = result.artifacts;
  if (artifacts && typeof artifacts === 'object' && !Array.isArray(artifacts)) {
    out.artifacts = Object.fromEntries(Object.entries(artifacts).map(([k, v]) => [k, isJobPath(jobId, v) ? artifactUrl(jobId, result.benchmark_index, baseName(v)) : v]));
  }
  return out;
}

const MEDIA_TYPES: [RegExp, string][] = [
  [/\.json$/i, 'application/json'],
  [/\.jsonl$/i, 'application/x-ndjson'],
  [/\.html?$/i, 'text/html'],
  [/\.csv$/i, 'text/csv'],
  [/\.(log|txt|md)$/i, 'text/plain'],
  [/\.ya?ml$/i, 'application/yaml'],
  [/\.parquet$/i, 'application/vnd.apache.parquet'],
];

export function mediaType(name: string): string {
  return MEDIA_TYPES.find(([re]) => re.test(name))?.[1] ?? 'application/octet-stream';
}
