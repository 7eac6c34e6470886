import { JobRecord, LocalRuntime } from '../../domain/types';

/** Benchmark parameters that become lm-eval flags; anything else is passed as task metadata. */
const FLAG_PARAMS: Record<string, string> = {
  num_few_shot: '--num_fewshot',
  num_fewshot: '--num_fewshot',
  num_examples: '--limit',
  limit: '--limit',
  seed: '--seed',
  batch_size: '--batch_size',
  system_instruction: '--system_instruction',
};
const BOOL_PARAMS: Record<string, string> = {
  apply_chat_template: '--apply_chat_template',
  fewshot_as_multiturn: '--fewshot_as_multiturn',
};

export interface LmEvalInvocation {
  args: string[];
  modelType: 'local-completions' | 'local-chat-completions';
  endpoint: string;
  /** Env vars for the process (the API key); kept out of args so it never shows in logs. */
  env: Record<string, string>;
}

/**
 * Which OpenAI-compatible API to call and its full URL: `model.parameters.api` ('chat' or
 * 'completions') wins, else the URL's own path (…/chat/completions, …/completions), else
 * completions under the base URL (log-likelihood tasks need it).
 */
export function resolveEndpoint(url: string, api?: unknown): { modelType: LmEvalInvocation['modelType']; endpoint: string } {
  const trimmed = url.replace(/\/+$/, '');
  const base = trimmed.replace(/\/(chat\/)?completions$/, '');
  const chat = api === 'chat' || (api === undefined && /\/chat\/completions$/.test(trimmed));
  return chat
    ? { modelType: 'local-chat-completions', endpoint: `${base}/chat/completions` }
    : { modelType: 'local-completions', endpoint: `${base}/completions` };
}

function modelArg(v: unknown): string {
  return String(v).replace(/,/g, '\\,');
}

/**
 * The lm-eval command line for some benchmarks of a job that share settings (one process for
 * all of them). Tasks are the benchmark ids.
 */
export function buildLmEvalInvocation(
  job: JobRecord,
  indexes: number[],
  local: LocalRuntime | undefined,
  outputDir: string,
  apiKey: string | undefined,
): LmEvalInvocation {
  const model = job.config.model;
  const modelParams = { ...(model.parameters ?? {}) } as Record<string, unknown>;
  const { modelType, endpoint } = resolveEndpoint(model.url ?? '', modelParams.api);
  const modelArgs: Record<string, unknown> = {
    base_url: endpoint,
    model: model.name,
    max_retries: 3,
    timeout: 300,
  };
  if (modelType === 'local-completions') {
    // The remote tokenizer (vLLM's /tokenize) keeps lm-eval from downloading one.
    modelArgs.tokenizer_backend = 'remote';
    modelArgs.max_length = 8192;
  }
  for (const [k, v] of Object.entries(modelParams)) if (k !== 'api') modelArgs[k] = v;

  const tasks = indexes.map((i) => job.benchmarks[i].id);
  const params = { ...(job.benchmarks[indexes[0]].parameters ?? {}) } as Record<string, unknown>;
  const args = [
    'run',
    '--model',
    modelType,
    '--model_args',
    Object.entries(modelArgs)
      .map(([k, v]) => `${k}=${modelArg(v)}`)
      .join(','),
    '--tasks',
    tasks.join(','),
    '--output_path',
    outputDir,
    '--log_samples',
  ];
  if (local?.include_path) args.push('--include_path', local.include_path);
  let seeded = false;
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (FLAG_PARAMS[k]) {
      args.push(FLAG_PARAMS[k], String(v));
      if (k === 'seed') seeded = true;
    } else if (BOOL_PARAMS[k]) {
      if (v === true || v === 'true') args.push(BOOL_PARAMS[k]);
    } else if (k === 'gen_kwargs' && v && typeof v === 'object') {
      args.push('--gen_kwargs', JSON.stringify(v));
    } else {
      metadata[k] = v;
    }
  }
  if (modelType === 'local-chat-completions' && !args.includes('--apply_chat_template')) args.push('--apply_chat_template');
  if (!seeded) args.push('--seed', '0');
  if (Object.keys(metadata).length) args.push('--metadata', JSON.stringify(metadata));
  return { args, modelType, endpoint, env: apiKey ? { OPENAI_API_KEY: apiKey } : {} };
}
