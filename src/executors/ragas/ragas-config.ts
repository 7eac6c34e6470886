import * as path from 'path';
import { JobRecord, ProviderRecord } from '../../domain/types';
import { openAiBase } from '../backend-run';

/** What the catalog's default RAG suite measures, for benchmarks that list no metrics of their own. */
export const DEFAULT_RAGAS_METRICS = ['faithfulness', 'answer_relevancy', 'context_precision', 'context_recall'];

/** The config file of python/drivers/ragas_eval.py (see its docstring). */
export interface RagasDriverConfig {
  model_url: string;
  model_name: string;
  api_key_env: string;
  embeddings_url: string;
  embeddings_model: string;
  dataset_path: string;
  metrics: string[];
  max_rows?: number;
  output_dir: string;
}

/** The name of the variable the driver reads the model key from (set only in its environment). */
export const RAGAS_KEY_ENV = 'OPENAI_API_KEY';

/**
 * The driver's settings for one benchmark: the job's model judges; embeddings come from the
 * benchmark's or the model's `embeddings_url` / `embeddings_model`, else the model's own
 * endpoint; metrics from the parameter, else the catalog benchmark's list. A relative dataset path
 * is read inside the provider's include_path.
 */
export function ragasDriverConfig(job: JobRecord, index: number, provider: ProviderRecord | undefined, outputDir: string): RagasDriverConfig | { error: string } {
  const b = job.benchmarks[index];
  const params = (b.parameters ?? {}) as Record<string, unknown>;
  const model = job.config.model;
  const modelParams = (model.parameters ?? {}) as Record<string, unknown>;
  const dataset = typeof params.dataset_path === 'string' ? params.dataset_path : undefined;
  if (!dataset) return { error: `benchmark '${b.id}' needs parameters.dataset_path: a JSONL file of question, answer, contexts and reference rows` };
  const base = provider?.runtime?.local?.include_path;
  const datasetPath = path.isAbsolute(dataset) ? dataset : base ? path.resolve(base, dataset) : undefined;
  if (!datasetPath) return { error: `parameters.dataset_path '${dataset}' is relative, but the provider has no runtime.local.include_path to read it in` };
  const catalog = provider?.benchmarks.find((x) => x.id === b.id)?.metrics;
  const metrics = Array.isArray(params.metrics) ? params.metrics.map(String) : typeof params.metrics === 'string' ? params.metrics.split(',').map((m) => m.trim()) : catalog?.length ? catalog : DEFAULT_RAGAS_METRICS;
  const str = (...vs: unknown[]) => vs.find((v): v is string => typeof v === 'string' && v.length > 0);
  const modelUrl = openAiBase(model.url ?? '');
  return {
    model_url: modelUrl,
    model_name: model.name,
    api_key_env: RAGAS_KEY_ENV,
    embeddings_url: openAiBase(str(params.embeddings_url, modelParams.embeddings_url) ?? modelUrl),
    embeddings_model: str(params.embeddings_model, modelParams.embeddings_model) ?? model.name,
    dataset_path: datasetPath,
    metrics,
    ...(typeof params.num_examples === 'number' ? { max_rows: params.num_examples } : {}),
    output_dir: outputDir,
  };
}

/** Rows scored of the total, from the driver's `evalhub-progress done=D total=T` lines. */
export function ragasProgress(line: string): { done: number; total: number } | undefined {
  const m = /^evalhub-progress done=(\d+) total=(\d+)/.exec(line);
  return m && Number(m[2]) > 0 ? { done: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** The driver's one-line reason for a failed run. */
export function ragasError(line: string): string | undefined {
  return /^evalhub-error: /.test(line) ? line.slice('evalhub-error: '.length).trim() : undefined;
}

export interface RagasResults {
  metrics: Record<string, number | null>;
  rows: number;
  scored?: Record<string, number>;
  nan?: Record<string, number>;
  errors?: Record<string, { count: number; first: string }>;
}

/** Means that are numbers become metrics; counts of scored, NaN and failed rows go beside them. */
export function ragasMetrics(r: RagasResults): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.metrics ?? {})) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
