import { EvalHubService } from '../support/service';

interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

interface Opened {
  res: Response;
  ac: AbortController;
}

/** Opens an event stream: resolves once the server answered (its headers arrived). */
async function openStream(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  const ac = new AbortController();
  return { res: await fetch(url, { headers, signal: ac.signal }), ac };
}

/**
 * Collects the events of an open stream until the server closes it, `stopAfter` events arrived
 * (then it disconnects), or the timeout.
 */
async function collect({ res, ac }: Opened, opts: { stopAfter?: number; stopWhen?: (e: SseEvent) => boolean; timeoutMs?: number } = {}): Promise<{ status: number; events: SseEvent[]; closedByServer: boolean }> {
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

async function readEvents(url: string, opts: { headers?: Record<string, string>; stopAfter?: number; timeoutMs?: number } = {}) {
  return collect(await openStream(url, opts.headers), opts);
}

describe('live job streams (Server-Sent Events)', () => {
  const svc = new EvalHubService();
  const providers: Record<string, string> = {};
  beforeAll(async () => {
    await svc.start();
    for (const t of ['', 'team-a', 'team-b']) providers[t] = await svc.createTestProvider(t ? { 'X-Tenant': t } : {});
  });
  afterAll(() => svc.stop());

  const submit = async (parameters: object, headers: Record<string, string> = {}) => {
    const provider = providers[headers['X-Tenant'] ?? ''];
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'streamed', model: { url: 'http://127.0.0.1:9/v1', name: 'm' }, benchmarks: [{ id: 'alpha', provider_id: provider, parameters }] }, headers);
    expect(res.status).toBe(202);
    return res.body.resource.id as string;
  };

  it('a client that reconnects with Last-Event-ID gets every later event exactly once; the stream ends with the result', async () => {
    const id = await submit({ delay_ms: 1500 });
    const url = `${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream`;
    const first = await readEvents(url, { stopAfter: 2 });
    expect(first.events.map((e) => e.event)).toEqual(['status', 'status']);
    expect(first.events[0].data).toMatchObject({ id, state: 'pending' });
    const resumed = await readEvents(url, { headers: { 'Last-Event-ID': first.events[1].id! } });
    expect(resumed.closedByServer).toBe(true);
    const last = resumed.events[resumed.events.length - 1];
    expect(last.event).toBe('result');
    expect(last.data).toMatchObject({ state: 'completed', results: { benchmarks: [{ id: 'alpha', metrics: { acc: 0.7 } }] } });

    // The whole history, read after the end: what the two connections saw, in order, no gaps, no repeats.
    const all = await readEvents(url);
    expect(all.closedByServer).toBe(true);
    expect([...first.events, ...resumed.events].map((e) => e.id)).toEqual(all.events.map((e) => e.id));
    expect(new Set(all.events.map((e) => e.id)).size).toBe(all.events.length);
    // Phases went by on the way: the adapter's running/initializing and running_evaluation.
    expect(all.events.some((e) => e.data.benchmarks?.[0]?.phase === 'running_evaluation')).toBe(true);
  });

  it('a finished job answers its final state and closes; a reconnect after the end closes at once', async () => {
    const id = await submit({ delay_ms: 10 });
    await svc.waitForState(id, ['completed']);
    const url = `${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream`;
    const done = await readEvents(url, { timeoutMs: 10000 });
    expect(done.closedByServer).toBe(true);
    expect(done.events[done.events.length - 1]).toMatchObject({ event: 'result', data: { state: 'completed' } });
    const after = await readEvents(url, { headers: { 'Last-Event-ID': done.events[done.events.length - 1].id! }, timeoutMs: 20000 });
    expect(after.closedByServer).toBe(true);
    expect(after.events).toEqual([]);
  });

  it("another tenant's stream is a 404, like its job; bad query parameters are a 400", async () => {
    const id = await submit({ delay_ms: 10 }, { 'X-Tenant': 'team-a' });
    const other = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream`, { headers: { 'X-Tenant': 'team-b' } });
    expect(other.status).toBe(404);
    expect(((await other.json()) as any).message_code).toBe('resource_not_found');
    const unknown = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs/00000000-0000-0000-0000-000000000000/stream`);
    expect(unknown.status).toBe(404);
    const bad = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream?follow=1`, { headers: { 'X-Tenant': 'team-a' } });
    expect(bad.status).toBe(400);
  });

  it('the all-jobs stream shows each change of the jobs the caller may see, live', async () => {
    const url = `${svc.baseUrl}/api/v1/evaluations/jobs/stream`;
    // Open (the server has answered), then a job of another tenant and one of ours.
    const opened = await openStream(url, { 'X-Tenant': 'team-a' });
    await submit({ delay_ms: 10 }, { 'X-Tenant': 'team-b' });
    const ours = await submit({ delay_ms: 10 }, { 'X-Tenant': 'team-a' });
    const seen = await collect(opened, { stopWhen: (e) => e.data.id === ours && e.data.state === 'completed', timeoutMs: 30000 });
    // Every change of our job, in order, and nothing of the other tenant's.
    const mine = seen.events.filter((e) => e.data.id === ours);
    expect(mine[0].data.state).toBe('pending');
    expect(mine[mine.length - 1].data.state).toBe('completed');
    expect(mine.every((e) => e.event === 'job' && e.data.tenant === 'team-a')).toBe(true);
    expect(seen.events.every((e) => e.data.tenant === 'team-a')).toBe(true);
  });
});
