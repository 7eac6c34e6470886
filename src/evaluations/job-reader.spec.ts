import { RequestContext } from '../core/http/request-context';
import { contentHash } from '../core/redis/document-store';
import { JobRecord } from '../domain/types';
import { EvaluationsService } from './evaluations.service';
import { ExperimentTracker } from './experiment-tracker';
import { JobReader } from './job-reader';

/** A stored job of tenant `t1` with one benchmark that waits for a worker. */
function storedJob(overrides: Partial<JobRecord> = {}): JobRecord {
  return {
    resource: { id: 'j1', tenant: 't1', created_at: '2026-12-07T00:00:00Z' },
    status: { state: 'pending', message: null, benchmarks: [{ provider_id: 'p', id: 'b', benchmark_index: 0, status: 'pending' }] },
    results: {},
    config: { name: 'job', model: { url: 'http://m', name: 'm' } },
    benchmarks: [{ provider_id: 'p', id: 'b' }],
    runs: [{ key: 'u0', indexes: [0] }],
    ...overrides,
  } as unknown as JobRecord;
}

/**
 * The store and queue the reader asks: the document, the benchmark's queue place, the average run.
 * The content hash is the document's own, as the store's writers keep it, unless `hash` is set
 * (what a writer that keeps none leaves).
 */
function fakeEvaluations(state: { raw: string | null; place: number; avg?: number; hash?: string | null }) {
  let eta: { avg: number; fn: (place: number) => number } | undefined;
  const calls = { places: 0, stored: 0 };
  const evaluations = {
    stored: async () => {
      calls.stored++;
      return state.raw;
    },
    storedHash: async () => (state.hash !== undefined ? state.hash : state.raw && contentHash(state.raw)),
    // The service's own rule for which stored job a caller sees.
    visible: EvaluationsService.prototype.visible,
    get: async (id: string, caller: RequestContext) => EvaluationsService.prototype.visible(id, state.raw, caller),
    queuePlaces: async () => {
      calls.places++;
      return new Map([[0, state.place]]);
    },
    queueEta: async () => {
      if (!state.avg) return undefined;
      const avg = state.avg;
      if (eta?.avg !== avg) eta = { avg, fn: (place: number) => place * avg };
      return eta.fn;
    },
  };
  return { evaluations: evaluations as unknown as EvaluationsService, calls };
}

const tracker = { enabled: false } as unknown as ExperimentTracker;
const owner = { requestId: 'r', tenant: 't1' };

describe('JobReader.readJson', () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('gives the body the object read gives, queue place and start estimate included', async () => {
    const state = { raw: JSON.stringify(storedJob()), place: 3, avg: 20 };
    const reader = new JobReader(fakeEvaluations(state).evaluations, tracker);
    const body = JSON.parse(await reader.readJson('j1', owner));
    expect(body).toEqual(await reader.read('j1', owner));
    expect(body.status.benchmarks[0]).toMatchObject({ status: 'pending', queue_position: 3, queue_eta_seconds: 60 });
  });

  it('shows a changed document at once, within the second its body is kept', async () => {
    const state = { raw: JSON.stringify(storedJob()), place: 1 };
    const reader = new JobReader(fakeEvaluations(state).evaluations, tracker);
    expect(JSON.parse(await reader.readJson('j1', owner)).status.state).toBe('pending');
    state.raw = JSON.stringify(storedJob({ status: { state: 'running', message: null, benchmarks: [{ provider_id: 'p', id: 'b', benchmark_index: 0, status: 'running' }] } } as Partial<JobRecord>));
    now += 10;
    const body = JSON.parse(await reader.readJson('j1', owner));
    expect(body.status.state).toBe('running');
    expect(body.status.benchmarks[0].status).toBe('running');
  });

  it("answers another tenant 404 for a job whose body is kept, and an unknown job 404", async () => {
    const state = { raw: JSON.stringify(storedJob()) as string | null, place: 1 };
    const reader = new JobReader(fakeEvaluations(state).evaluations, tracker);
    await reader.readJson('j1', owner);
    await expect(reader.readJson('j1', { requestId: 'r', tenant: 't2' })).rejects.toMatchObject({ status: 404 });
    // No tenant (local mode, a single user) sees it.
    expect(JSON.parse(await reader.readJson('j1', { requestId: 'r' })).resource.id).toBe('j1');
    state.raw = null;
    await expect(reader.readJson('j1', owner)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps a queue place for a second, then shows where the benchmark is now', async () => {
    const state = { raw: JSON.stringify(storedJob()), place: 5 };
    const fake = fakeEvaluations(state);
    const reader = new JobReader(fake.evaluations, tracker);
    const place = async () => JSON.parse(await reader.readJson('j1', owner)).status.benchmarks[0].queue_position;
    expect(await place()).toBe(5);
    state.place = 4;
    now += 500;
    expect(await place()).toBe(5);
    expect(fake.calls.places).toBe(1);
    now += 600;
    expect(await place()).toBe(4);
    expect(fake.calls.places).toBe(2);
  });

  it('shows a finished job without asking the queue', async () => {
    const done = storedJob({ status: { state: 'completed', message: null, benchmarks: [{ provider_id: 'p', id: 'b', benchmark_index: 0, status: 'completed' }] } } as Partial<JobRecord>);
    const state = { raw: JSON.stringify(done), place: 1 };
    const fake = fakeEvaluations(state);
    const reader = new JobReader(fake.evaluations, tracker);
    now += 5000;
    expect(JSON.parse(await reader.readJson('j1', owner)).status.state).toBe('completed');
    now += 5000;
    expect(JSON.parse(await reader.readJson('j1', owner)).status.benchmarks[0]).not.toHaveProperty('queue_position');
    expect(fake.calls.places).toBe(0);
  });

  it('reads only the content hash of a kept document while it is current, and the whole document every second', async () => {
    const state = { raw: JSON.stringify(storedJob()), place: 1 };
    const fake = fakeEvaluations(state);
    const reader = new JobReader(fake.evaluations, tracker);
    const first = await reader.readJson('j1', owner);
    for (let i = 0; i < 5; i++) {
      now += 150;
      expect(await reader.readJson('j1', owner)).toBe(first);
    }
    expect(fake.calls.stored).toBe(1);
    now += 300;
    expect(await reader.readJson('j1', owner)).toBe(first);
    expect(fake.calls.stored).toBe(2);
  });

  it('shows within a second a change made by a writer that keeps no content hash', async () => {
    const state: { raw: string; place: number; hash?: string } = { raw: JSON.stringify(storedJob()), place: 1 };
    const reader = new JobReader(fakeEvaluations(state).evaluations, tracker);
    await reader.readJson('j1', owner);
    // An older version's plain write: new content, the old hash stays.
    state.hash = contentHash(state.raw);
    state.raw = JSON.stringify(storedJob({ status: { state: 'failed', message: null, benchmarks: [{ provider_id: 'p', id: 'b', benchmark_index: 0, status: 'failed' }] } } as Partial<JobRecord>));
    now += 999;
    expect(JSON.parse(await reader.readJson('j1', owner)).status.state).toBe('pending');
    now += 1;
    expect(JSON.parse(await reader.readJson('j1', owner)).status.state).toBe('failed');
  });
});
