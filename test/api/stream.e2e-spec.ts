import { Redis } from 'ioredis';
import { collect, openStream, readEvents } from '../support/sse';
import { EvalHubService } from '../support/service';

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

  it('with logs=true the run\'s log lines come in the stream too, and a resume repeats none of them', async () => {
    const id = await submit({ delay_ms: 1500 });
    const url = `${svc.baseUrl}/api/v1/evaluations/jobs/${id}/stream?logs=true`;
    // Disconnect after the first log line, then resume from its id.
    // Cut at the adapter's first line (the worker's own lines come before it).
    const first = await collect(await openStream(url), { stopWhen: (e) => e.event === 'log' && String(e.data.line).includes('benchmark alpha') });
    const cut = first.events[first.events.length - 1];
    expect(cut.data).toMatchObject({ unit: expect.any(String), benchmark_indexes: [0], line: expect.stringContaining('benchmark alpha') });
    const resumed = await readEvents(url, { headers: { 'Last-Event-ID': cut.id! } });
    expect(resumed.closedByServer).toBe(true);
    const kinds = resumed.events.map((e) => e.event);
    expect(kinds[kinds.length - 1]).toBe('result');
    // The adapter's last line ('done') is written as the run ends; it comes before the result.
    expect(resumed.events.filter((e) => e.event === 'log').map((e) => e.data.line)).toContain('done');

    const all = await readEvents(url);
    expect([...first.events, ...resumed.events].map((e) => `${e.event} ${e.id}`)).toEqual(all.events.map((e) => `${e.event} ${e.id}`));
    const lines = all.events.filter((e) => e.event === 'log').map((e) => e.data.line);
    expect(new Set(lines).size).toBe(lines.length);
    // The same lines as the logs route serves (under its '=== run=… ===' heading).
    const logs = await fetch(`${svc.baseUrl}/api/v1/evaluations/jobs/${id}/logs`);
    expect((await logs.text()).trim().split('\n').filter((l) => !l.startsWith('=== run='))).toEqual(lines);
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

    // The finished job's history stays an hour after its last write, then goes; a watcher then
    // gets the final state alone.
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const key = `${svc.prefix}:jobstream:job:${id}`;
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(3_500_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
    const gone = await readEvents(url, { timeoutMs: 20000 });
    expect(gone.closedByServer).toBe(true);
    expect(gone.events.map((e) => e.event)).toEqual(['result']);
    expect(gone.events[0].data).toMatchObject({ id, state: 'completed', results: { benchmarks: [{ id: 'alpha' }] } });
    // So does one that left while it ran and comes back after that.
    const late = await readEvents(url, { headers: { 'Last-Event-ID': done.events[0].id! }, timeoutMs: 20000 });
    expect(late.events.map((e) => e.event)).toEqual(['result']);
    expect(late.events[0].data).toMatchObject({ id, state: 'completed' });
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
