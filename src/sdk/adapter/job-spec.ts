import * as fs from 'fs';
import type { OCICoordinates } from './oci/persister';

/** The JobSpec file as EvalHub writes it (snake_case, evalhub-api-v1 §3.1). */
export interface JobSpecDocument {
  id: string;
  provider_id: string;
  benchmark_id: string;
  benchmark_index: number;
  model: { url: string; name: string; auth?: { secret_ref: string }; parameters?: Record<string, unknown> };
  num_examples?: number;
  parameters?: Record<string, unknown>;
  experiment_name?: string;
  tags?: { key: string; value: string }[];
  callback_url: string;
  exports?: { oci?: { coordinates: { oci_host: string; oci_repository: string; oci_tag?: string; annotations?: Record<string, string> } } };
}

export class JobSpecError extends Error {}

/** What an adapter is asked to do: one benchmark of one job. */
export class JobSpec {
  readonly id: string;
  readonly providerId: string;
  readonly benchmarkId: string;
  readonly benchmarkIndex: number;
  readonly model: JobSpecDocument['model'];
  readonly numExamples?: number;
  readonly parameters: Record<string, unknown>;
  readonly experimentName?: string;
  readonly tags: { key: string; value: string }[];
  readonly callbackUrl: string;
  /** Where to push artifacts, when the job asks for it. */
  readonly ociExport?: OCICoordinates;

  constructor(readonly document: JobSpecDocument) {
    this.id = document.id;
    this.providerId = document.provider_id;
    this.benchmarkId = document.benchmark_id;
    this.benchmarkIndex = document.benchmark_index;
    this.model = document.model;
    this.numExamples = document.num_examples;
    this.parameters = document.parameters ?? {};
    this.experimentName = document.experiment_name;
    this.tags = document.tags ?? [];
    this.callbackUrl = document.callback_url;
    const c = document.exports?.oci?.coordinates;
    if (c) this.ociExport = { ociHost: c.oci_host, ociRepository: c.oci_repository, ociTag: c.oci_tag, annotations: c.annotations };
  }

  /** Reads and checks the JobSpec: `file`, else EVALHUB_JOB_SPEC_PATH, else /meta/job.json. */
  static fromFile(file?: string, env: NodeJS.ProcessEnv = process.env): JobSpec {
    const where = file ?? (env.EVALHUB_JOB_SPEC_PATH || '/meta/job.json');
    let text: string;
    try {
      text = fs.readFileSync(where, 'utf8');
    } catch (e) {
      throw new JobSpecError(`cannot read the JobSpec at ${where}: ${(e as Error).message} (set EVALHUB_JOB_SPEC_PATH)`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new JobSpecError(`the JobSpec at ${where} is not JSON: ${(e as Error).message}`);
    }
    return JobSpec.parse(doc, where);
  }

  static parse(doc: unknown, where = 'the JobSpec'): JobSpec {
    const problems = jobSpecProblems(doc);
    if (problems.length) throw new JobSpecError(`${where} is not valid: ${problems.join('; ')}`);
    return new JobSpec(doc as JobSpecDocument);
  }
}

/** Every problem of a JobSpec document, named. */
export function jobSpecProblems(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return ['it must be a JSON object'];
  const s = spec as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of ['id', 'provider_id', 'benchmark_id', 'callback_url'] as const) if (typeof s[k] !== 'string' || !s[k]) problems.push(`${k} must be a non-empty string`);
  if (!Number.isInteger(s.benchmark_index) || (s.benchmark_index as number) < 0) problems.push('benchmark_index must be a whole number from 0');
  const model = s.model as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null || typeof model.name !== 'string' || typeof model.url !== 'string') problems.push('model must have a url and a name');
  if (s.parameters !== undefined && (typeof s.parameters !== 'object' || s.parameters === null || Array.isArray(s.parameters))) problems.push('parameters must be an object');
  if (typeof s.callback_url === 'string' && !/^https?:\/\//.test(s.callback_url)) problems.push('callback_url must be an http(s) URL');
  const coords = (s.exports as { oci?: { coordinates?: Record<string, unknown> } } | undefined)?.oci?.coordinates;
  if (coords && (typeof coords.oci_host !== 'string' || typeof coords.oci_repository !== 'string')) problems.push('exports.oci.coordinates needs oci_host and oci_repository');
  return problems;
}
