// How a benchmark runs as a Kubeflow Pipelines run: the provider's `runtime.kubeflow_pipelines`,
// with a benchmark's `parameters.backend` over it (`{"type": "kubeflow-pipelines", …}`, the same
// keys). Checked at provider create and at submit (400 naming the field), resolved again by the
// executor. Plain functions, no I/O.
import { settingReaders } from './setting-readers';

export const KFP_FRAMEWORKS = ['lighteval', 'garak'] as const;
export type KfpFramework = (typeof KFP_FRAMEWORKS)[number];
/** The `type` that routes a benchmark to Kubeflow Pipelines. */
export const KFP_BACKEND_TYPE = 'kubeflow-pipelines';

/** EvalHub's own adapter image (Containerfile target `adapter`): runs any native backend from a JobSpec. */
export const DEFAULT_ADAPTER_IMAGE = 'quay.io/evalhub/evalhub-adapter:latest';

export interface KfpSettings {
  framework: KfpFramework;
  /** Base URL of the KFP API (`…/apis/v2beta1` is added). */
  kfp_endpoint: string;
  /** KFP namespace (multi-user deployments); none in single-user mode. */
  namespace?: string;
  /** Experiment the run goes into; the job's experiment name, else `evalhub`. */
  experiment?: string;
  /** The component's image and command; EvalHub's adapter running `framework` unless given. */
  image: string;
  command: string[];
  env: { name: string; value: string }[];
  /** Bearer token for the KFP API, inline or as a secret reference (env:NAME, a file in SECRETS_DIR). */
  auth_token?: string;
  auth_token_secret_ref?: string;
  /** PEM bundle that signs the KFP endpoint's certificate. */
  ca_bundle_path?: string;
  verify_ssl: boolean;
  poll_interval_seconds: number;
  /** How long the run may take in KFP before EvalHub terminates it. */
  timeout_seconds: number;
  /** Where the pipeline's pod reaches EvalHub's API (the worker's CALLBACK_URL unless given). */
  callback_url?: string;
  service_account?: string;
}

export const KFP_DEFAULTS = { verify_ssl: true, poll_interval_seconds: 2, timeout_seconds: 3600 };

export const KFP_SETTING_KEYS = [
  'type',
  'framework',
  'kfp_endpoint',
  'namespace',
  'experiment',
  'image',
  'command',
  'env',
  'auth_token',
  'auth_token_secret_ref',
  'ca_bundle_path',
  'verify_ssl',
  'poll_interval_seconds',
  'timeout_seconds',
  'callback_url',
  'service_account',
] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const URL_RE = /^https?:\/\/[^\s/]+(\/\S*)?$/;
/** KFP names (experiment, namespace, service account): printable, bounded. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,127}$/;

/** The benchmark-level backend block, when a benchmark asks for Kubeflow Pipelines. */
export function benchmarkKfpBackend(parameters: unknown): Obj | undefined {
  const b = isObj(parameters) ? parameters.backend : undefined;
  return isObj(b) && b.type === KFP_BACKEND_TYPE ? b : undefined;
}

/** Whether a benchmark of this provider runs through Kubeflow Pipelines. */
export function runsOnKfp(runtime: { kubeflow_pipelines?: unknown } | undefined, parameters: unknown): boolean {
  return runtime?.kubeflow_pipelines !== undefined || benchmarkKfpBackend(parameters) !== undefined;
}

/**
 * The settings of one benchmark: the provider's block, then the benchmark's `parameters.backend`
 * over it. `partial` (a provider on its own) skips what a benchmark may still supply.
 */
