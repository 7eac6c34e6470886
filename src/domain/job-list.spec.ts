import { parseFilter } from './filters';
import { ALL_JOBS, JobListFilters, JobListLeaf, jobListSet, jobListTerms, jobMatchesFilters } from './job-list';
import { leavesOf, SetExpr } from './set-expr';
import { JobRecord, JobState } from './types';

function job(id: string, state: JobState, name: string, tags: string[] | undefined, owner?: string, experiment?: string): JobRecord {
  return {
    resource: { id, created_at: '2026-01-01T00:00:00Z', ...(owner !== undefined ? { owner } : {}), ...(experiment !== undefined ? { mlflow_experiment_id: experiment } : {}) },
    config: { name, ...(tags ? { tags } : {}), model: { url: 'http://m', name: 'm' } },
    benchmarks: [],
    status: { state, message: null, benchmarks: [] },
    results: {},
  } as unknown as JobRecord;
}

/** What a store with one set per term would answer: the set expression evaluated over the jobs. */
function evaluate(e: SetExpr<JobListLeaf>, jobs: JobRecord[]): Set<string> {
  if ('leaf' in e) {
    const leaf = e.leaf;
    if (leaf === ALL_JOBS) return new Set(jobs.map((j) => j.resource.id));
    return new Set(jobs.filter((j) => jobListTerms(j).some((t) => t.field === leaf.field && t.value === leaf.value)).map((j) => j.resource.id));
  }
  if ('union' in e) {
    const sets = e.union.map((x) => evaluate(x, jobs));
    if (e.disjoint) {
      // The flag promises no overlap: the sizes add up.
      const seen = new Set<string>();
      for (const s of sets) for (const id of s) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
    }
    return new Set(sets.flatMap((s) => [...s]));
  }
  if ('inter' in e) {
    const [first, ...rest] = e.inter.map((x) => evaluate(x, jobs));
    return new Set([...first].filter((id) => rest.every((s) => s.has(id))));
  }
  const minus = e.minus.map((x) => evaluate(x, jobs));
  return new Set([...evaluate(e.diff, jobs)].filter((id) => minus.every((s) => !s.has(id))));
}

const filters = (q: Record<string, string>): JobListFilters => ({
  state: parseFilter(q.status),
  name: parseFilter(q.name),
  tag: parseFilter(q.tags),
  owner: parseFilter(q.owner),
  experiment: parseFilter(q.experiment_id),
});

