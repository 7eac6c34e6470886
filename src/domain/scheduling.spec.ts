import { benchmarkQueuePlaces, unitPriority, waitingUnitKeys } from './scheduling';

describe('scheduling', () => {
  it('puts every high unit before every normal one, and normal before low', () => {
    expect(unitPriority('high', 10_000)).toBeLessThan(unitPriority('normal', 0));
    expect(unitPriority('normal', 10_000)).toBeLessThan(unitPriority('low', 0));
    expect(unitPriority(undefined, 3)).toBe(unitPriority('normal', 3));
  });

  it("gives a tenant's units rising priorities, so two tenants' queues interleave", () => {
    const a = [0, 1, 2].map((n) => ({ who: 'a', p: unitPriority('normal', n) }));
    const b = [0, 1, 2].map((n) => ({ who: 'b', p: unitPriority('normal', n) }));
    // BullMQ orders by priority, then arrival: a's three units were queued first.
    const order = [...a, ...b].map((x, arrival) => ({ ...x, arrival })).sort((x, y) => x.p - y.p || x.arrival - y.arrival);
    expect(order.map((x) => x.who)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('stays inside its band and within BullMQ range', () => {
    expect(unitPriority('low', 1e12)).toBeLessThanOrEqual(2_097_152);
    expect(unitPriority('high', -5)).toBe(1);
  });
});

describe('queue places of a job', () => {
  const job = {
    status: { benchmarks: [{ benchmark_index: 0, status: 'running' }, { benchmark_index: 1, status: 'pending' }, { benchmark_index: 2, status: 'pending' }] },
    runs: [
      { key: 'b0', indexes: [0] },
      { key: 'g1', indexes: [1, 2] },
      { key: 'b3', indexes: [3] },
    ],
  };

  it('asks only for units with a benchmark that has not started', () => {
    // Index 3 has no status entry yet: not started either.
    expect(waitingUnitKeys(job)).toEqual(['g1', 'b3']);
    expect(waitingUnitKeys({ status: { benchmarks: [] } })).toEqual([]);
  });

  it("gives each benchmark that has not started its unit's place, and none to a started one or a unit without a place", () => {
    const places = benchmarkQueuePlaces(job, new Map([['b0', 1], ['g1', 4]]));
    expect([...places]).toEqual([[1, 4], [2, 4]]);
  });
});
