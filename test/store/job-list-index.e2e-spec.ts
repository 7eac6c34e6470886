import { randomUUID } from 'crypto';
import { Redis } from 'ioredis';
import { DocumentStore } from '../../src/core/redis/document-store';
import { RedisKeys } from '../../src/core/redis/redis-keys';
import { sortedSetPage } from '../../src/core/redis/sorted-set-page';
import { parseFilter } from '../../src/domain/filters';
import { ALL_JOBS, JobListFilters, jobListSet, jobMatchesFilters } from '../../src/domain/job-list';
import { mapLeaves } from '../../src/domain/set-expr';
import { JobRecord, JobState } from '../../src/domain/types';
import { JobsRepository } from '../../src/evaluations/jobs.repository';

const STATES: JobState[] = ['pending', 'running', 'completed', 'failed', 'cancelled', 'partially_failed'];
const TAGS = ['x', 'y', 'z'];

let seed = 11;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
};

function randomJob(i: number): JobRecord {
  // Jobs share their creation time in pairs: ties must come in the order of the creation index.
  const created = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 1000).toISOString();
  const tenant = ['t1', 't1', 't:2', undefined][rand(4)];
  return {
    resource: {
      id: randomUUID(),
      created_at: created,
      updated_at: created,
      ...(tenant ? { tenant } : {}),
      ...(rand(4) ? { owner: `u${rand(3)}` } : {}),
      ...(rand(3) === 0 ? { mlflow_experiment_id: `e${rand(2)}` } : {}),
    },
    config: { name: `n${rand(5)}`, tags: TAGS.filter(() => rand(2) === 0), model: { url: 'http://m', name: 'm' } },
    benchmarks: [],
    status: { state: STATES[rand(STATES.length)], message: null, benchmarks: [] },
    results: {},
  } as unknown as JobRecord;
}

const filtersOf = (q: Record<string, string>): JobListFilters => ({
  state: parseFilter(q.status),
  name: parseFilter(q.name),
  tag: parseFilter(q.tags),
  owner: parseFilter(q.owner),
  experiment: parseFilter(q.experiment_id),
});

