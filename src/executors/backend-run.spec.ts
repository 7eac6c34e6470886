import { RunContext, UnitEvent } from './executor.interface';
import { progressReporter } from './backend-run';

/** The reporter only needs ctx.report, ctx.signal and ctx.indexes. */
function fakeContext(): { ctx: RunContext; sent: UnitEvent[] } {
  const sent: UnitEvent[] = [];
  const ctx = {
    indexes: [0],
    signal: new AbortController().signal,
    report: async (_i: number, ev: UnitEvent) => {
      sent.push(ev);
    },
  } as unknown as RunContext;
  return { ctx, sent };
}

describe('progressReporter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('starts evaluation at 0, then reports share, count and unit', () => {
    const { ctx, sent } = fakeContext();
    const report = progressReporter(ctx, 'samples');
    report({ phase: 'loading_data' });
    report({ phase: 'running_evaluation' });
    jest.advanceTimersByTime(1500);
    report({ phase: 'running_evaluation', done: 5, total: 20 });
    expect(sent.map((e) => [e.phase, e.progress])).toEqual([
      ['loading_data', undefined],
      ['running_evaluation', 0],
      ['running_evaluation', 0.25],
    ]);
    expect(sent[2]).toMatchObject({ completed_count: 5, total_count: 20, count_unit: 'samples' });
  });

  it('estimates the time left from the rate since evaluation began', () => {
    const { ctx, sent } = fakeContext();
    const report = progressReporter(ctx, 'requests');
    report({ phase: 'running_evaluation', done: 0, total: 100 });
    jest.advanceTimersByTime(10000);
    report({ phase: 'running_evaluation', done: 25, total: 100 });
    // 25% in 10 s: 75% left takes 30 s.
    expect(sent[sent.length - 1].eta_seconds).toBe(30);
  });

  it('never goes back when a tool restarts its bar', () => {
    const { ctx, sent } = fakeContext();
    const report = progressReporter(ctx, 'requests');
    report({ phase: 'running_evaluation', done: 8, total: 10 });
    jest.advanceTimersByTime(2000);
    report({ phase: 'running_evaluation', done: 1, total: 10 });
    expect(sent.map((e) => e.progress)).toEqual([0.8]);
  });

  it('holds fast updates back, then sends the latest one a second after the last report', () => {
    const { ctx, sent } = fakeContext();
    const report = progressReporter(ctx, 'rows');
    report({ phase: 'running_evaluation', done: 1, total: 10 });
    jest.advanceTimersByTime(200);
    report({ phase: 'running_evaluation', done: 2, total: 10 });
    jest.advanceTimersByTime(200);
    report({ phase: 'running_evaluation', done: 3, total: 10 });
    expect(sent.map((e) => e.completed_count)).toEqual([1]);
    jest.advanceTimersByTime(600);
    expect(sent.map((e) => e.completed_count)).toEqual([1, 3]);
  });

  it('sends a phase change and the last count at once', () => {
    const { ctx, sent } = fakeContext();
    const report = progressReporter(ctx, 'probes');
    report({ phase: 'running_evaluation', done: 1, total: 2 });
    report({ phase: 'running_evaluation', done: 2, total: 2 });
    report({ phase: 'persisting_artifacts' });
    expect(sent.map((e) => [e.phase, e.progress])).toEqual([
      ['running_evaluation', 0.5],
      ['running_evaluation', 1],
      ['persisting_artifacts', 1],
    ]);
  });
});
