import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EndpointLimitTable, parseEndpointLimits } from '../../domain/gateway-settings';

/** How EvalHub authenticates to MLflow (evalhub-api-v1 §6): all optional. */
export interface MlflowAuth {
  /** A static bearer token (MLFLOW_TRACKING_TOKEN). */
  token?: string;
  /** A file holding the token, read again for every request so a rotated token is picked up. */
  tokenPath?: string;
  /** A PEM bundle that signs the MLflow server's certificate (a private or service CA). */
  caCertPath?: string;
  /** Sent as X-MLFLOW-WORKSPACE on every request. */
  workspace?: string;
}

/** Everything the processes read from the environment, parsed and checked once at boot. */
export interface AppConfig {
  apiHost: string;
  apiPort: number;
  workerHost: string;
  workerPort: number;
  redisUrl: string;
  /** Prefix of every Redis key and BullMQ queue, so several installations can share a Redis. */
  redisPrefix: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  logFormat: 'json' | 'pretty';
  tenancyMode: 'local' | 'cluster';
  runtime: 'local' | 'kubernetes';
  maxConcurrentEvaluations: number;
  defaultTimeoutMinutes: number;
  callbackUrl: string;
  dataDir: string;
  configDir: string;
  pythonVenv: string;
  /** Python environment of each extra backend (guidellm, garak, …): where setup puts it, or EVALHUB_VENV_<NAME>. */
  backendVenvs: Record<string, string>;
  mlflowTrackingUri?: string;
  mlflowPublicUrl?: string;
  /** Token, CA and workspace for MLflow (§6); passed on to adapters and the pod sidecar. */
  mlflowAuth: MlflowAuth;
  shutdownTimeoutSeconds: number;
  maxRequestBodyBytes: number;
  /** Cap on one log response (upstream's max_log_response_bytes); past it X-Log-Truncated. */
  maxLogResponseBytes: number;
  queueLockDurationMs: number;
  queueStalledIntervalMs: number;
  /** How often a unit may be taken from a dying worker (not counted against its attempts). */
  queueMaxStalledCount: number;
  hostname: string;
  /** API authentication (README "Security"): none only for one user on loopback. */
  auth: AuthConfig;
  /** Bull Board at /admin/queues (EVALHUB_QUEUE_DASHBOARD=true); admins only when authentication is on. */
  queueDashboard: boolean;
  /** Origins allowed to call the API from a browser; empty = none (no CORS headers). */
  corsOrigins: string[];
  /** Where model.auth.secret_ref may point: env vars with this prefix, files in this folder. */
  secrets: { envPrefix: string; dir: string };
  /** Adapter processes run as this user (uid/gid) when the worker is root; unset: as the worker. */
  runAs?: { user: string; uid: number; gid: number };
  /** Folder under which tenant providers' lm-eval include_path must lie (shared deployments). */
  tenantTasksDir?: string;
  /** The worker's model gateway (src/gateway): on unless EVALHUB_MODEL_GATEWAY=false. */
  modelGateway: {
    enabled: boolean;
    /** MODEL_ENDPOINT_LIMITS: per endpoint origin, max_concurrent / rpm / tpm across workers. */
    limits: EndpointLimitTable;
    /** GATEWAY_MAX_RETRIES: extra attempts for connection errors, 429 and 502-504. */
    maxRetries: number;
    /** EVALHUB_MODEL_CACHE: the response cache (per tenant, under DATA_DIR/model-cache); on unless false. */
    cache: boolean;
  };
  /** Automatic retries of transient failures, unless a job says otherwise: AUTO_RETRY_ATTEMPTS (0), AUTO_RETRY_BACKOFF_SECONDS (30). */
  autoRetry: { maxAttempts: number; backoffSeconds: number };
  /** Reuse of equal completed benchmarks: EVALHUB_REUSE_RESULTS (a job's `reuse` wins), REUSE_MAX_AGE_HOURS. */
  reuse: { byDefault: boolean; maxAgeHours: number };
  k8s: {
    namespace: string;
    sidecarImage: string;
    serviceAccount: string;
    unschedulableSeconds: number;
    instanceName: string;
    /** Image with /app/eval-runtime-init, which fetches S3/git test data into /test_data. */
    testDataInitImage: string;
    /** Where HardwareProfiles live (the ODH/RHOAI platform namespace). */
    hardwareProfilesNamespace?: string;
    /**
     * A PersistentVolumeClaim, in each namespace jobs run in, holding a pre-filled Hugging Face
     * cache (npm run datasets): mounted writable as the adapter's HF_HOME, the Hub switched off.
     */
    hfCacheClaim?: string;
  };
}

