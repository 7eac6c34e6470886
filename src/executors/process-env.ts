import { AppConfig } from '../core/config/app-config';

/** Variables a backend process may inherit from the worker: locale, paths, proxies, CA bundles, hub caches. */
const INHERITED = new Set([
  'PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TZ', 'TMPDIR', 'LANG', 'LANGUAGE',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'XDG_CACHE_HOME', 'XDG_CONFIG_HOME',
]);
const INHERITED_PREFIXES = ['LC_', 'HF_', 'TRANSFORMERS_', 'EVALHUB_PASSTHROUGH_'];

/**
 * The environment of a process the worker starts for a benchmark: only what the list above lets
 * through, plus what the run itself needs (`extra`). Never the worker's Redis URL, API tokens or
 * other secrets, which every tenant's backend would otherwise be able to read.
 */
export function backendEnv(cfg: Pick<AppConfig, 'secrets'>, extra: Record<string, string | undefined>, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith(cfg.secrets.envPrefix)) continue;
    if (INHERITED.has(k) || INHERITED_PREFIXES.some((p) => k.startsWith(p))) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}
