import { ActiveRuns } from './active-runs';

describe('ActiveRuns', () => {
  it('lets a second delivery of a unit wait for the run already going on', async () => {
    const runs = new ActiveRuns();
    const first = runs.start('job', 'u0', 60000);
    const here = runs.running('job', 'u0');
    expect(here).toBeDefined();
    expect(runs.running('job', 'u1')).toBeUndefined();
    let waited = false;
    const waiting = here!.finished.then(() => (waited = true));
    await Promise.resolve();
    expect(waited).toBe(false);
    runs.cancelJob('job');
    expect(here!.reason()).toBe('cancelled');
    first.done();
    await waiting;
    expect(waited).toBe(true);
    expect(runs.running('job', 'u0')).toBeUndefined();
  });

  it('stops a run at its timeout', () => {
    jest.useFakeTimers();
    const runs = new ActiveRuns();
    const run = runs.start('job', 'u0', 1000);
    jest.advanceTimersByTime(1001);
    expect(run.signal.aborted).toBe(true);
    expect(run.reason()).toBe('timeout');
    run.done();
    jest.useRealTimers();
  });
});