export function resolveKfpSettings(
  runtime: unknown,
  parameters: unknown,
  context: { partial?: boolean; provider?: { image?: unknown; entrypoint?: unknown } } = {},
  where = { runtime: 'runtime.kubeflow_pipelines', parameters: 'parameters.backend' },
): { settings: KfpSettings; errors: [] } | { settings?: undefined; errors: string[] } {
  const errors: string[] = [];
  if (runtime !== undefined && !isObj(runtime)) return { errors: [`${where.runtime} must be an object`] };
  const rawBackend = isObj(parameters) ? parameters.backend : undefined;
  if (rawBackend !== undefined && !isObj(rawBackend)) return { errors: [`${where.parameters} must be an object`] };
  if (isObj(rawBackend) && rawBackend.type !== KFP_BACKEND_TYPE) {
    return { errors: [`${where.parameters}.type must be '${KFP_BACKEND_TYPE}', got ${JSON.stringify(rawBackend.type)}`] };
  }
  const merged: Obj = {};
  const field = new Map<string, string>();
  const take = (src: Obj | undefined, prefix: string) => {
    for (const [k, v] of Object.entries(src ?? {})) {
      if (!(KFP_SETTING_KEYS as readonly string[]).includes(k)) {
        errors.push(`${prefix}.${k} is not a Kubeflow Pipelines setting (known: ${KFP_SETTING_KEYS.join(', ')})`);
        continue;
      }
      if (v === undefined || v === null) continue;
      merged[k] = v;
      field.set(k, `${prefix}.${k}`);
    }
  };
  take(runtime as Obj | undefined, where.runtime);
  take(rawBackend as Obj | undefined, where.parameters);
  const name = (k: string) => field.get(k) ?? `${where.runtime}.${k}`;
  if (merged.type !== undefined && merged.type !== KFP_BACKEND_TYPE) errors.push(`${name('type')} must be '${KFP_BACKEND_TYPE}'`);

  const { str, int, bool } = settingReaders(merged, name, errors);

  const framework = merged.framework;
  if (framework === undefined) {
    if (!context.partial) errors.push(`${where.runtime}.framework is required: one of ${KFP_FRAMEWORKS.join(', ')}`);
  } else if (!(KFP_FRAMEWORKS as readonly unknown[]).includes(framework)) {
    errors.push(`${name('framework')} must be one of ${KFP_FRAMEWORKS.join(', ')}, got ${JSON.stringify(framework)}`);
  }
  const endpoint = str('kfp_endpoint', (s) => (URL_RE.test(s) ? undefined : 'must be an http(s) URL'));
  if (merged.kfp_endpoint === undefined && !context.partial) errors.push(`${where.runtime}.kfp_endpoint is required: the URL of the Kubeflow Pipelines API`);
  const image = str('image', (s) => (/^\S{1,512}$/.test(s) ? undefined : 'must be an image reference without spaces'));
  let command: string[] | undefined;
  if (merged.command !== undefined) {
    const c = merged.command;
    if (!Array.isArray(c) || c.length === 0 || c.length > 64 || c.some((x) => typeof x !== 'string' || x.length > 4096)) {
      errors.push(`${name('command')} must be a list of 1 to 64 strings`);
    } else command = c as string[];
  }
  const env: { name: string; value: string }[] = [];
  if (merged.env !== undefined) {
    const e = merged.env;
    if (!Array.isArray(e) || e.length > 100) errors.push(`${name('env')} must be a list of {name, value} (at most 100)`);
    else
      e.forEach((x, i) => {
        if (!isObj(x) || typeof x.name !== 'string' || !ENV_NAME.test(x.name) || typeof x.value !== 'string') {
          errors.push(`${name('env')}[${i}] must be {name, value} with a variable name and a string value`);
        } else env.push({ name: x.name, value: x.value });
      });
  }
  const authToken = str('auth_token');
  const authRef = str('auth_token_secret_ref');
  if (authToken && authRef) errors.push(`${name('auth_token')} and ${name('auth_token_secret_ref')}: give one of them`);
  const settings: KfpSettings = {
    framework: framework as KfpFramework,
    kfp_endpoint: (endpoint ?? '').replace(/\/+$/, ''),
    ...optional('namespace', str('namespace', (s) => (NAME_RE.test(s) ? undefined : 'must be a KFP namespace name'))),
    ...optional('experiment', str('experiment', (s) => (NAME_RE.test(s) ? undefined : 'must be 1-128 letters, digits, spaces or ._:-'))),
    image: image ?? DEFAULT_ADAPTER_IMAGE,
    command: command ?? (image ? [] : ['node', 'dist/adapter.js', String(framework)]),
    env,
    ...optional('auth_token', authToken),
    ...optional('auth_token_secret_ref', authRef),
    ...optional('ca_bundle_path', str('ca_bundle_path', (s) => (s.startsWith('/') ? undefined : 'must be an absolute path on the worker'))),
    verify_ssl: bool('verify_ssl', KFP_DEFAULTS.verify_ssl),
    poll_interval_seconds: int('poll_interval_seconds', 1, 300, KFP_DEFAULTS.poll_interval_seconds),
    timeout_seconds: int('timeout_seconds', 10, 7 * 24 * 3600, KFP_DEFAULTS.timeout_seconds),
    ...optional('callback_url', str('callback_url', (s) => (URL_RE.test(s) ? undefined : 'must be an http(s) URL'))),
    ...optional('service_account', str('service_account', (s) => (NAME_RE.test(s) ? undefined : 'must be a service account name'))),
  };
  if (image && !command) {
    // Another image: its own entrypoint is not known to KFP, so the command must be given.
    errors.push(`${name('image')} is set, so ${where.runtime}.command must be set too (the adapter's command in that image)`);
  }
  return errors.length ? { errors } : { settings, errors: [] };
}

function optional<K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, V>);
}

/** The benchmark's parameters as the adapter sees them: the routing block is EvalHub's, not the backend's. */
export function withoutBackend(parameters: Record<string, unknown>): Record<string, unknown> {
  const { backend: _backend, ...rest } = parameters;
  return rest;
}

/** What a KFP run state means for the benchmark. */
export type KfpOutcome = 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export function kfpStateOutcome(state: string | undefined): KfpOutcome {
  switch (state) {
    case 'RUNNING':
    case 'CANCELING':
      return 'running';
    case 'SUCCEEDED':
    case 'SKIPPED':
      return 'succeeded';
    case 'FAILED':
      return 'failed';
    case 'CANCELED':
      return 'cancelled';
    default:
      // PENDING, PAUSED, RUNTIME_STATE_UNSPECIFIED or nothing yet.
      return 'waiting';
  }
}
