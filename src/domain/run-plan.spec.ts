import { planRuns } from './run-plan';
import { ProviderRecord } from './types';

const p = (id: string, runtime: ProviderRecord['runtime']): ProviderRecord => ({ resource: { id }, name: id, title: '', benchmarks: [], runtime });

describe('planRuns', () => {
  const providers = new Map([
    ['lm', p('lm', { local: { executor: 'lm_evaluation_harness' }, k8s: { image: 'i' } })],
    ['ad', p('ad', { local: { command: 'python a.py' } })],
    ['none', p('none', {})],
  ]);

  it('groups lm-eval benchmarks with identical settings into one unit', () => {
    const units = planRuns(
      [
        { id: 'a', provider_id: 'lm', parameters: { num_examples: 10 } },
        { id: 'x', provider_id: 'ad' },
        { id: 'b', provider_id: 'lm', parameters: { num_examples: 10 } },
        { id: 'c', provider_id: 'lm', parameters: { num_examples: 20 } },
        { id: 'z', provider_id: 'none' },
      ],
      providers,
      'local',
    );
    expect(units.map((u) => [u.executor, u.indexes])).toEqual([
      ['lm_evaluation_harness', [0, 2]],
      ['local-process', [1]],
      ['lm_evaluation_harness', [3]],
      ['unavailable', [4]],
    ]);
  });

  it('runs every benchmark as its own Kubernetes Job in kubernetes mode', () => {
    const units = planRuns([{ id: 'a', provider_id: 'lm' }, { id: 'b', provider_id: 'lm' }, { id: 'x', provider_id: 'ad' }], providers, 'kubernetes');
    expect(units.map((u) => [u.executor, u.indexes])).toEqual([
      ['kubernetes', [0]],
      ['kubernetes', [1]],
      ['unavailable', [2]],
    ]);
  });
});