/** The list indexes against a real Redis: every query, page and count as reading every job would give. */
describe('job list indexes (real Redis)', () => {
  const keys = new RedisKeys(`t${randomUUID().slice(0, 8)}`);
  const redis = new Redis(process.env.REDIS_URL!);
  const jobs = new JobsRepository(redis, keys);
  /** A writer that does not know the list indexes (the version before them). */
  const older = new DocumentStore<JobRecord>(redis, keys, 'job');
  afterAll(() => redis.quit());

  const queries: Record<string, string>[] = [
    {},
    { status: 'completed' },
    { status: 'running|failed' },
    { status: 'running|failed|nope' },
    { status: 'pending|running|completed|failed|cancelled|partially_failed' },
    { name: 'n1' },
    { tags: 'x' },
    { tags: 'x,y' },
    { tags: 'x|y' },
    { tags: '!x' },
    { tags: '!x|y' },
    { owner: 'u1' },
    { owner: '!u1' },
    { experiment_id: 'e0' },
    { status: 'completed', tags: 'x' },
    { status: 'completed|failed', owner: 'u0|u2', tags: 'y|!z' },
    { status: 'completed,failed' },
    { status: 'completed,completed' },
    { status: 'completed', tags: '!x' },
    { status: 'failed', owner: 'u0', tags: 'y' },
  ];
  const pages = [
    { offset: 0, limit: 50 },
    { offset: 0, limit: 1 },
    { offset: 7, limit: 13 },
    { offset: 40, limit: 1000 },
    { offset: 1500, limit: 1000 },
  ];

  /** Every query, scope and page against the documents themselves. */
  async function expectConsistent(): Promise<void> {
    for (const tenant of [undefined, 't1', 't:2']) {
      const all = await jobs.getMany(await jobs.ids(tenant));
      for (const q of queries) {
        const filters = filtersOf(q);
        const matching = all.filter((j) => jobMatchesFilters(j, filters)).map((j) => j.resource.id);
        for (const { offset, limit } of pages) {
          const expected = { tenant, q, offset, limit, total: matching.length, ids: matching.slice(offset, offset + limit) };
          const got = await jobs.listPage(tenant, jobListSet(filters), offset, limit);
          expect({ tenant, q, offset, limit, ...got }).toEqual(expected);
          // The same through ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE alone (no merge, no walk).
          const keyed = mapLeaves(jobListSet(filters), (leaf) =>
            leaf === ALL_JOBS ? (tenant ? keys.tenantIndex('job', tenant) : keys.index('job')) : keys.jobListIndex(tenant, leaf.field, leaf.value),
          );
          const computed = await sortedSetPage(redis, keyed, offset, limit, () => keys.jobListTemp(randomUUID()), { mergeWindow: 0, walkBudget: 0 });
          expect({ tenant, q, offset, limit, ...computed }).toEqual(expected);
        }
      }
    }
  }

  it('answers every filter, scope and page as reading every job would', async () => {
    const docs = Array.from({ length: 240 }, (_, i) => randomJob(i));
    await Promise.all(docs.map((d) => jobs.put(d)));
    await expectConsistent();

    // State changes, an experiment set later, and deletions keep them in step.
    for (const d of docs.slice(0, 80)) {
      await jobs.update(d.resource.id, (j) => ({ ...j, status: { ...j.status, state: STATES[rand(STATES.length)] } }));
    }
    await jobs.update(docs[90].resource.id, (j) => ({ ...j, resource: { ...j.resource, mlflow_experiment_id: 'e1' } }));
    for (const d of docs.slice(100, 130)) expect(await jobs.delete(d)).toBe(true);
    // A stale copy of a job that changed since: the delete still clears its current indexes.
    await jobs.update(docs[130].resource.id, (j) => ({ ...j, status: { ...j.status, state: 'cancelled' } }));
    expect(await jobs.delete(docs[130])).toBe(true);
    expect(await jobs.delete(docs[130])).toBe(false);
    await expectConsistent();
    expect(await redis.keys(`${keys.jobListTemp('*')}`)).toEqual([]);
  });

  it('fills the indexes with jobs stored before them, and repairs what an older writer left', async () => {
    const before = Array.from({ length: 60 }, (_, i) => randomJob(1000 + i));
    await Promise.all(before.map((d) => older.put(d)));
    await redis.del(keys.jobListIndexVersion);
    const fresh = new JobsRepository(redis, keys);
    expect(await fresh.listIndexed()).toBe(false);
    for (let i = 0; i < 100 && !(await fresh.listIndexed()); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await redis.get(keys.jobListIndexVersion)).toBe('1');
    expect(await redis.exists(keys.jobListIndexFill)).toBe(0);
    await expectConsistent();

    // An older writer moves a job to another state without touching the list indexes …
    const moved = before[0];
    const from = (await jobs.get(moved.resource.id))!.status.state;
    const to = STATES.find((s) => s !== from)!;
    await older.update(moved.resource.id, (j) => ({ ...j, status: { ...j.status, state: to } }));
    const set = jobListSet(filtersOf({ status: from }));
    const stale = await jobs.listPage(undefined, set, 0, 1000);
    expect(stale.ids).toContain(moved.resource.id);
    // … and a page that shows it is repaired: it leaves the old state's index and enters the new one.
    await jobs.repairListIndexes(moved.resource.tenant, set, [moved.resource.id]);
    await expectConsistent();

    // A job removed outside the service leaves its indexes on repair too.
    const gone = before[1];
    await redis.del(keys.doc('job', gone.resource.id));
    await jobs.repairListIndexes(gone.resource.tenant, jobListSet(filtersOf({ name: gone.config.name })), [gone.resource.id]);
    expect(await redis.zscore(keys.index('job'), gone.resource.id)).toBeNull();
    expect(await redis.zscore(keys.jobListIndex(undefined, 'name', gone.config.name), gone.resource.id)).toBeNull();
  });

  it('counts a filter combination anew after each kind of write, though the count is kept between lists', async () => {
    const tenant = `kept-${randomUUID().slice(0, 6)}`;
    const job = (i: number, state: JobState, tags: string[]): JobRecord => {
      const j = randomJob(5000 + i);
      return { ...j, resource: { ...j.resource, tenant }, config: { ...j.config, tags }, status: { ...j.status, state } };
    };
    const docs = Array.from({ length: 30 }, (_, i) => job(i, i % 3 ? 'completed' : 'failed', i % 2 ? ['x'] : ['y']));
    await Promise.all(docs.map((d) => jobs.put(d)));
    const set = jobListSet(filtersOf({ status: 'completed', tags: 'x' }));
    const count = async () => (await jobs.listPage(tenant, set, 0, 5)).total;
    const expected = async () => (await jobs.getMany(await jobs.ids(tenant))).filter((j) => jobMatchesFilters(j, filtersOf({ status: 'completed', tags: 'x' }))).length;
    expect(await count()).toBe(await expected());
    expect(await count()).toBe(10);
    // A state change (compare-and-set), a new job, a deletion, an index repair: each shows at once.
    await jobs.update(docs[1].resource.id, (j) => ({ ...j, status: { ...j.status, state: 'failed' } }));
    expect(await count()).toBe(9);
    await jobs.put(job(99, 'completed', ['x', 'z']));
    expect(await count()).toBe(10);
    expect(await jobs.delete(docs[5])).toBe(true);
    expect(await count()).toBe(9);
    await older.update(docs[2].resource.id, (j) => ({ ...j, config: { ...j.config, tags: ['x'] } }));
    expect(await count()).toBe(9);
    await jobs.repairListIndexes(tenant, jobListSet(filtersOf({ tags: 'y' })), [docs[2].resource.id]);
    expect(await count()).toBe(10);
    expect(await count()).toBe(await expected());

    // A writer that does not move the epoch (an older version during an upgrade) adds a match: the
    // kept size lags until it expires, but it cannot cut a page short.
    const before = await jobs.listPage(tenant, set, 0, 50);
    const newer = randomUUID();
    for (const [field, value] of [['state', 'completed'], ['tag', 'x']]) await redis.zadd(keys.jobListIndex(tenant, field, value), Date.now() + 60_000, newer);
    const after = await jobs.listPage(tenant, set, 0, 50);
    expect(after.ids).toEqual([newer, ...before.ids]);
    expect((await jobs.listPage(tenant, set, 9, 5)).ids).toEqual(before.ids.slice(8));
  });

  it('escapes tenants and values, so none can name another index', () => {
    expect(keys.jobListIndex('a:b', 'name', 'x')).not.toBe(keys.jobListIndex('a', 'b:name', 'x'));
    expect(keys.jobListIndex('a', 'name', 'b:c')).toMatch(/:name:b%3Ac$/);
    expect(keys.jobListIndex('a%3Ab', 'name', 'x')).not.toBe(keys.jobListIndex('a:b', 'name', 'x'));
  });
});
