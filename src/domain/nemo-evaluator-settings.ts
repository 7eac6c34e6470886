// How a benchmark reaches a remote NeMo Evaluator container: the provider's `runtime.nemo_evaluator`
// with the benchmark's parameters over it (same names), checked once at submit (400 naming the
// field) and resolved again by the executor. Plain functions, no I/O.
import { settingReaders } from './setting-readers';

export const NEMO_ENDPOINT_TYPES = ['chat', 'completions', 'vlm', 'embedding'] as const;
export type NemoEndpointType = (typeof NEMO_ENDPOINT_TYPES)[number];

/** One evaluator container. */
export interface NemoContainer {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

export interface NemoEvaluatorSettings {
  /** The evaluator containers; a job's benchmarks are spread over them. */
  containers: NemoContainer[];
  /** The model API URL the evaluation calls (the job's model.url unless given). */
  model_endpoint: string;
  endpoint_type: NemoEndpointType;
  /** Name of an environment variable on the worker holding the model API key. */
  api_key_env?: string;
  timeout_seconds: number;
  max_retries: number;
  verify_ssl: boolean;
  /** Bearer token for the container, given inline… */
  auth_token?: string;
  /** …or as a secret reference resolved on the worker (env:NAME, a file in SECRETS_DIR). */
  auth_token_secret_ref?: string;
  health_check_endpoint: string;
  run_post_hooks: boolean;
  framework_name: string;
  /** A Jinja2 template the container renders with the request's config and target. */
  command: string;
  /** The evaluation type the container runs (`config.type`); the benchmark id unless given. */
  eval_type: string;
  limit_samples?: number;
  max_new_tokens: number;
  parallelism: number;
  temperature: number;
  top_p: number;
  request_timeout: number;
}

/** The original design's defaults. */
export const NEMO_DEFAULTS = {
  port: 3825,
  endpoint_type: 'chat' as NemoEndpointType,
  timeout_seconds: 3600,
  max_retries: 3,
  verify_ssl: true,
  health_check_endpoint: '/health',
  run_post_hooks: false,
  framework_name: 'eval-hub-client',
  command: 'evaluate {{ config.type }}',
  max_new_tokens: 512,
  parallelism: 1,
  temperature: 0.0,
  top_p: 0.95,
  request_timeout: 60,
};

/** Every key the runtime block and the benchmark parameters may hold. */
export const NEMO_SETTING_KEYS = [
  'endpoint',
  'port',
  'model_endpoint',
  'endpoint_type',
  'api_key_env',
  'timeout_seconds',
  'max_retries',
  'verify_ssl',
  'auth_token',
  'auth_token_secret_ref',
  'health_check_endpoint',
  'run_post_hooks',
  'framework_name',
  'command',
  'eval_type',
  'limit_samples',
  'max_new_tokens',
  'parallelism',
  'temperature',
  'top_p',
  'request_timeout',
] as const;
/** EvalHub's generic name for a sample cap, taken as limit_samples. */
const ALIASES: Record<string, string> = { num_examples: 'limit_samples' };
/** EvalHub's generic parameters that mean nothing to a remote evaluation (catalog defaults carry them). */
const IGNORED = new Set(['num_few_shot', 'num_fewshot']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `host`, `host:port`, `http(s)://host[:port]` (a trailing / allowed); the port defaults to `port`. */
export function parseContainer(raw: string, defaultPort: number): NemoContainer | string {
  let s = raw.trim();
  let scheme: 'http' | 'https' = 'http';
  const m = /^(https?):\/\//i.exec(s);
  if (m) {
    scheme = m[1].toLowerCase() as 'http' | 'https';
    s = s.slice(m[0].length);
  }
  s = s.replace(/\/$/, '');
  let port = defaultPort;
  const hp = /^(.*):(\d+)$/.exec(s);
  if (hp && !s.endsWith(']')) {
    s = hp[1];
    port = Number(hp[2]);
  }
  if (!HOST.test(s)) return `'${raw}' is not a host, host:port or http(s)://host[:port]`;
  if (port < 1 || port > 65535) return `'${raw}' has a port outside 1-65535`;
  return { scheme, host: s, port };
}

/**
 * The settings of one benchmark: runtime block, then the benchmark's parameters over it. `partial`
 * (a provider on its own) skips the checks of what a benchmark or the job may still supply.
 */
export function resolveNemoSettings(
  runtime: unknown,
  parameters: unknown,
  context: { benchmarkId: string; modelUrl?: string; partial?: boolean },
  where = { runtime: 'runtime.nemo_evaluator', parameters: 'parameters' },
): { settings: NemoEvaluatorSettings; errors: [] } | { settings?: undefined; errors: string[] } {
  const errors: string[] = [];
  if (runtime !== undefined && !isObj(runtime)) return { errors: [`${where.runtime} must be an object`] };
  if (parameters !== undefined && parameters !== null && !isObj(parameters)) return { errors: [`${where.parameters} must be an object`] };
  const field = new Map<string, string>();
  const merged: Obj = {};
  const take = (src: Obj | undefined, prefix: string, strict: boolean) => {
    for (const [k0, v] of Object.entries(src ?? {})) {
      const k = ALIASES[k0] ?? k0;
      if (IGNORED.has(k)) continue;
      if (!(NEMO_SETTING_KEYS as readonly string[]).includes(k)) {
        if (strict) errors.push(`${prefix}.${k0} is not a NeMo Evaluator setting (known: ${NEMO_SETTING_KEYS.join(', ')})`);
        continue;
      }
      if (v === undefined || v === null) continue;
      merged[k] = v;
      field.set(k, `${prefix}.${k0}`);
    }
  };
  take(runtime as Obj | undefined, where.runtime, true);
  take((parameters ?? undefined) as Obj | undefined, where.parameters, true);
  const name = (k: string) => field.get(k) ?? `${where.runtime}.${k}`;

  const { int, num, bool, str } = settingReaders(merged, name, errors);

  const port = int('port', 1, 65535, NEMO_DEFAULTS.port);
  const containers: NemoContainer[] = [];
  const endpoint = merged.endpoint;
  if (endpoint === undefined) {
    if (!context.partial) errors.push(`${where.runtime}.endpoint is required: the host (or host:port) of the evaluator container, or a list of them`);
  } else {
    const list = Array.isArray(endpoint) ? endpoint : [endpoint];
    if (list.length === 0 || list.length > 64) errors.push(`${name('endpoint')} must name 1 to 64 containers`);
    list.forEach((e, i) => {
      const at = Array.isArray(endpoint) ? `${name('endpoint')}[${i}]` : name('endpoint');
      if (typeof e !== 'string' || !e.trim()) return void errors.push(`${at} must be a host name, got ${JSON.stringify(e)}`);
      const c = parseContainer(e, port);
      if (typeof c === 'string') errors.push(`${at}: ${c}`);
      else containers.push(c);
    });
  }
  const modelEndpoint = str('model_endpoint', (s) => (/^https?:\/\/[^\s/]+/.test(s) ? undefined : 'must be an http(s) URL')) ?? context.modelUrl;
  if (!modelEndpoint && !context.partial) errors.push(`${where.runtime}.model_endpoint is required when the job has no model.url`);
  const endpointType = merged.endpoint_type ?? NEMO_DEFAULTS.endpoint_type;
  if (!(NEMO_ENDPOINT_TYPES as readonly unknown[]).includes(endpointType)) errors.push(`${name('endpoint_type')} must be one of ${NEMO_ENDPOINT_TYPES.join(', ')}, got ${JSON.stringify(endpointType)}`);
  const apiKeyEnv = str('api_key_env', (s) => (ENV_NAME.test(s) ? undefined : 'must be an environment variable name'));
  const authToken = str('auth_token');
  const authRef = str('auth_token_secret_ref');
  if (authToken && authRef) errors.push(`${name('auth_token')} and ${name('auth_token_secret_ref')}: give one of them`);
  const health = str('health_check_endpoint', (s) => (s.startsWith('/') ? undefined : "must be a path starting with '/'")) ?? NEMO_DEFAULTS.health_check_endpoint;
  const command = str('command', (s) => (s.length <= 4096 ? undefined : 'is longer than 4096 characters')) ?? NEMO_DEFAULTS.command;
  const settings: NemoEvaluatorSettings = {
    containers,
    model_endpoint: modelEndpoint ?? '',
    endpoint_type: endpointType as NemoEndpointType,
    ...(apiKeyEnv ? { api_key_env: apiKeyEnv } : {}),
    timeout_seconds: int('timeout_seconds', 1, 7 * 24 * 3600, NEMO_DEFAULTS.timeout_seconds)!,
    max_retries: int('max_retries', 0, 20, NEMO_DEFAULTS.max_retries)!,
    verify_ssl: bool('verify_ssl', NEMO_DEFAULTS.verify_ssl),
    ...(authToken ? { auth_token: authToken } : {}),
    ...(authRef ? { auth_token_secret_ref: authRef } : {}),
    health_check_endpoint: health,
    run_post_hooks: bool('run_post_hooks', NEMO_DEFAULTS.run_post_hooks),
    framework_name: str('framework_name') ?? NEMO_DEFAULTS.framework_name,
    command,
    eval_type: str('eval_type') ?? context.benchmarkId,
    ...(merged.limit_samples !== undefined ? { limit_samples: int('limit_samples', 1, 10_000_000) } : {}),
    max_new_tokens: int('max_new_tokens', 1, 1_000_000, NEMO_DEFAULTS.max_new_tokens)!,
    parallelism: int('parallelism', 1, 1024, NEMO_DEFAULTS.parallelism)!,
    temperature: num('temperature', (n) => n >= 0 && n <= 2, 'a number from 0 to 2', NEMO_DEFAULTS.temperature),
    top_p: num('top_p', (n) => n > 0 && n <= 1, 'a number above 0 and at most 1', NEMO_DEFAULTS.top_p),
    request_timeout: int('request_timeout', 1, 24 * 3600, NEMO_DEFAULTS.request_timeout)!,
  };
  return errors.length ? { errors } : { settings, errors: [] };
}

/** Delay before retry `attempt` (1-based): exponential from 1 s, capped at 30 s, with ±25% jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** (attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}
