import { ProviderRecord } from './types';

/**
 * The evaluation tools EvalHub drives itself (runtime.local.executor), each in its own Python
 * environment because their pins conflict. lm-eval lives in the core environment that every
 * installation has; the others are added with `npm run setup -- --backends <name>`.
 */
export const NATIVE_BACKENDS = ['lm_evaluation_harness', 'guidellm', 'garak', 'lighteval', 'ragas'] as const;
export type NativeBackend = (typeof NATIVE_BACKENDS)[number];

/** Name of the Python environment a backend runs in ('core' is the one setup always makes). */
export function environmentOf(backend: NativeBackend): string {
  return backend === 'lm_evaluation_harness' ? 'core' : backend;
}

export function isNativeBackend(name: unknown): name is NativeBackend {
  return typeof name === 'string' && (NATIVE_BACKENDS as readonly string[]).includes(name);
}

export function nativeBackendOf(provider: ProviderRecord | undefined): NativeBackend | undefined {
  const e = provider?.runtime?.local?.executor;
  return isNativeBackend(e) ? e : undefined;
}

export function setupCommand(env: string): string {
  return env === 'core' ? 'npm run setup' : `npm run setup -- --backends ${env}`;
}

/**
 * Benchmark parameters each backend understands. lm-eval passes unknown ones on as task metadata
 * (so only likely misspellings are refused); the others refuse anything not listed, since a
 * parameter they silently ignored would make a run measure something else than asked.
 */
export const BACKEND_PARAMETERS: Record<NativeBackend, readonly string[]> = {
  lm_evaluation_harness: [
    'num_examples', 'limit', 'num_few_shot', 'num_fewshot', 'seed', 'batch_size', 'system_instruction',
    'apply_chat_template', 'fewshot_as_multiturn', 'gen_kwargs',
  ],
  guidellm: ['profile', 'rate', 'concurrency', 'max_requests', 'max_seconds', 'prompt_tokens', 'output_tokens', 'sweep_size', 'seed', 'num_examples'],
  garak: ['probes', 'generations', 'parallel_attempts', 'seed', 'max_prompts', 'garak_config', 'disable_cache', 'num_examples'],
  lighteval: ['num_examples', 'num_few_shot', 'num_fewshot', 'seed', 'system_prompt', 'max_new_tokens', 'temperature', 'tasks', 'apply_chat_template', 'pass_at_k', 'num_samples'],
  ragas: ['metrics', 'dataset_path', 'embeddings_url', 'embeddings_model', 'num_examples'],
};

/** Parameters a strict backend does not accept: one message per name, with the accepted list. */
export function unknownParameterErrors(backend: NativeBackend, parameters: unknown, where: string): string[] {
  if (backend === 'lm_evaluation_harness' || !parameters || typeof parameters !== 'object' || Array.isArray(parameters)) return [];
  const accepted = BACKEND_PARAMETERS[backend];
  return Object.keys(parameters)
    .filter((k) => !accepted.includes(k))
    .map((k) => `${where}.${k} is not a parameter the ${backend} backend accepts (accepted: ${accepted.join(', ')})`);
}

/** Value rules of the strict backends' parameters, so a bad value is a 400 at submit too. */
const POSITIVE_INTEGERS = new Set(['pass_at_k', 'num_samples', 'max_requests', 'prompt_tokens', 'output_tokens', 'sweep_size', 'concurrency', 'generations', 'parallel_attempts', 'max_prompts', 'max_new_tokens']);
const POSITIVE_NUMBERS = new Set(['rate', 'max_seconds']);
const NON_NEGATIVE_NUMBERS = new Set(['temperature']);
const STRINGS = new Set(['profile', 'system_prompt', 'dataset_path', 'embeddings_url', 'embeddings_model']);

export function parameterValueErrors(backend: NativeBackend, parameters: unknown, where: string): string[] {
  if (backend === 'lm_evaluation_harness' || !parameters || typeof parameters !== 'object' || Array.isArray(parameters)) return [];
  const errors: string[] = [];
  for (const [k, v] of Object.entries(parameters)) {
    if (v === undefined || v === null || !BACKEND_PARAMETERS[backend].includes(k)) continue;
    if (POSITIVE_INTEGERS.has(k) && !(Number.isSafeInteger(v) && (v as number) >= 1)) errors.push(`${where}.${k} must be a whole number of at least 1`);
    if (POSITIVE_NUMBERS.has(k) && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) errors.push(`${where}.${k} must be a number above 0`);
    if (NON_NEGATIVE_NUMBERS.has(k) && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) errors.push(`${where}.${k} must be a number of at least 0`);
    if (STRINGS.has(k) && !(typeof v === 'string' && v.length > 0)) errors.push(`${where}.${k} must be a non-empty string`);
    if (k === 'apply_chat_template' && v !== true) errors.push(`${where}.${k} can only be true here: Lighteval's OpenAI-compatible backend always sends chat messages`);
    if (k === 'garak_config' && (typeof v !== 'object' || Array.isArray(v))) errors.push(`${where}.${k} must be an object (a garak configuration fragment)`);
  }
  return errors;
}
