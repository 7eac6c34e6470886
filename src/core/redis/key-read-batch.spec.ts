import { KeyReadBatch } from './key-read-batch';

/** An MGET over a fixed map that records the keys of each call; `fail` makes the next call reject. */
function fakeRedis(values: Record<string, string>) {
  const calls: string[][] = [];
  const state = { fail: false };
  const redis = {
    mget: async (keys: string[]) => {
      calls.push([...keys]);
      if (state.fail) {
        state.fail = false;
        throw new Error('connection lost');
      }
      return keys.map((k) => values[k] ?? null);
    },
  };
  return { redis: redis as never, calls, state };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('KeyReadBatch', () => {
  it('sends the reads asked in one turn as one MGET and gives each its own value', async () => {
    const fake = fakeRedis({ a: '1', b: '2' });
    const batch = new KeyReadBatch(fake.redis);
    // Asked from separate callbacks of the same turn, as reads of separate connections are.
    const reads: Promise<string | null>[] = [];
    await new Promise<void>((done) => {
      for (const k of ['a', 'missing', 'b', 'a']) process.nextTick(() => reads.push(batch.get(k)));
      process.nextTick(done);
    });
    expect(await Promise.all(reads)).toEqual(['1', null, '2', '1']);
    expect(fake.calls).toEqual([['a', 'missing', 'b', 'a']]);
  });

  it('sends a read asked in a later turn in a new MGET', async () => {
    const fake = fakeRedis({ a: '1', b: '2' });
    const batch = new KeyReadBatch(fake.redis);
    const first = batch.get('a');
    await nextTurn();
    const second = batch.get('b');
    expect([await first, await second]).toEqual(['1', '2']);
    expect(fake.calls).toEqual([['a'], ['b']]);
  });

  it('rejects every read of a failed MGET, and the next turn reads again', async () => {
    const fake = fakeRedis({ a: '1' });
    const batch = new KeyReadBatch(fake.redis);
    fake.state.fail = true;
    const failed = [batch.get('a'), batch.get('b')].map((p) => p.catch((e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    expect(await batch.get('a')).toBe('1');
  });

  it('sends at most 500 keys per MGET', async () => {
    const fake = fakeRedis({ k7: 'seven', k1199: 'last' });
    const batch = new KeyReadBatch(fake.redis);
    const reads = Array.from({ length: 1200 }, (_, i) => batch.get(`k${i}`));
    const values = await Promise.all(reads);
    expect(fake.calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect([values[7], values[1199], values[8]]).toEqual(['seven', 'last', null]);
  });
});
