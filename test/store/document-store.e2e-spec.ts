import { randomUUID } from 'crypto';
import { Redis } from 'ioredis';
import { contentHash, DocumentStore } from '../../src/core/redis/document-store';
import { RedisKeys } from '../../src/core/redis/redis-keys';

interface Doc {
  resource: { id: string; created_at?: string };
  count: number;
  writers: string[];
  done?: boolean;
}

/** The document store against a real Redis: compare-and-set, no-op updates, index sets in step. */
describe('document store (real Redis)', () => {
  const keys = new RedisKeys(`t${randomUUID().slice(0, 8)}`);
  const active = `${keys.index('job')}:store-test`;
  const redis = new Redis(process.env.REDIS_URL!);
  const store = new DocumentStore<Doc>(redis, keys, 'job', [{ key: active, has: (d) => !d.done }]);
  afterAll(() => redis.quit());

  const fresh = async (): Promise<string> => {
    const id = randomUUID();
    await store.put({ resource: { id, created_at: new Date().toISOString() }, count: 0, writers: [] });
    return id;
  };

  it('loses no update under 50 parallel writers on 50 connections', async () => {
    const id = await fresh();
    const conns = Array.from({ length: 50 }, () => new Redis(process.env.REDIS_URL!));
    try {
      await Promise.all(
        conns.map((c, i) =>
          new DocumentStore<Doc>(c, keys, 'job').update(id, (d) => ({ ...d, count: d.count + 1, writers: [...d.writers, `w${i}`] })),
        ),
      );
    } finally {
      conns.forEach((c) => c.disconnect());
    }
    const doc = await store.get(id);
    expect(doc?.count).toBe(50);
    expect(new Set(doc?.writers).size).toBe(50);
  });

  it('a no-op update writes nothing and returns the stored document as both before and after', async () => {
    const id = await fresh();
    const key = keys.doc('job', id);
    const stored = await redis.get(key);
    // WATCH on a second connection: its EXEC fails if anything wrote the key meanwhile.
    const watcher = new Redis(process.env.REDIS_URL!);
    try {
      await watcher.watch(key);
      const same = await store.update(id, (d) => d);
      const equal = await store.update(id, (d) => ({ ...d, writers: [...d.writers] }));
      expect(same?.after).toBe(same?.before);
      expect(equal?.after).toBe(equal?.before);
      expect(await watcher.multi().get(key).exec()).not.toBeNull();
      expect(await redis.get(key)).toBe(stored);

      await watcher.watch(key);
      const changed = await store.update(id, (d) => ({ ...d, count: 1 }));
      expect(changed?.after).not.toBe(changed?.before);
      expect(changed?.before.count).toBe(0);
      expect(await watcher.multi().get(key).exec()).toBeNull();
    } finally {
      watcher.disconnect();
    }
  });

  it('keeps a membership set in step with each write, and delete clears it', async () => {
    const id = await fresh();
    expect(await redis.sismember(active, id)).toBe(1);
    await store.update(id, (d) => ({ ...d, done: true }));
    expect(await redis.sismember(active, id)).toBe(0);
    await store.update(id, (d) => ({ ...d, done: false }));
    expect(await redis.sismember(active, id)).toBe(1);
    const doc = (await store.get(id))!;
    expect(await store.delete(doc)).toBe(true);
    expect(await redis.sismember(active, id)).toBe(0);
    expect(await store.update(id, (d) => d)).toBeUndefined();
  });

  it('keeps the content hash of what is stored with every write (non-ASCII text too), and delete removes it', async () => {
    const id = await fresh();
    const hashOfStored = async () => contentHash((await redis.get(keys.doc('job', id)))!);
    expect(await store.storedHash(id)).toBe(await hashOfStored());
    const first = await store.storedHash(id);
    // Written by the compare-and-set script, whose hash Redis computes: it must equal ours.
    await store.update(id, (d) => ({ ...d, writers: ['é', '評価', '🙂'] }));
    expect(await store.storedHash(id)).toBe(await hashOfStored());
    expect(await store.storedHash(id)).not.toBe(first);
    await store.update(id, (d) => ({ ...d, writers: [] }));
    expect(await store.storedHash(id)).toBe(first);
    expect(await store.delete((await store.get(id))!)).toBe(true);
    expect(await store.storedHash(id)).toBeNull();
    expect(await redis.exists(keys.docHash('job', id))).toBe(0);
  });

  it("lets a document's own stream go a while after it is done, and keeps it again when it is not", async () => {
    const streamOf = (id: string) => `${keys.index('job')}:stream-test:${id}`;
    const shared = `${keys.index('job')}:stream-test-shared`;
    const streams = new DocumentStore<Doc>(redis, keys, 'job', [], [
      { key: (d) => streamOf(d.resource.id), entry: (d) => String(d.count), maxLen: 10, perDocument: true, expireAfterMs: (d) => (d.done ? 60_000 : undefined) },
      { key: () => shared, entry: (d) => String(d.count), maxLen: 10, perDocument: false },
    ]);
    const id = randomUUID();
    await streams.put({ resource: { id }, count: 0, writers: [], done: true });
    expect(await redis.pttl(streamOf(id))).toBeGreaterThan(59_000);
    await streams.update(id, (d) => ({ ...d, count: 1, done: false }));
    expect(await redis.pttl(streamOf(id))).toBe(-1);
    await streams.update(id, (d) => ({ ...d, count: 2, done: true }));
    const ttl = await redis.pttl(streamOf(id));
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    // Every write is in the stream, in order; a stream without an expiry is never given one.
    expect((await redis.xrange(streamOf(id), '-', '+')).map(([, f]) => f[1])).toEqual(['0', '1', '2']);
    expect(await redis.pttl(shared)).toBe(-1);
  });
});
