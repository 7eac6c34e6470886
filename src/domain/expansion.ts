import { DomainError } from './errors';
import { BenchmarkConfig, CollectionRecord, Json, JobConfig, ProviderRecord, ResolvedBenchmark, RiskCategory } from './types';

const LM_EVAL = 'lm_evaluation_harness';

/**
 * Risk categories of the original EvalHub design: each level adds lm-eval benchmarks to the one
 * below it, and tightens the sample limit.
 */
const RISK_LEVELS: { category: RiskCategory; adds: string[]; limit?: number }[] = [
  { category: 'low', adds: ['hellaswag', 'arc_easy'], limit: 100 },
  { category: 'medium', adds: ['arc_challenge', 'winogrande'], limit: 500 },
  { category: 'high', adds: ['mmlu'], limit: 1000 },
  { category: 'critical', adds: ['gsm8k'] },
];

/**
 * How each risk-category task is judged. Several of these classic lm-eval tasks are not in the
 * provider catalog (which lists newer variants), so their scoring is given here: a pass means
 * clearly above chance.
 */
const RISK_SCORING: Record<string, { metric: string; threshold: number }> = {
  hellaswag: { metric: 'acc_norm', threshold: 0.3 },
  arc_easy: { metric: 'acc_norm', threshold: 0.3 },
  arc_challenge: { metric: 'acc_norm', threshold: 0.3 },
  winogrande: { metric: 'acc', threshold: 0.55 },
  mmlu: { metric: 'acc', threshold: 0.3 },
  gsm8k: { metric: 'exact_match', threshold: 0.1 },
};

export function riskCategoryBenchmarks(category: RiskCategory): BenchmarkConfig[] {
  const upto = RISK_LEVELS.findIndex((l) => l.category === category);
  const level = RISK_LEVELS[upto];
  const ids = RISK_LEVELS.slice(0, upto + 1).flatMap((l) => l.adds);
  return ids.map((id) => ({
    id,
    provider_id: LM_EVAL,
    primary_score: { metric: RISK_SCORING[id].metric, lower_is_better: false },
    pass_criteria: { threshold: RISK_SCORING[id].threshold },
    parameters: { num_few_shot: 5, ...(level.limit !== undefined ? { num_examples: level.limit } : {}) },
  }));
}

/**
 * Parameters of one collection benchmark inside a job: the union of the job's overrides for the
 * same provider, then the collection's own parameters on top (the collection wins). A null or ""
 * in the collection removes the key.
 */
export function mergeCollectionParameters(overrides: BenchmarkConfig[], providerId: string, own: Json | undefined): Json {
  const merged: Json = {};
  for (const o of overrides) if (o.provider_id === providerId) Object.assign(merged, o.parameters ?? {});
  for (const [k, v] of Object.entries(own ?? {})) {
    if (v === null || v === '') delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** Checks that every override names a provider (and, if given, a benchmark) of the collection. */
export function validateCollectionOverrides(collection: CollectionRecord, overrides: BenchmarkConfig[]): void {
  for (const o of overrides) {
    const sameProvider = collection.benchmarks.filter((b) => b.provider_id === o.provider_id);
    if (sameProvider.length === 0) {
      throw new DomainError(
        'resource_does_not_exist',
        `The provider '${o.provider_id}' is not part of the collection '${collection.resource.id}'.`,
      );
    }
    if (o.id && !sameProvider.some((b) => b.id === o.id)) {
      throw new DomainError(
        'resource_does_not_exist',
        `The benchmark '${o.id}' of provider '${o.provider_id}' is not part of the collection '${collection.resource.id}'.`,
      );
    }
  }
}

/** Expands a collection reference into the benchmarks a job runs, in collection order. */
export function expandCollection(collection: CollectionRecord, overrides: BenchmarkConfig[]): BenchmarkConfig[] {
  validateCollectionOverrides(collection, overrides);
  return collection.benchmarks.map((cb) => {
    const exact = overrides.find((o) => o.provider_id === cb.provider_id && o.id === cb.id);
    const providerWide = overrides.find((o) => o.provider_id === cb.provider_id && !o.id);
    const out: BenchmarkConfig = {
      id: cb.id,
      provider_id: cb.provider_id,
      parameters: mergeCollectionParameters(overrides, cb.provider_id, cb.parameters),
    };
    if (cb.weight !== undefined) out.weight = cb.weight;
    if (cb.primary_score) out.primary_score = cb.primary_score;
    if (cb.pass_criteria) out.pass_criteria = cb.pass_criteria;
    const testData = exact?.test_data_ref ?? cb.test_data_ref;
    if (testData) out.test_data_ref = testData;
    const hw = exact?.hardware_config ?? providerWide?.hardware_config ?? cb.hardware_config;
    if (hw) out.hardware_config = hw;
    return out;
  });
}

export interface ExpansionLookups {
  collection?: CollectionRecord;
  providers: Map<string, ProviderRecord>;
}

/**
 * The benchmark list a job runs, each checked against its provider and carrying the provider's
 * scoring defaults. Unknown provider → 404, unknown benchmark of a known provider → 400.
 */
export function resolveBenchmarks(config: JobConfig, lookups: ExpansionLookups): ResolvedBenchmark[] {
  let list: BenchmarkConfig[];
  if (config.collection) {
    if (!lookups.collection) throw DomainError.notFound('collection', config.collection.id);
    list = expandCollection(lookups.collection, config.collection.benchmarks ?? []);
  } else if (config.benchmarks) {
    list = config.benchmarks;
  } else if (config.risk_category) {
    list = riskCategoryBenchmarks(config.risk_category);
  } else {
    throw new DomainError('evaluation_job_empty', 'The evaluation job has no benchmarks.');
  }
  if (list.length === 0) throw new DomainError('evaluation_job_empty', 'The evaluation job has no benchmarks.');
  return list.map((b) => {
    const provider = lookups.providers.get(b.provider_id);
    if (!provider) throw DomainError.notFound('provider', b.provider_id);
    const pb = provider.benchmarks.find((x) => x.id === b.id);
    // Risk-category tasks are lm-eval task names that the executor knows even when unlisted.
    if (!pb && !config.risk_category) {
      throw new DomainError('resource_does_not_exist', `The benchmark '${b.id}' does not exist in provider '${b.provider_id}'.`);
    }
    const resolved: ResolvedBenchmark = { ...b, parameters: { ...(b.parameters ?? {}) } };
    if (pb?.primary_score) resolved.provider_primary_score = pb.primary_score;
    if (pb?.pass_criteria) resolved.provider_pass_criteria = pb.pass_criteria;
    return resolved;
  });
}

/** Provider ids a job config refers to, so the caller can load exactly those. */
export function referencedProviderIds(config: JobConfig, collection?: CollectionRecord): string[] {
  const ids = new Set<string>();
  if (config.benchmarks) config.benchmarks.forEach((b) => ids.add(b.provider_id));
  if (collection) collection.benchmarks.forEach((b) => ids.add(b.provider_id));
  if (config.risk_category) ids.add(LM_EVAL);
  return [...ids];
}
