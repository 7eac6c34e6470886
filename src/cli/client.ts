// The CLI's way to the API: base URL, token and tenant from the environment, errors as messages.

export interface CliEnv {
  url: string;
  token?: string;
  tenant?: string;
}

export function cliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return { url: (env.EVALHUB_URL || 'http://127.0.0.1:8080').replace(/\/+$/, ''), token: env.EVALHUB_TOKEN || undefined, tenant: env.EVALHUB_TENANT || undefined };
}

export class CliError extends Error {}

function headers(env: CliEnv): Record<string, string> {
  return { ...(env.token ? { Authorization: `Bearer ${env.token}` } : {}), ...(env.tenant ? { 'X-Tenant': env.tenant } : {}) };
}

/** GET a JSON document; a non-2xx answer becomes a CliError with the API's message. */
export async function getJson<T>(env: CliEnv, path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${env.url}${path}`, { headers: headers(env) });
  } catch (e) {
    throw new CliError(`EvalHub is not reachable at ${env.url} (${(e as Error).message}); set EVALHUB_URL`);
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      const body = JSON.parse(text) as { message?: string; message_code?: string };
      message = `${body.message_code}: ${body.message}`;
    } catch {
      /* not JSON */
    }
    throw new CliError(`${res.status} ${message}${res.status === 401 ? ' (set EVALHUB_TOKEN)' : res.status === 403 ? ' (check EVALHUB_TENANT)' : ''}`);
  }
  return JSON.parse(text) as T;
}

/** The events of a Server-Sent Events stream until the server closes it. */
export async function* sseEvents(env: CliEnv, path: string): AsyncGenerator<{ event: string; data: unknown }> {
  const res = await fetch(`${env.url}${path}`, { headers: headers(env) });
  if (!res.ok || !res.body) throw new CliError(`${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data) yield { event, data: JSON.parse(data) };
    }
  }
}
