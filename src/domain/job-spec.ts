import { JobRecord } from './types';

/** The file an adapter reads at EVALHUB_JOB_SPEC_PATH (§3.1): one per benchmark. */
export interface JobSpec {
  id: string;
  provider_id: string;
  benchmark_id: string;
  benchmark_index: number;
  model: { url: string; name: string; auth?: { secret_ref: string }; parameters?: Record<string, unknown>; card_url?: string };
  num_examples?: number;
  parameters: Record<string, unknown>;
  experiment_name?: string;
  tags?: { key: string; value: string }[];
  callback_url: string;
  exports?: { oci?: { coordinates: Record<string, unknown> } };
}

export function buildJobSpec(job: JobRecord, index: number, callbackUrl: string, modelUrl?: string): JobSpec {
  const b = job.benchmarks[index];
  const { num_examples, ...parameters } = (b.parameters ?? {}) as Record<string, unknown>;
  const model = job.config.model;
  const spec: JobSpec = {
    id: job.resource.id,
    provider_id: b.provider_id,
    benchmark_id: b.id,
    benchmark_index: index,
    model: { url: modelUrl ?? model.url ?? '', name: model.name },
    parameters,
    callback_url: callbackUrl,
  };
  if (model.auth) spec.model.auth = model.auth;
  if (model.parameters) spec.model.parameters = model.parameters;
  if (model.card_url) spec.model.card_url = model.card_url;
  const n = typeof num_examples === 'string' ? Number(num_examples) : num_examples;
  if (typeof n === 'number' && Number.isInteger(n)) spec.num_examples = n;
  if (job.config.experiment?.name) {
    spec.experiment_name = job.config.experiment.name;
    if (job.config.experiment.tags?.length) spec.tags = job.config.experiment.tags;
  }
  const oci = (job.config.exports as { oci?: { coordinates?: Record<string, unknown> } } | undefined)?.oci?.coordinates;
  if (oci) spec.exports = { oci: { coordinates: oci } };
  return spec;
}
