/** Server-Sent Events as a client reads them (fetch streaming, like the dashboard does). */
export interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

export interface Opened {
  res: Response;
  ac: AbortController;
}

/** Opens an event stream: resolves once the server answered (its headers arrived). */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  const ac = new AbortController();
  return { res: await fetch(url, { headers, signal: ac.signal }), ac };
}

/**
 * Collects the events of an open stream until the server closes it, `stopAfter` events arrived
 * (then it disconnects), or the timeout.
 */
export async function collect({ res, ac }: Opened, opts: { stopAfter?: number; stopWhen?: (e: SseEvent) => boolean; timeoutMs?: number } = {}): Promise<{ status: number; events: SseEvent[]; closedByServer: boolean }> {
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 60000);
  const events: SseEvent[] = [];
  if (res.status !== 200 || !res.body) {
    clearTimeout(timer);
    return { status: res.status, events, closedByServer: true };
  }
  let buf = '';
  let closedByServer = false;
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const c = line.indexOf(':');
          fields[line.slice(0, c)] = line.slice(c + 1).trimStart();
        }
        if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        if ((opts.stopAfter && events.length >= opts.stopAfter) || (opts.stopWhen && events.length && opts.stopWhen(events[events.length - 1]))) {
          ac.abort();
          return { status: 200, events, closedByServer: false };
        }
      }
    }
    closedByServer = true;
  } catch {
    /* aborted */
  } finally {
    clearTimeout(timer);
  }
  return { status: 200, events, closedByServer };
}

export async function readEvents(url: string, opts: { headers?: Record<string, string>; stopAfter?: number; timeoutMs?: number } = {}) {
  return collect(await openStream(url, opts.headers), opts);
}

