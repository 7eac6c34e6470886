import { entriesAfter, isAfter, MAX_BUFFERED, READ_BATCH, ReaderConnection, StreamEntry, StreamFanout, StreamSource, Subscriber } from './stream-fanout';

const entry = (id: string): StreamEntry => [0, id, ['data', id]];
const ids = (entries: StreamEntry[]) => entries.map((e) => e[1]);

describe('isAfter', () => {
  it('orders entry ids as Redis does: time, then sequence, numerically', () => {
    expect(isAfter('2-0', '1-5')).toBe(true);
    expect(isAfter('1-10', '1-9')).toBe(true);
    expect(isAfter('10-0', '9-0')).toBe(true);
    expect(isAfter('1-5', '1-5')).toBe(false);
    expect(isAfter('1-4', '1-5')).toBe(false);
  });

  it('reads an id without its sequence as sequence 0, as XREAD does', () => {
    expect(isAfter('0-1', '0')).toBe(true);
    expect(isAfter('5-0', '5')).toBe(false);
    expect(isAfter('6', '5-3')).toBe(true);
  });
});

describe('entriesAfter', () => {
  it('keeps the entries after the cursor, in order', () => {
    expect(ids(entriesAfter([[entry('1-0'), entry('2-0')], [entry('3-0')]], '1-0'))).toEqual(['2-0', '3-0']);
    expect(entriesAfter([[entry('1-0'), entry('2-0')]], '5-0')).toEqual([]);
    expect(entriesAfter([], '0')).toEqual([]);
  });

  it('sends an entry in two batches once', () => {
    expect(ids(entriesAfter([[entry('1-0'), entry('2-0')], [entry('2-0'), entry('3-0')]], '0'))).toEqual(['1-0', '2-0', '3-0']);
  });

  it('hands a batch that is all new on as it is (one array for every watcher)', () => {
    const batch = [entry('4-0'), entry('5-0')];
    expect(entriesAfter([batch], '3-9')).toBe(batch);
  });
});

describe('Subscriber', () => {
  it('buffers nothing while behind, then every batch until taken', () => {
    const sub = new Subscriber();
    sub.deliver([entry('1-0')]);
    expect(sub.take('0')).toEqual([]);
    sub.behind = false;
    sub.deliver([entry('2-0')]);
    sub.deliver([entry('3-0')]);
    expect(ids(sub.take('1-0'))).toEqual(['2-0', '3-0']);
    expect(sub.take('1-0')).toEqual([]);
  });

  it('falls behind, dropping its buffer, when more than MAX_BUFFERED entries wait', () => {
    const sub = new Subscriber();
    sub.behind = false;
    for (let i = 1; i <= MAX_BUFFERED; i++) sub.deliver([entry(`${i}-0`)]);
    expect(sub.behind).toBe(false);
    sub.deliver([entry(`${MAX_BUFFERED + 1}-0`)]);
    expect(sub.behind).toBe(true);
    expect(sub.take('0')).toEqual([]);
  });

  it('wakes a waiter at a delivery, or after its time', async () => {
    const sub = new Subscriber();
    const t0 = Date.now();
    await sub.wait(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    const woken = sub.wait(10000);
    sub.deliver([entry('1-0')]);
    await woken;
  });
});

/** One Redis stream in memory, with the calls of a StreamSource; `opened` counts reader connections ever opened, `openNow` those still open. */
class FakeStream implements StreamSource {
  entries: StreamEntry[] = [];
  opened = 0;
  openNow = 0;
  failNext = false;
  /** Reads on the command connection (catch-ups). */
  catchUps = 0;
  private seq = 0;
  private waiters = new Set<() => void>();
  /** Runs before the command connection answers a catch-up read (to add entries while it is under way). */
  beforeCatchUp?: () => void;

  add(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.seq++;
      this.entries.push([0, `${1000 + this.seq}-0`, ['data', String(this.seq)]]);
    }
    for (const w of [...this.waiters]) w();
  }

  after(from: string): StreamEntry[] {
    return this.entries.filter((e) => isAfter(e[1], from)).slice(0, READ_BATCH);
  }

  async readAfter(_key: string, from: string): Promise<StreamEntry[]> {
    this.catchUps++;
    await Promise.resolve();
    this.beforeCatchUp?.();
    return this.after(from);
  }

  open(): ReaderConnection {
    this.opened++;
    this.openNow++;
    let closed = false;
    let kill: ((e: Error) => void) | undefined;
    return {
      newest: async () => this.entries[this.entries.length - 1]?.[1] ?? '0-0',
      readAfter: (_key, from, blockMs) =>
        new Promise<StreamEntry[]>((resolve, reject) => {
          const answer = () => {
            const found = this.after(from);
            if (found.length === 0) return false;
            done();
            resolve(found);
            return true;
          };
          const done = () => {
            this.waiters.delete(wake);
            clearTimeout(timer);
            kill = undefined;
          };
          const wake = () => {
            if (this.failNext) {
              this.failNext = false;
              done();
              reject(new Error('Connection is closed.'));
            } else answer();
          };
          const timer = setTimeout(() => {
            done();
            resolve([]);
          }, blockMs);
          timer.unref(); // a failed test must not keep jest running
          kill = (e) => {
            done();
            reject(e);
          };
          if (closed) return kill(new Error('Connection is closed.'));
          if (!answer()) this.waiters.add(wake);
        }),
      close: () => {
        if (closed) return;
        closed = true;
        this.openNow--;
        kill?.(new Error('Connection is closed.'));
      },
    };
  }
}

