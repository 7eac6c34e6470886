import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { OciTarget, RegistryAuth } from './sidecar/registry-auth';

/**
 * The sidecar of a benchmark pod (third entry point of the image). The adapter only ever talks to
 * http://localhost:8080; the sidecar forwards:
 *   /api/v1/evaluations/**                         → the EvalHub API, with the pod's token and X-Tenant
 *   /api/2.0/mlflow/**, /api/3.0/mlflow/**,
 *   /api/2.0/mlflow-artifacts/**                   → MLflow
 *   /v2/<oci repository>/**                        → the OCI registry (the sidecar does its auth handshake)
 *   anything else                                  → the model endpoint (with the real API key)
 * Config: SIDECAR_CONFIG (the sidecar_config.json EvalHub puts in the Job's ConfigMap).
 */
interface SidecarConfig {
  port?: number;
  /** callback_token: this benchmark run's credential for /events, added to every EvalHub call. */
  eval_hub: { base_url: string; token_path?: string; callback_token?: string };
  mlflow?: { tracking_uri: string; workspace?: string; token_path?: string; ca_cert_path?: string };
  model?: { url?: string; auth_secret_mount_path?: string };
  oci?: OciTarget;
}

const NAMESPACE_FILE = process.env.POD_NAMESPACE_FILE ?? '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function loadConfig(): SidecarConfig {
  const file = process.env.SIDECAR_CONFIG ?? '/meta/sidecar_config.json';
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as SidecarConfig;
  return {
    port: Number(process.env.SIDECAR_PORT ?? 8080),
    eval_hub: { base_url: process.env.EVALHUB_URL ?? 'http://evalhub-api:8080' },
    mlflow: process.env.MLFLOW_TRACKING_URI ? { tracking_uri: process.env.MLFLOW_TRACKING_URI } : undefined,
    model: { url: process.env.MODEL_URL },
  };
}

function readFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return fs.readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Which upstream a request goes to, and the headers to add there. */
export function route(cfg: SidecarConfig, path: string): { base: string; headers: Record<string, string>; keepPath: boolean; caCertPath?: string } | undefined {
  if (path.startsWith('/api/v1/evaluations/')) {
    const headers: Record<string, string> = {};
    const token = readFile(cfg.eval_hub.token_path);
    if (token) headers.authorization = `Bearer ${token}`;
    if (cfg.eval_hub.callback_token) headers['x-evalhub-callback-token'] = cfg.eval_hub.callback_token;
    const ns = readFile(process.env.POD_NAMESPACE ? undefined : NAMESPACE_FILE) ?? process.env.POD_NAMESPACE;
    if (ns) headers['x-tenant'] = ns;
    return { base: cfg.eval_hub.base_url, headers, keepPath: true };
  }
  if (/^\/api\/(2\.0|3\.0)\/mlflow(-artifacts)?\//.test(path)) {
    if (!cfg.mlflow?.tracking_uri) return undefined;
    const headers: Record<string, string> = {};
    const token = readFile(cfg.mlflow.token_path);
    if (token) headers.authorization = `Bearer ${token}`;
    if (cfg.mlflow.workspace) headers['x-mlflow-workspace'] = cfg.mlflow.workspace;
    return { base: cfg.mlflow.tracking_uri, headers, keepPath: true, caCertPath: cfg.mlflow.ca_cert_path };
  }
  if (!cfg.model?.url) return undefined;
  const headers: Record<string, string> = {};
  const key = readFile(cfg.model.auth_secret_mount_path ? `${cfg.model.auth_secret_mount_path}/api-key` : undefined);
  if (key) headers.authorization = `Bearer ${key}`;
  return { base: new URL(cfg.model.url).origin, headers, keepPath: true };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Streams the request to the upstream and the answer back; `onHeaders` may adjust the answer's headers. */
function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  extraHeaders: Record<string, string>,
  opts: { ca?: string; onHeaders?: (status: number, headers: http.IncomingHttpHeaders) => http.IncomingHttpHeaders } = {},
): void {
  const headers = { ...req.headers, ...extraHeaders, host: url.host };
  const mod = url.protocol === 'https:' ? https : http;
  const upstream = mod.request(url, { method: req.method, headers, ...(opts.ca && url.protocol === 'https:' ? { ca: opts.ca } : {}) }, (up) => {
    const status = up.statusCode ?? 502;
    res.writeHead(status, opts.onHeaders ? opts.onHeaders(status, up.headers) : up.headers);
    up.pipe(res);
  });
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message_code: 'sidecar_upstream_error', message: e.message, trace: '' }));
  });
  req.pipe(upstream);
}

/**
 * OCI distribution calls of the adapter (the SDK's OCI persister pushes to the sidecar in k8s
 * mode). Only the job's export repository is reachable; the registry's absolute upload
 * Locations are made relative so the adapter keeps talking to the sidecar.
 */
async function forwardOci(req: http.IncomingMessage, res: http.ServerResponse, oci: OciTarget, auth: RegistryAuth, path: string): Promise<void> {
  if (path === '/v2' || path === '/v2/') return sendJson(res, 200, {});
  const m = /^\/v2\/(.+?)\/(blobs|manifests|tags|referrers)\//.exec(path);
  if (!m || m[1] !== oci.repository) {
    return sendJson(res, 403, { errors: [{ code: 'DENIED', message: `the sidecar only forwards to the export repository ${oci.repository}` }] });
  }
  let authorization: string | undefined;
  try {
    authorization = await auth.authorization(oci.repository);
  } catch (e) {
    return sendJson(res, 502, { errors: [{ code: 'UNAUTHORIZED', message: `registry authentication failed: ${(e as Error).message}` }] });
  }
  forward(req, res, new URL(path, auth.origin), authorization ? { authorization } : {}, {
    onHeaders: (status, headers) => {
      if (status === 401) auth.invalidate(oci.repository);
      const location = headers.location;
      if (typeof location === 'string' && location.startsWith(auth.origin)) return { ...headers, location: location.slice(auth.origin.length) };
      return headers;
    },
  });
}

function main(): void {
  const cfg = loadConfig();
  const port = cfg.port ?? 8080;
  const registry = cfg.oci ? new RegistryAuth(cfg.oci) : undefined;
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/health') return sendJson(res, 200, { status: 'healthy' });
    if (path === '/v2' || path.startsWith('/v2/')) {
      if (!cfg.oci || !registry) return sendJson(res, 502, { message_code: 'sidecar_no_route', message: 'this job has no OCI export', trace: '' });
      void forwardOci(req, res, cfg.oci, registry, path);
      return;
    }
    const target = route(cfg, path);
    if (!target) return sendJson(res, 502, { message_code: 'sidecar_no_route', message: `no upstream configured for ${path}`, trace: '' });
    const url = new URL(path, target.base.replace(/\/+$/, '') + '/');
    forward(req, res, url, target.headers, { ca: target.caCertPath ? readFile(target.caCertPath) : undefined });
  });
  server.listen(port, process.env.SIDECAR_HOST ?? '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ level: 'info', service: 'evalhub-sidecar', msg: `sidecar listening on ${port}` }) + '\n');
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();
