import * as fs from 'fs';
import { JobSpec } from '../domain/job-spec';

/** Where an adapter finds its JobSpec: EVALHUB_JOB_SPEC_PATH, else the mount Kubernetes uses. */
export function jobSpecPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.EVALHUB_JOB_SPEC_PATH || '/meta/job.json';
}

export class JobSpecError extends Error {}

/** Reads and checks the JobSpec; every problem named, so a bad pipeline parameter is obvious. */
export function readJobSpec(file: string): JobSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new JobSpecError(`cannot read the JobSpec at ${file}: ${(e as Error).message}`);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new JobSpecError(`the JobSpec at ${file} is not JSON: ${(e as Error).message}`);
  }
  const problems = jobSpecProblems(spec);
  if (problems.length) throw new JobSpecError(`the JobSpec at ${file} is not valid: ${problems.join('; ')}`);
  return spec as JobSpec;
}

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
  return problems;
}