export type AuthMode = 'none' | 'token-file' | 'kubernetes';

export interface AuthConfig {
  mode: AuthMode;
  /** token-file: JSON or YAML list of {token, user, tenants, role}. */
  tokenFile?: string;
  /** kubernetes: API group and resource names asked in SubjectAccessReviews. */
  sarGroup: string;
  /** kubernetes: groups whose members are admins (may set runtime.local.command). */
  adminGroups: string[];
}

export class ConfigError extends Error {}

/** uid and gid of a local user, from /etc/passwd (a numeric uid is taken as given, gid = uid). */
function systemUser(name: string): { user: string; uid: number; gid: number } {
  if (/^\d+$/.test(name)) return { user: name, uid: Number(name), gid: Number(name) };
  let passwd = '';
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    /* no passwd file: reported below */
  }
  const line = passwd.split('\n').find((l) => l.split(':')[0] === name);
  if (!line) throw new ConfigError(`RUN_AS_USER: there is no user '${name}' in /etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { user: name, uid: Number(uid), gid: Number(gid) };
}

/**
 * Who runs benchmark processes. A root worker runs them as `nobody` unless told otherwise: an
 * adapter or backend (a tenant's task file, a model's output parsed by a tool) must not get root.
 * RUN_AS_USER names another user, or `root` to keep root (not recommended; the worker warns).
 */
function runAsUser(env: Env, uid = process.getuid?.()): AppConfig['runAs'] {
  const name = env.RUN_AS_USER;
  if (name === 'root' || name === '0') return undefined;
  if (name) return systemUser(name);
  if (uid !== 0) return undefined;
  try {
    return systemUser('nobody');
  } catch {
    return undefined;
  }
}

/**
 * Where setup puts the Python environments. A root worker's run user must be able to read them,
 * and root's home is private, so root uses /var/cache/evalhub (scripts/setup-python.sh agrees).
 */
export function defaultCacheDir(env: Env = process.env, uid = process.getuid?.()): string {
  if (env.EVALHUB_CACHE_DIR) return env.EVALHUB_CACHE_DIR;
  return uid === 0 ? '/var/cache/evalhub' : path.join(os.homedir(), '.cache', 'evalhub');
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const LOOPBACK = ['127.0.0.1', 'localhost', '::1'];

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || n < min || n > max) throw new ConfigError(`${name} must be a number between ${min} and ${max}, got '${raw}'`);
  return n;
}

/** A Kubernetes object name (RFC 1123 subdomain), or undefined when unset. */
function dnsLabel(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (raw.length > 253 || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(raw)) throw new ConfigError(`${name} must be a Kubernetes object name (lower-case letters, digits, '-' and '.'), got '${raw}'`);
  return raw;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = raw.toLowerCase() as T;
  if (!allowed.includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got '${raw}'`);
  return v;
}

function url(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name] || fallback;
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (!['http:', 'https:', 'redis:', 'rediss:'].includes(u.protocol)) throw new Error('scheme');
  } catch {
    throw new ConfigError(`${name} must be a URL, got '${raw}'`);
  }
  return raw.replace(/\/+$/, '');
}

/** A file that must exist and be readable when the variable is set. */
function readablePath(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  const p = path.resolve(raw);
  try {
    fs.accessSync(p, fs.constants.R_OK);
  } catch {
    throw new ConfigError(`${name} points to ${p}, which does not exist or cannot be read`);
  }
  return p;
}

/** The default venv location written by scripts/setup-python.sh. */
/** Backends with an environment of their own; their pins live in python/backends/<name>/lock.txt. */
export const EXTRA_BACKEND_ENVS = ['guidellm', 'garak', 'lighteval', 'ragas'] as const;

/**
 * Where scripts/setup-python.sh builds a backend's environment: the cache folder, keyed by a hash
 * of its lock file (so a pin change makes a new one). EVALHUB_VENV_<NAME> overrides it (images).
 */
