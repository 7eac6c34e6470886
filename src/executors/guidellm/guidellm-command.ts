import * as path from 'path';
import { JobRecord } from '../../domain/types';
import { openAiBase } from '../backend-run';

export const GUIDELLM_PROFILES = ['synchronous', 'concurrent', 'throughput', 'constant', 'poisson', 'sweep'] as const;
export type GuideLlmProfile = (typeof GUIDELLM_PROFILES)[number];

/**
 * Upper bound of sweep_size: keeps runs and metric keys bounded. rate and concurrency are single
 * values: guidellm 0.8.1 deprecates lists of them (a FutureWarning), and a sweep covers that need.
 */
export const MAX_STRATEGIES = 10;

interface Defaults {
  profile: GuideLlmProfile;
  max_requests: number;
  max_seconds: number;
  rate?: number;
  concurrency?: number;
  sweep_size?: number;
}

// Every constraint applies per strategy, so a run ends after at most
// strategies × max_seconds of requests (plus ~7 s of start-up per strategy).
const BASE = { max_requests: 50, max_seconds: 120 };
const CATALOG: Record<string, Defaults> = {
  sweep: { ...BASE, profile: 'sweep', sweep_size: 5 },
  throughput: { ...BASE, profile: 'throughput' },
  concurrent: { ...BASE, profile: 'concurrent', concurrency: 4 },
  constant: { ...BASE, profile: 'constant', rate: 10 },
  poisson: { ...BASE, profile: 'poisson', rate: 10 },
  synchronous: { ...BASE, profile: 'synchronous' },
  quick_perf_test: { profile: 'synchronous', max_requests: 20, max_seconds: 60 },
  comprehensive_perf_test: { profile: 'sweep', sweep_size: 8, max_requests: 100, max_seconds: 120 },
};
const PROFILE_DEFAULTS: Record<GuideLlmProfile, Partial<Defaults>> = {
  synchronous: {},
  concurrent: { concurrency: 4 },
  throughput: {},
  constant: { rate: 10 },
  poisson: { rate: 10 },
  sweep: { sweep_size: 5 },
};
export const DEFAULT_PROMPT_TOKENS = 256;
export const DEFAULT_OUTPUT_TOKENS = 128;
/** guidellm's own default seed, made explicit so that a run says what it used. */
export const DEFAULT_SEED = 42;

/** A benchmark parameter value guidellm cannot use; the run fails with this message before starting. */
export class GuideLlmParameterError extends Error {}

export interface GuideLlmPlan {
  profile: GuideLlmProfile;
  /** How many strategies (benchmarks in guidellm's sense) the run has: for progress and the summary. */
  strategies: number;
  maxRequests: number;
  maxSeconds: number;
  promptTokens: number;
  outputTokens: number;
  seed: number;
  target: string;
  requestFormat: '/v1/chat/completions' | '/v1/completions';
  outputFile: string;
  args: string[];
  /** The API key travels here (guidellm reads GUIDELLM__SPEC__BACKEND__API_KEY), never in args. */
  env: Record<string, string>;
}

function fail(msg: string): never {
  throw new GuideLlmParameterError(msg);
}

function positive(name: string, v: unknown, integer: boolean): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    fail(`parameter ${name} must be a positive ${integer ? 'integer' : 'number'} (got ${JSON.stringify(v)})`);
  }
  return n;
}

/** The server root guidellm wants as target (it appends /v1/...), from whatever URL the job gave. */
export function serverRoot(url: string): string {
  return openAiBase(url).replace(/\/v1$/, '');
}

/**
 * guidellm takes each option as `kind=...,k=v` or as JSON/YAML; JSON keeps strings such as a
 * model named "true" or one holding a comma intact.
 */
function opt(v: object): string {
  return JSON.stringify(v);
}

/**
 * The `guidellm run` command for one benchmark: its id picks the profile (a `profile` parameter
 * overrides it), and every run is bounded by max_requests and max_seconds per strategy.
 * `num_examples` is an alias of max_requests.
 */