/** The entry ids a follow() yields until it has `count` of them (its idles skipped). */
async function collectEntries(gen: AsyncGenerator<StreamEntry[] | 'idle'>, count: number, out: string[] = []): Promise<string[]> {
  while (out.length < count) {
    const next = await gen.next();
    if (next.done) break;
    if (next.value !== 'idle') out.push(...ids(next.value));
  }
  return out;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('StreamFanout', () => {
  it('serves every watcher of a stream from one reader connection, closed when the last one leaves', async () => {
    const stream = new FakeStream();
    stream.add(3);
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const watchers = Array.from({ length: 5 }, () => fanout.follow('k', '0', ac.signal, 10000));
    const got = watchers.map((w) => collectEntries(w, 10));
    await tick();
    stream.add(4);
    await tick();
    stream.add(3);
    const all = stream.entries.map((e) => e[1]);
    for (const g of got) expect(await g).toEqual(all);
    expect(stream.opened).toBe(1);
    for (const w of watchers) await w.return(undefined);
    expect(stream.openNow).toBe(0);
  });

  it('a watcher that joins while entries keep coming gets each one once, in order', async () => {
    const stream = new FakeStream();
    stream.add(5);
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    // One watcher keeps the reader running; the next joins mid-stream, with entries added while it catches up.
    const first = fanout.follow('k', '0', ac.signal, 10000);
    const firstGot = collectEntries(first, 5 + 3 * READ_BATCH + 20);
    await tick();
    stream.add(READ_BATCH);
    let during = 2;
    stream.beforeCatchUp = () => {
      if (during-- > 0) stream.add(READ_BATCH);
    };
    const second = fanout.follow('k', '1002-0', ac.signal, 10000);
    const secondGot = collectEntries(second, 3 + 3 * READ_BATCH + 20);
    await tick();
    await tick();
    stream.add(20);
    const all = stream.entries.map((e) => e[1]);
    expect(await firstGot).toEqual(all);
    expect(await secondGot).toEqual(all.slice(2));
    expect(during).toBe(0); // both additions came while it caught up
    expect(stream.opened).toBe(1);
    ac.abort();
    await first.return(undefined);
    await second.return(undefined);
  });

  it("says 'idle' at once when there is nothing at first, then after idleMs without entries", async () => {
    const stream = new FakeStream();
    stream.add(2);
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const w = fanout.follow('k', '1002-0', ac.signal, 30);
    expect((await w.next()).value).toBe('idle');
    const t0 = Date.now();
    expect((await w.next()).value).toBe('idle');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    setTimeout(() => stream.add(), 5);
    expect(ids((await w.next()).value as StreamEntry[])).toEqual(['1003-0']);
    await w.return(undefined);
  });

  it('a watcher whose client reads slowly falls behind and still gets every entry once', async () => {
    const stream = new FakeStream();
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const fast = fanout.follow('k', '0', ac.signal, 10000);
    const slow = fanout.follow('k', '0', ac.signal, 10000);
    expect((await slow.next()).value).toBe('idle');
    const fastGot = collectEntries(fast, MAX_BUFFERED * 2 + 50);
    for (let i = 0; i < 2 * MAX_BUFFERED + 50; i += 50) {
      stream.add(50);
      await tick();
    }
    const all = stream.entries.map((e) => e[1]);
    expect(await fastGot).toEqual(all);
    // The slow one read nothing meanwhile: its buffer overflowed and it catches up from the stream.
    const before = stream.catchUps;
    expect(await collectEntries(slow, all.length)).toEqual(all);
    expect(stream.catchUps - before).toBe(Math.ceil(all.length / READ_BATCH));
    ac.abort();
    await fast.return(undefined);
    await slow.return(undefined);
  });

  it("ends every watcher with an error when the reader loses Redis; the next watcher gets a new reader", async () => {
    const stream = new FakeStream();
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const a = fanout.follow('k', '0', ac.signal, 10000);
    const b = fanout.follow('k', '0', ac.signal, 10000);
    expect((await a.next()).value).toBe('idle');
    expect((await b.next()).value).toBe('idle');
    const aNext = a.next();
    const bNext = b.next();
    await tick();
    stream.failNext = true;
    stream.add();
    await expect(aNext).rejects.toThrow('Connection is closed.');
    await expect(bNext).rejects.toThrow('Connection is closed.');
    expect(stream.openNow).toBe(0);
    const c = fanout.follow('k', '0', ac.signal, 10000);
    expect(ids((await c.next()).value as StreamEntry[])).toEqual(['1001-0']);
    expect(stream.opened).toBe(2);
    await c.return(undefined);
  });

  it('stops quietly when the client goes while it waits', async () => {
    const stream = new FakeStream();
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const w = fanout.follow('k', '0', ac.signal, 10000);
    expect((await w.next()).value).toBe('idle');
    const next = w.next();
    await tick();
    ac.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(stream.openNow).toBe(0);
  });

  it('close() ends every watcher with an error', async () => {
    const stream = new FakeStream();
    const fanout = new StreamFanout(stream);
    const ac = new AbortController();
    const w = fanout.follow('k', '0', ac.signal, 10000);
    expect((await w.next()).value).toBe('idle');
    const next = w.next();
    await tick();
    fanout.close();
    await expect(next).rejects.toThrow('closed');
    expect(stream.openNow).toBe(0);
  });
});