function backendVenvs(env: Env, root: string): Record<string, string> {
  const cache = defaultCacheDir(env);
  const out: Record<string, string> = {};
  for (const name of EXTRA_BACKEND_ENVS) {
    const override = env[`EVALHUB_VENV_${name.toUpperCase()}`];
    if (override) {
      out[name] = path.resolve(override);
      continue;
    }
    const lock = path.join(root, 'python', 'backends', name, 'lock.txt');
    const hash = fs.existsSync(lock) ? createHash('sha256').update(fs.readFileSync(lock)).digest('hex').slice(0, 16) : 'unpinned';
    out[name] = path.join(cache, `backend-${name}-${hash}`);
  }
  return out;
}

function defaultVenv(env: Env, root: string): string {
  const marker = path.join(root, '.data', 'python-venv-path');
  if (fs.existsSync(marker)) return fs.readFileSync(marker, 'utf8').trim();
  return path.join(defaultCacheDir(env), 'venv');
}

function endpointLimits(env: Env): EndpointLimitTable {
  const { limits, errors } = parseEndpointLimits(env.MODEL_ENDPOINT_LIMITS);
  if (errors.length) throw new ConfigError(errors.join('; '));
  return limits;
}

export function loadConfig(env: Env = process.env, root = path.resolve(__dirname, '..', '..', '..')): AppConfig {
  const apiPort = int(env, 'API_PORT', 8080, 1, 65535);
  const logDefault = env.NODE_ENV === 'production' ? 'json' : 'pretty';
  const cfg: AppConfig = {
    apiHost: env.API_HOST || '127.0.0.1',
    apiPort,
    workerHost: env.WORKER_HOST || env.API_HOST || '127.0.0.1',
    workerPort: int(env, 'WORKER_PORT', 8081, 0, 65535),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379')!,
    redisPrefix: env.REDIS_PREFIX || 'evalhub',
    logLevel: oneOf(env, 'LOG_LEVEL', ['error', 'warn', 'info', 'debug'] as const, 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['json', 'pretty'] as const, logDefault),
    tenancyMode: oneOf(env, 'TENANCY_MODE', ['local', 'cluster'] as const, 'local'),
    runtime: oneOf(env, 'EVALHUB_RUNTIME', ['local', 'kubernetes'] as const, 'local'),
    maxConcurrentEvaluations: int(env, 'MAX_CONCURRENT_EVALUATIONS', 4, 1, 10000),
    defaultTimeoutMinutes: decimal(env, 'DEFAULT_TIMEOUT_MINUTES', 60, 0.05, 7 * 24 * 60),
    callbackUrl: url(env, 'CALLBACK_URL', `http://127.0.0.1:${apiPort}`)!,
    dataDir: path.resolve(env.DATA_DIR || path.join(root, '.data')),
    configDir: path.resolve(env.CONFIG_DIR || path.join(root, 'config')),
    pythonVenv: path.resolve(env.EVALHUB_PYTHON_VENV || defaultVenv(env, root)),
    backendVenvs: backendVenvs(env, root),
    mlflowTrackingUri: url(env, 'MLFLOW_TRACKING_URI'),
    mlflowPublicUrl: url(env, 'MLFLOW_PUBLIC_URL'),
    mlflowAuth: {
      token: env.MLFLOW_TRACKING_TOKEN || undefined,
      tokenPath: readablePath(env, 'MLFLOW_TOKEN_PATH'),
      caCertPath: readablePath(env, 'MLFLOW_CA_CERT_PATH'),
      workspace: env.MLFLOW_WORKSPACE || undefined,
    },
    shutdownTimeoutSeconds: int(env, 'SHUTDOWN_TIMEOUT_SECONDS', 25, 0, 3600),
    maxRequestBodyBytes: int(env, 'MAX_REQUEST_BODY_BYTES', 2 * 1024 * 1024, 1024),
    maxLogResponseBytes: int(env, 'MAX_LOG_RESPONSE_BYTES', 50 * 1024 * 1024, 1),
    queueLockDurationMs: int(env, 'QUEUE_LOCK_DURATION_MS', 30000, 500),
    queueStalledIntervalMs: int(env, 'QUEUE_STALLED_INTERVAL_MS', 30000, 500),
    queueMaxStalledCount: int(env, 'QUEUE_MAX_STALLED_COUNT', 10, 1, 1000),
    hostname: env.HOSTNAME || os.hostname(),
    queueDashboard: oneOf(env, 'EVALHUB_QUEUE_DASHBOARD', ['true', 'false'] as const, 'false') === 'true',
    auth: {
      mode: oneOf(env, 'AUTH_MODE', ['none', 'token-file', 'kubernetes'] as const, env.AUTH_TOKEN_FILE ? 'token-file' : 'none'),
      tokenFile: readablePath(env, 'AUTH_TOKEN_FILE'),
      sarGroup: env.AUTH_SAR_GROUP || 'trustyai.opendatahub.io',
      adminGroups: list(env, 'AUTH_ADMIN_GROUPS').length ? list(env, 'AUTH_ADMIN_GROUPS') : ['system:masters', 'evalhub-admins'],
    },
    corsOrigins: list(env, 'CORS_ORIGINS'),
    secrets: {
      envPrefix: env.SECRET_ENV_PREFIX ?? 'EVALHUB_SECRET_',
      dir: path.resolve(env.SECRETS_DIR || path.join(env.DATA_DIR || path.join(root, '.data'), 'secrets')),
    },
    tenantTasksDir: env.TENANT_TASKS_DIR ? path.resolve(env.TENANT_TASKS_DIR) : undefined,
    runAs: runAsUser(env),
    modelGateway: {
      enabled: oneOf(env, 'EVALHUB_MODEL_GATEWAY', ['true', 'false'] as const, 'true') === 'true',
      limits: endpointLimits(env),
      maxRetries: int(env, 'GATEWAY_MAX_RETRIES', 3, 0, 20),
      cache: oneOf(env, 'EVALHUB_MODEL_CACHE', ['true', 'false'] as const, 'true') === 'true',
    },
    autoRetry: { maxAttempts: int(env, 'AUTO_RETRY_ATTEMPTS', 0, 0, 5), backoffSeconds: int(env, 'AUTO_RETRY_BACKOFF_SECONDS', 30, 1, 86400) },
    reuse: {
      byDefault: oneOf(env, 'EVALHUB_REUSE_RESULTS', ['true', 'false'] as const, 'false') === 'true',
      maxAgeHours: decimal(env, 'REUSE_MAX_AGE_HOURS', 168, 0.01, 24 * 365),
    },
    k8s: {
      namespace: env.K8S_NAMESPACE || 'default',
      sidecarImage: env.K8S_SIDECAR_IMAGE || 'evalhub:latest',
      serviceAccount: env.K8S_JOB_SERVICE_ACCOUNT || 'evalhub-job',
      unschedulableSeconds: int(env, 'K8S_UNSCHEDULABLE_SECONDS', 300, 1),
      instanceName: env.EVALHUB_INSTANCE_NAME || 'evalhub',
      testDataInitImage: env.K8S_TEST_DATA_INIT_IMAGE || 'quay.io/evalhub/evalhub:latest',
      hardwareProfilesNamespace: env.EVALHUB_HARDWARE_PROFILES_NAMESPACE || undefined,
      hfCacheClaim: dnsLabel(env, 'K8S_HF_CACHE_PVC'),
    },
  };
  if (cfg.auth.mode === 'token-file' && !cfg.auth.tokenFile) throw new ConfigError('AUTH_MODE=token-file needs AUTH_TOKEN_FILE');
  // Without authentication anyone who reaches the port is every tenant at once: only acceptable
  // for one user on this machine.
  if (cfg.auth.mode === 'none' && (cfg.tenancyMode === 'cluster' || !LOOPBACK.includes(cfg.apiHost)) && env.AUTH_DISABLED_I_UNDERSTAND !== 'true') {
    throw new ConfigError(
      `authentication is off but the API is shared (TENANCY_MODE=${cfg.tenancyMode}, API_HOST=${cfg.apiHost}): set AUTH_MODE=kubernetes or AUTH_TOKEN_FILE (or AUTH_DISABLED_I_UNDERSTAND=true behind an authenticating proxy)`,
    );
  }
  if (!fs.existsSync(path.join(cfg.configDir, 'providers'))) {
    throw new ConfigError(`CONFIG_DIR ${cfg.configDir} has no providers/ folder`);
  }
  return cfg;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
