// Server-Sent Events over fetch(): EventSource cannot send Authorization or X-Tenant, which
// cluster mode needs, so the stream is read and parsed here, with EventSource's reconnect rules
// (Last-Event-ID, the server's `retry:`).
import { errorFrom, type ApiError } from './client';
import { authHeaders } from './settings';

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export interface StreamHandlers {
  onEvent(e: SseEvent): void;
  /** An HTTP error answer; 4xx ones end the stream (reconnecting would get the same). */
  onError?(e: ApiError): void;
  /** Connected (true) or waiting to reconnect (false). */
  onConnection?(open: boolean): void;
}

export interface Stream {
  close(): void;
}

/** Splits a text stream into SSE events (the subset the API sends: event, data, id, retry). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id?: string;
  retryMs?: number;

  constructor(private readonly emit: (e: SseEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) {
        this.emit({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      }
      this.event = '';
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return; // keep-alive comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}

/**
 * Follows an event stream until close(): reconnects after the server ends it or the network
 * drops, resuming after the last event id. Callers close it when a terminal event arrived.
 */
export function openStream(url: string, handlers: StreamHandlers): Stream {
  const abort = new AbortController();
  let closed = false;
  let lastId: string | undefined;
  let retryMs = 3000;

  const run = async () => {
    while (!closed) {
      try {
        const headers: Record<string, string> = { ...authHeaders(), Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(url, { headers, signal: abort.signal, cache: 'no-store' });
        if (!res.ok) {
          const err = await errorFrom(res);
          handlers.onError?.(err);
          if (res.status < 500) return;
        } else if (res.body) {
          handlers.onConnection?.(true);
          const parser = new SseParser((e) => {
            if (e.id) lastId = e.id; // kept even if the connection drops mid-read
            if (!closed) handlers.onEvent(e);
          });
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done || closed) break;
            parser.push(value);
          }
          retryMs = parser.retryMs ?? retryMs;
        }
      } catch {
        if (closed) return;
      }
      if (closed) return;
      handlers.onConnection?.(false);
      await new Promise((r) => setTimeout(r, retryMs));
    }
  };
  void run();
  return {
    close() {
      closed = true;
      abort.abort();
    },
  };
}
