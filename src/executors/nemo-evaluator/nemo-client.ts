import { NemoContainer } from '../../domain/nemo-evaluator-settings';
import { Answer, httpCall } from '../http-call';

export { ConnectionError } from '../http-call';

export function containerUrl(c: NemoContainer, path = ''): string {
  return `${c.scheme}://${c.host.includes(':') && !c.host.startsWith('[') ? `[${c.host}]` : c.host}:${c.port}${path}`;
}

/** One request to an evaluator container: JSON body, bearer token, the settings' TLS check. */
export function send(
  c: NemoContainer,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; token?: string; verifySsl: boolean; timeoutMs: number; signal?: AbortSignal },
): Promise<Answer> {
  const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
  return httpCall(containerUrl(c, path), {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}) },
    body,
    verifySsl: opts.verifySsl,
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
  });
}
