import { Redis } from 'ioredis';
import { randomUUID } from 'crypto';
import { DocumentStore } from '../../src/core/redis/document-store';
import { RedisKeys } from '../../src/core/redis/redis-keys';
import { EvalHubService } from '../support/service';

interface Counter {
  resource: { id: string };
  n: number;
}

/** The document store against the suite's real Redis: compare-and-set and the no-op rule. */
describe('document store on real Redis', () => {
  let redis: Redis;
  let store: DocumentStore<Counter>;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
    store = new DocumentStore<Counter>(redis, new RedisKeys(`t${randomUUID().slice(0, 8)}`), 'job');
  });
  afterAll(() => redis.quit());

  it('loses no update under 50 parallel writers', async () => {
    await store.put({ resource: { id: 'c' }, n: 0 });
    // Separate connections, so the writes really interleave on the server.
    const conns = Array.from({ length: 5 }, () => new Redis(process.env.REDIS_URL!));
    const stores = conns.map((c) => new DocumentStore<Counter>(c, (store as unknown as { keys: RedisKeys }).keys, 'job'));
    await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % stores.length].update('c', (d) => ({ ...d, n: d.n + 1 }))));
    await Promise.all(conns.map((c) => c.quit()));
    expect((await store.get('c'))!.n).toBe(50);
  });

  it('answers a no-op update with the stored document itself and writes nothing', async () => {
    await store.put({ resource: { id: 'same' }, n: 7 });
    const same = await store.update('same', (d) => d);
    const equal = await store.update('same', (d) => ({ ...d, n: 7 }));
    expect(same!.after).toBe(same!.before);
    expect(equal!.after).toBe(equal!.before);
    const changed = await store.update('same', (d) => ({ ...d, n: 8 }));
    expect(changed!.after).not.toBe(changed!.before);
    expect((await store.get('same'))!.n).toBe(8);
  });
});

describe('a repeated cancel', () => {
  const svc = new EvalHubService();
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('publishes the cancel once: a second DELETE of a cancelled job sends nothing', async () => {
    const sub = new Redis(process.env.REDIS_URL!);
    const seen: string[] = [];
    await sub.subscribe(`${svc.prefix}:control`);
    sub.on('message', (_c, m) => seen.push(m));
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'c', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] });
    const id = res.body.resource.id;
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    // A marker published after both DELETEs: when it arrives, anything they sent has arrived too.
    const pub = new Redis(process.env.REDIS_URL!);
    await pub.publish(`${svc.prefix}:control`, 'marker');
    await new Promise<void>((resolve) => sub.on('message', (_c, m) => m === 'marker' && resolve()));
    await Promise.all([sub.quit(), pub.quit()]);
    expect(seen.filter((m) => m.includes(id))).toEqual([JSON.stringify({ type: 'cancel', jobId: id })]);
  });
});
