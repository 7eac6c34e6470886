import { FilterExpr, matchesFilter } from './filters';
import { SetExpr } from './set-expr';
import { JobRecord } from './types';

/**
 * The filters of GET /jobs (§1.3) as set algebra over per-value job sets, so a store can answer
 * them from indexes (one sorted set per field value, by creation time) instead of reading every
 * job. `jobMatchesFilters` is the meaning; `jobListSet` gives the same jobs as sets.
 */

/** What each filter reads: status → state, name → config.name, tags → config.tags (each), owner, experiment_id. */
export const JOB_LIST_FIELDS = ['state', 'name', 'tag', 'owner', 'experiment'] as const;
export type JobListField = (typeof JOB_LIST_FIELDS)[number];

/** Fields with at most one value per job: the sets of two of their values never share a job. */
const SINGLE_VALUED: ReadonlySet<JobListField> = new Set<JobListField>(['state', 'name', 'owner', 'experiment']);

export type JobListFilters = Partial<Record<JobListField, FilterExpr>>;

/** One value of one field: the set of jobs that have it. */
export interface JobListTerm {
  field: JobListField;
  value: string;
}

/** Every job in scope (the caller's tenant, or all). */
export const ALL_JOBS = 'all';
export type JobListLeaf = JobListTerm | typeof ALL_JOBS;

/** The values of each field a job has (several tags, at most one of the rest). */
export type JobListValues = Record<JobListField, string[]>;

export function jobListValues(job: JobRecord): JobListValues {
  const one = (v: string | undefined | null): string[] => (v === undefined || v === null ? [] : [v]);
  return {
    state: [job.status.state],
    name: one(job.config.name),
    tag: job.config.tags ?? [],
    owner: one(job.resource.owner),
    experiment: one(job.resource.mlflow_experiment_id),
  };
}

/** The values a job has, one term each: the indexes it belongs to. */
export function jobListTerms(job: JobRecord): JobListTerm[] {
  const values = jobListValues(job);
  return JOB_LIST_FIELDS.flatMap((field) => [...new Set(values[field])].map((value) => ({ field, value })));
}

export function jobMatchesFilters(job: JobRecord, filters: JobListFilters): boolean {
  return valuesMatchFilters(jobListValues(job), filters);
}

/** `jobMatchesFilters` for a job's values taken out beforehand. */
export function valuesMatchFilters(values: JobListValues, filters: JobListFilters): boolean {
  return JOB_LIST_FIELDS.every((field) => matchesFilter(filters[field], values[field]));
}

function term(field: JobListField, value: string): SetExpr<JobListLeaf> {
  return { leaf: { field, value } };
}

/** Jobs with any of the values. */
function anyOf(field: JobListField, values: string[]): SetExpr<JobListLeaf> {
  return values.length === 1 ? term(field, values[0]) : { union: values.map((v) => term(field, v)), disjoint: SINGLE_VALUED.has(field) };
}

/**
 * The jobs the filters let through, as a set expression: every clause (`,`) a set to intersect,
 * any of its terms (`|`) a union. A clause with a negated term (`!x`) fails only for jobs that
 * have every negated value and none of the positive ones, so it subtracts that set instead.
 * Without filters: { leaf: 'all' }.
 */
export function jobListSet(filters: JobListFilters): SetExpr<JobListLeaf> {
  const required: SetExpr<JobListLeaf>[] = [];
  const excluded: SetExpr<JobListLeaf>[] = [];
  for (const field of JOB_LIST_FIELDS) {
    for (const clause of filters[field] ?? []) {
      if (clause.any.length === 0) continue;
      const pos = [...new Set(clause.any.filter((t) => !t.startsWith('!')))];
      const neg = [...new Set(clause.any.filter((t) => t.startsWith('!')).map((t) => t.slice(1)))];
      if (neg.length === 0) {
        required.push(anyOf(field, pos));
        continue;
      }
      if (SINGLE_VALUED.has(field)) {
        // One value cannot equal two negated ones, nor fail a term it also matches: always true.
        if (neg.length > 1 || pos.includes(neg[0])) continue;
        excluded.push(term(field, neg[0]));
        continue;
      }
      const failing: SetExpr<JobListLeaf> = neg.length === 1 ? term(field, neg[0]) : { inter: neg.map((v) => term(field, v)) };
      excluded.push(pos.length ? { diff: failing, minus: [anyOf(field, pos)] } : failing);
    }
  }
  const base: SetExpr<JobListLeaf> = required.length === 0 ? { leaf: ALL_JOBS } : required.length === 1 ? required[0] : { inter: required };
  return excluded.length ? { diff: base, minus: excluded } : base;
}
