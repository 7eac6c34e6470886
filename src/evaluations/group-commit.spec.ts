import { GroupCommit, ItemOutcome } from './group-commit';

/** A commit that takes a turn of the event loop and records what each call carried. */
function recorder(fail?: (item: number) => boolean) {
  const calls: { key: string; items: number[] }[] = [];
  const commit = async (key: string, items: number[]): Promise<ItemOutcome<string>[]> => {
    calls.push({ key, items });
    await new Promise((r) => setImmediate(r));
    return items.map((i) => (fail?.(i) ? { ok: false, error: new Error(`item ${i} refused`) } : { ok: true, value: `${key}:${items.join('+')}` }));
  };
  return { calls, commit };
}

describe('GroupCommit', () => {
  it('commits the first item alone and everything that came meanwhile together, in order', async () => {
    const { calls, commit } = recorder();
    const gc = new GroupCommit(commit);
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.submit('job-a', i)));
    expect(calls).toEqual([
      { key: 'job-a', items: [1] },
      { key: 'job-a', items: [2, 3, 4] },
    ]);
    expect(results).toEqual(['job-a:1', 'job-a:2+3+4', 'job-a:2+3+4', 'job-a:2+3+4']);
  });

  it('keeps keys apart: another key does not wait', async () => {
    const { calls, commit } = recorder();
    const gc = new GroupCommit(commit);
    await Promise.all([gc.submit('a', 1), gc.submit('b', 2), gc.submit('a', 3)]);
    expect(calls).toEqual([
      { key: 'a', items: [1] },
      { key: 'b', items: [2] },
      { key: 'a', items: [3] },
    ]);
  });

  it('gives each item its own outcome, and a failed commit fails only the items it carried', async () => {
    const { commit } = recorder((i) => i === 2);
    const gc = new GroupCommit(commit);
    const settled = await Promise.allSettled([gc.submit('k', 1), gc.submit('k', 2), gc.submit('k', 3)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('item 2 refused');

    let first = true;
    const flaky = new GroupCommit<number, number>(async (_k, items) => {
      if (first) {
        first = false;
        throw new Error('store down');
      }
      return items.map((v) => ({ ok: true, value: v * 10 }));
    });
    const [a, b] = await Promise.allSettled([flaky.submit('k', 1), flaky.submit('k', 2)]);
    expect(a).toMatchObject({ status: 'rejected', reason: new Error('store down') });
    expect(b).toEqual({ status: 'fulfilled', value: 20 });
    // The key is free again once its queue is empty.
    await expect(flaky.submit('k', 5)).resolves.toBe(50);
  });
});