export function buildGuideLlmInvocation(job: JobRecord, index: number, outDir: string, tokenizerDir: string, apiKey: string | undefined): GuideLlmPlan {
  const b = job.benchmarks[index];
  const params = { ...(b.parameters ?? {}) } as Record<string, unknown>;
  for (const [k, v] of Object.entries(params)) if (v === null || v === undefined) delete params[k];

  let profile: GuideLlmProfile;
  if (params.profile !== undefined) {
    if (!(GUIDELLM_PROFILES as readonly unknown[]).includes(params.profile)) fail(`parameter profile must be one of ${GUIDELLM_PROFILES.join(', ')} (got ${JSON.stringify(params.profile)})`);
    profile = params.profile as GuideLlmProfile;
  } else if (CATALOG[b.id]) {
    profile = CATALOG[b.id].profile;
  } else {
    fail(`benchmark '${b.id}' is not a GuideLLM benchmark (${Object.keys(CATALOG).join(', ')}); give a profile parameter`);
  }
  // The catalog entry's defaults hold only while its profile is kept.
  const catalog = CATALOG[b.id]?.profile === profile ? CATALOG[b.id] : undefined;
  const defaults: Defaults = { ...BASE, ...PROFILE_DEFAULTS[profile], ...catalog, profile };

  if (params.max_requests !== undefined && params.num_examples !== undefined && Number(params.max_requests) !== Number(params.num_examples)) {
    fail(`parameters max_requests (${JSON.stringify(params.max_requests)}) and num_examples (${JSON.stringify(params.num_examples)}) disagree; num_examples is an alias of max_requests, give one`);
  }
  const maxRequests = positive(params.max_requests === undefined && params.num_examples !== undefined ? 'num_examples' : 'max_requests', params.max_requests ?? params.num_examples ?? defaults.max_requests, true);
  const maxSeconds = positive('max_seconds', params.max_seconds ?? defaults.max_seconds, false);
  const promptTokens = positive('prompt_tokens', params.prompt_tokens ?? DEFAULT_PROMPT_TOKENS, true);
  const outputTokens = positive('output_tokens', params.output_tokens ?? DEFAULT_OUTPUT_TOKENS, true);
  const seedRaw = params.seed ?? DEFAULT_SEED;
  const seed = typeof seedRaw === 'string' && seedRaw.trim() !== '' ? Number(seedRaw) : seedRaw;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0) fail(`parameter seed must be a non-negative integer (got ${JSON.stringify(seedRaw)})`);

  const onlyFor = (name: string, profiles: GuideLlmProfile[]) => {
    if (params[name] !== undefined && !profiles.includes(profile)) fail(`parameter ${name} does not apply to the ${profile} profile (only to ${profiles.join(', ')})`);
  };
  onlyFor('rate', ['constant', 'poisson']);
  onlyFor('sweep_size', ['sweep']);
  onlyFor('concurrency', ['concurrent', 'throughput', 'constant', 'poisson', 'sweep']);

  const profileArg: Record<string, unknown> = { kind: profile };
  let strategies = 1;
  if (profile === 'concurrent') {
    profileArg.streams = positive('concurrency', params.concurrency ?? defaults.concurrency, true);
  } else if (profile === 'constant' || profile === 'poisson') {
    profileArg.rate = positive('rate', params.rate ?? defaults.rate, false);
  } else if (profile === 'sweep') {
    const size = positive('sweep_size', params.sweep_size ?? defaults.sweep_size, true);
    // A sweep is synchronous + throughput + (size - 2) constant rates in between.
    if (size < 2 || size > MAX_STRATEGIES) fail(`parameter sweep_size must be between 2 and ${MAX_STRATEGIES} (got ${size})`);
    profileArg.sweep_size = size;
    strategies = size;
  }
  if (profile !== 'concurrent' && params.concurrency !== undefined) profileArg.max_concurrency = positive('concurrency', params.concurrency, true);

  const model = job.config.model;
  const url = model.url ?? '';
  const api = (model.parameters as Record<string, unknown> | undefined)?.api;
  const completions = api === 'completions' || (api !== 'chat' && /\/completions\/?$/.test(url) && !/\/chat\/completions\/?$/.test(url));
  const requestFormat = completions ? '/v1/completions' : '/v1/chat/completions';
  const target = serverRoot(url);
  const outputFile = path.join(outDir, 'benchmarks.json');

  const args = [
    'run',
    '--backend',
    opt({ kind: 'openai_http', target, model: model.name, request_format: requestFormat }),
    '--data',
    opt({ kind: 'synthetic_text', prompt_tokens: promptTokens, output_tokens: outputTokens }),
    '--tokenizer',
    opt({ kind: 'huggingface_auto', model: tokenizerDir }),
    '--profile',
    opt(profileArg),
    '--constraint',
    opt({ kind: 'max_requests', count: maxRequests }),
    '--constraint',
    opt({ kind: 'max_duration', seconds: maxSeconds }),
    '--seed',
    opt({ kind: 'static', value: seed }),
    '--output',
    opt({ kind: 'json', path: outputFile }),
    '--disable-console-interactive',
  ];
  return {
    profile,
    strategies,
    maxRequests,
    maxSeconds,
    promptTokens,
    outputTokens,
    seed,
    target,
    requestFormat,
    outputFile,
    args,
    env: apiKey ? { GUIDELLM__SPEC__BACKEND__API_KEY: apiKey } : {},
  };
}
