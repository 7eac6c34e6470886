import { spawn } from 'child_process';

/**
 * EVALHUB_CA_CERT_PATH (a PEM bundle that signs the service's certificate) and EVALHUB_INSECURE=true
 * for the CLI and the MCP server, as upstream's client reads them. Node's fetch takes its CAs when
 * the process starts, so the process starts itself once more with NODE_EXTRA_CA_CERTS (or
 * NODE_TLS_REJECT_UNAUTHORIZED=0) set, with the same stdio; resolves with the child's exit code.
 * Undefined when nothing needs setting (or it is set already).
 */
export function relaunchForTls(env: NodeJS.ProcessEnv = process.env): Promise<number> | undefined {
  const want: Record<string, string> = {};
  if (env.EVALHUB_CA_CERT_PATH) want.NODE_EXTRA_CA_CERTS = env.EVALHUB_CA_CERT_PATH;
  if (env.EVALHUB_INSECURE === 'true') want.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  if (Object.entries(want).every(([k, v]) => env[k] === v)) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env: { ...env, ...want }, stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => child.kill(sig));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}
