import { expandCollection, mergeCollectionParameters, resolveBenchmarks, riskCategoryBenchmarks } from './expansion';
import { CollectionRecord, ProviderRecord } from './types';

const collection: CollectionRecord = {
  resource: { id: 'c1' },
  name: 'C',
  category: 'x',
  pass_criteria: { threshold: 0.4 },
  benchmarks: [
    { id: 'a', provider_id: 'p1', weight: 2, parameters: { num_fewshot: 5, drop: null } },
    { id: 'b', provider_id: 'p1', parameters: { limit: 3 } },
    { id: 'c', provider_id: 'p2' },
  ],
};

describe('mergeCollectionParameters', () => {
  it('unions job overrides of the same provider, then lets the collection win and delete', () => {
    const merged = mergeCollectionParameters(
      [
        { id: 'a', provider_id: 'p1', parameters: { num_fewshot: 1, drop: 'x', extra: true } },
        { id: 'b', provider_id: 'p1', parameters: { other: 2 } },
        { id: 'c', provider_id: 'p2', parameters: { notme: 1 } },
      ],
      'p1',
      { num_fewshot: 5, drop: null },
    );
    expect(merged).toEqual({ num_fewshot: 5, extra: true, other: 2 });
  });
});

describe('expandCollection', () => {
  it('keeps collection order, weights and scoring, and applies overrides', () => {
    const out = expandCollection(collection, [{ id: 'b', provider_id: 'p1', parameters: { num_examples: 5 }, test_data_ref: { pvc: { claim_name: 'd' } } }]);
    expect(out.map((b) => b.id)).toEqual(['a', 'b', 'c']);
    expect(out[0]).toMatchObject({ weight: 2, parameters: { num_fewshot: 5, num_examples: 5 } });
    expect(out[1].test_data_ref).toEqual({ pvc: { claim_name: 'd' } });
    expect(out[2].parameters).toEqual({});
  });

  it('rejects overrides for providers or benchmarks outside the collection', () => {
    expect(() => expandCollection(collection, [{ id: 'a', provider_id: 'p9' }])).toThrow(expect.objectContaining({ code: 'resource_does_not_exist' }));
    expect(() => expandCollection(collection, [{ id: 'zz', provider_id: 'p1' }])).toThrow(expect.objectContaining({ code: 'resource_does_not_exist' }));
  });
});

describe('riskCategoryBenchmarks', () => {
  it.each([
    ['low', ['hellaswag', 'arc_easy'], 100],
    ['medium', ['hellaswag', 'arc_easy', 'arc_challenge', 'winogrande'], 500],
    ['high', ['hellaswag', 'arc_easy', 'arc_challenge', 'winogrande', 'mmlu'], 1000],
    ['critical', ['hellaswag', 'arc_easy', 'arc_challenge', 'winogrande', 'mmlu', 'gsm8k'], undefined],
  ] as const)('%s', (cat, ids, limit) => {
    const list = riskCategoryBenchmarks(cat);
    expect(list.map((b) => b.id)).toEqual(ids);
    expect(list.every((b) => b.provider_id === 'lm_evaluation_harness' && b.parameters?.num_few_shot === 5)).toBe(true);
    expect(list[0].parameters?.num_examples).toBe(limit);
  });
});

describe('resolveBenchmarks', () => {
  const providers = new Map<string, ProviderRecord>([
    ['p1', { resource: { id: 'p1' }, name: 'P1', title: '', benchmarks: [{ id: 'a', name: 'A', category: 'x', num_few_shot: 0, dataset_size: 0, primary_score: { metric: 'acc' }, pass_criteria: { threshold: 0.3 } }] }],
  ]);

  it('copies the provider scoring defaults into each benchmark', () => {
    const [b] = resolveBenchmarks({ name: 'j', model: { name: 'm' }, benchmarks: [{ id: 'a', provider_id: 'p1' }] }, { providers });
    expect(b).toMatchObject({ provider_primary_score: { metric: 'acc' }, provider_pass_criteria: { threshold: 0.3 } });
  });

  it('404s an unknown provider and 400s an unknown benchmark', () => {
    expect(() => resolveBenchmarks({ name: 'j', model: { name: 'm' }, benchmarks: [{ id: 'a', provider_id: 'nope' }] }, { providers })).toThrow(
      expect.objectContaining({ code: 'resource_not_found' }),
    );
    expect(() => resolveBenchmarks({ name: 'j', model: { name: 'm' }, benchmarks: [{ id: 'zz', provider_id: 'p1' }] }, { providers })).toThrow(
      expect.objectContaining({ code: 'resource_does_not_exist' }),
    );
  });
});