describe('job list filters as sets', () => {
  it('lists the terms a job is indexed under, each value once', () => {
    expect(jobListTerms(job('1', 'running', 'n', ['x', 'y', 'x'], 'alice', '7'))).toEqual([
      { field: 'state', value: 'running' },
      { field: 'name', value: 'n' },
      { field: 'tag', value: 'x' },
      { field: 'tag', value: 'y' },
      { field: 'owner', value: 'alice' },
      { field: 'experiment', value: '7' },
    ]);
    expect(jobListTerms(job('2', 'pending', 'n', undefined)).map((t) => t.field)).toEqual(['state', 'name']);
  });

  it('plans the common filters as one set or a disjoint union', () => {
    expect(jobListSet(filters({}))).toEqual({ leaf: ALL_JOBS });
    expect(jobListSet(filters({ status: 'completed' }))).toEqual({ leaf: { field: 'state', value: 'completed' } });
    expect(jobListSet(filters({ tags: 'gpu' }))).toEqual({ leaf: { field: 'tag', value: 'gpu' } });
    expect(jobListSet(filters({ status: 'running|failed' }))).toEqual({
      union: [{ leaf: { field: 'state', value: 'running' } }, { leaf: { field: 'state', value: 'failed' } }],
      disjoint: true,
    });
    // Tags overlap: a job may have both.
    expect(jobListSet(filters({ tags: 'x|y' }))).toMatchObject({ disjoint: false });
    expect(jobListSet(filters({ status: 'completed', owner: 'alice' }))).toEqual({
      inter: [{ leaf: { field: 'state', value: 'completed' } }, { leaf: { field: 'owner', value: 'alice' } }],
    });
    // Empty clauses and always-true negations need no set at all.
    expect(jobListSet(filters({ status: '|' }))).toEqual({ leaf: ALL_JOBS });
    expect(jobListSet(filters({ owner: '!a|!b' }))).toEqual({ leaf: ALL_JOBS });
    expect(jobListSet(filters({ owner: 'a|!a' }))).toEqual({ leaf: ALL_JOBS });
    expect(jobListSet(filters({ owner: '!system' }))).toEqual({ diff: { leaf: ALL_JOBS }, minus: [{ leaf: { field: 'owner', value: 'system' } }] });
  });

  it('gives exactly the jobs the filters match, for every kind of expression', () => {
    const states: JobState[] = ['pending', 'running', 'completed', 'failed', 'cancelled', 'partially_failed'];
    const tagPool = ['x', 'y', 'z'];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const jobs = Array.from({ length: 120 }, (_, i) =>
      job(
        `j${i}`,
        states[rand(states.length)],
        `n${rand(4)}`,
        rand(5) === 0 ? undefined : tagPool.filter(() => rand(2) === 0),
        rand(4) === 0 ? undefined : `u${rand(3)}`,
        rand(3) === 0 ? `e${rand(2)}` : undefined,
      ),
    );
    const values: Record<string, string[]> = {
      status: [...states, 'nope'],
      name: ['n0', 'n1', 'n2', 'zz'],
      tags: [...tagPool, 'w'],
      owner: ['u0', 'u1', 'u2', ''],
      experiment_id: ['e0', 'e1'],
    };
    const term = (param: string) => (rand(4) === 0 ? '!' : '') + values[param][rand(values[param].length)];
    const expr = (param: string) =>
      Array.from({ length: 1 + rand(2) }, () => Array.from({ length: 1 + rand(3) }, () => term(param)).join('|')).join(',');
    const queries: Record<string, string>[] = [
      { status: 'running|failed' },
      { tags: 'x,y' },
      { tags: 'x|y' },
      { tags: '!x' },
      { tags: '!x|y' },
      { tags: '!x,!y' },
      { tags: '!x|!y' },
      { status: 'completed,failed' },
      { status: 'completed,completed' },
      { owner: '!u0' },
      { owner: '!' },
      { experiment_id: 'e0|!e1' },
    ];
    for (let i = 0; i < 400; i++) {
      const q: Record<string, string> = {};
      for (const p of Object.keys(values)) if (rand(3) === 0) q[p] = expr(p);
      queries.push(q);
    }
    for (const q of queries) {
      const f = filters(q);
      const expected = jobs.filter((j) => jobMatchesFilters(j, f)).map((j) => j.resource.id);
      const got = evaluate(jobListSet(f), jobs);
      expect({ q, ids: jobs.map((j) => j.resource.id).filter((id) => got.has(id)) }).toEqual({ q, ids: expected });
    }
  });

  it('reads the fields the in-memory filter always read', () => {
    const j = job('1', 'failed', 'run', ['a', 'b'], 'alice', '12');
    expect(jobMatchesFilters(j, filters({ status: 'failed', name: 'run', tags: 'a,b', owner: 'alice', experiment_id: '12' }))).toBe(true);
    expect(jobMatchesFilters(j, filters({ tags: 'a,c' }))).toBe(false);
    expect(jobMatchesFilters(job('2', 'pending', 'x', undefined), filters({ owner: '!alice', experiment_id: '!1' }))).toBe(true);
    expect(leavesOf(jobListSet(filters({ status: 'a|b', tags: '!x' })))).toEqual([
      { field: 'state', value: 'a' },
      { field: 'state', value: 'b' },
      { field: 'tag', value: 'x' },
    ]);
  });
});
