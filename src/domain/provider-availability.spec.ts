import { parameterValueErrors, unknownParameterErrors } from './native-backends';
import { providerAvailability } from './provider-availability';
import { executorFor } from './run-plan';
import { ProviderRecord } from './types';

const p = (id: string, runtime: ProviderRecord['runtime']): ProviderRecord => ({ resource: { id }, name: id, title: '', benchmarks: [], runtime });
const envs = (ready: string[]) => (env: string) => (ready.includes(env) ? { ready: true } : { ready: false, reason: `${env} missing: run npm run setup -- --backends ${env}` });

describe('providerAvailability', () => {
  it('a native backend runs locally only when its environment is there, and says how to add it', () => {
    const garak = p('garak', { local: { executor: 'garak' }, k8s: { image: 'i' } });
    expect(providerAvailability(garak, 'local', envs(['core', 'garak']))).toEqual({ runnable: true, runtime: 'local', executor: 'garak' });
    expect(providerAvailability(garak, 'local', envs(['core']))).toEqual({
      runnable: false,
      runtime: 'local',
      executor: 'garak',
      reason: 'garak missing: run npm run setup -- --backends garak',
    });
    // lm-eval lives in the core environment.
    expect(providerAvailability(p('lm', { local: { executor: 'lm_evaluation_harness' } }), 'local', envs(['core'])).runnable).toBe(true);
  });

  it('on Kubernetes only the image counts', () => {
    expect(providerAvailability(p('a', { k8s: { image: 'i' } }), 'kubernetes', envs([])).runnable).toBe(true);
    const r = providerAvailability(p('b', { local: { executor: 'garak' } }), 'kubernetes', envs(['garak']));
    expect(r.runnable).toBe(false);
    expect(r.reason).toContain('no Kubernetes runtime');
  });

  it('an image-only provider in local mode, a command and an unknown executor', () => {
    expect(providerAvailability(p('k', { k8s: { image: 'i' } }), 'local', envs(['core'])).reason).toContain('EVALHUB_RUNTIME=kubernetes');
    expect(providerAvailability(p('c', { local: { command: 'python a.py' } }), 'local', envs([]))).toEqual({ runnable: true, runtime: 'local', executor: 'local-process' });
    expect(providerAvailability(p('u', { local: { executor: 'nope' } }), 'local', envs(['core'])).reason).toContain("unknown executor 'nope'");
  });
});

describe('executorFor', () => {
  it('picks the native executor the provider names', () => {
    for (const b of ['guidellm', 'garak', 'lighteval', 'ragas', 'lm_evaluation_harness']) {
      expect(executorFor(p(b, { local: { executor: b } }), 'local')).toBe(b);
    }
    expect(executorFor(p('u', { local: { executor: 'nope' } }), 'local')).toBe('unavailable');
  });
});

describe('unknownParameterErrors', () => {
  it('names the parameter and the accepted ones for strict backends', () => {
    const [e] = unknownParameterErrors('guidellm', { max_requests: 5, max_reqests: 5 }, 'benchmarks[0].parameters');
    expect(e).toContain('benchmarks[0].parameters.max_reqests is not a parameter the guidellm backend accepts');
    expect(e).toContain('max_requests');
    expect(unknownParameterErrors('garak', { generations: 1 }, 'p')).toEqual([]);
    // lm-eval passes unknown names on as task metadata: only misspellings are refused (elsewhere).
    expect(unknownParameterErrors('lm_evaluation_harness', { anything: 1 }, 'p')).toEqual([]);
  });
});

describe('parameterValueErrors', () => {
  it('refuses bad values of the strict backends at submit', () => {
    expect(parameterValueErrors('guidellm', { max_requests: 0, rate: 0, profile: '', max_seconds: 1.5 }, 'p')).toEqual([
      'p.max_requests must be a whole number of at least 1',
      'p.rate must be a number above 0',
      'p.profile must be a non-empty string',
    ]);
    expect(parameterValueErrors('lighteval', { temperature: -0.1 }, 'p')).toEqual(['p.temperature must be a number of at least 0']);
    expect(parameterValueErrors('garak', { generations: 2, garak_config: [] }, 'p')).toEqual(['p.garak_config must be an object (a garak configuration fragment)']);
    expect(parameterValueErrors('ragas', { dataset_path: '/d.jsonl', num_examples: 3 }, 'p')).toEqual([]);
  });
});
