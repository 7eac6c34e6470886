import { misspelledParameterErrors } from './benchmark-parameters';
import { BACKEND_PARAMETERS } from './native-backends';

const LM_EVAL_PARAMETERS = BACKEND_PARAMETERS.lm_evaluation_harness;
import { benchmarkParameterErrors } from './benchmark-parameters';

describe('benchmark parameter checks', () => {
  it.each([[undefined], [{}], [{ num_examples: 10, num_few_shot: 0, temperature: 0.2 }], [{ num_fewshot: 5 }]])('accepts %j', (p) => {
    expect(benchmarkParameterErrors(p, 'p')).toEqual([]);
  });
  it.each([
    [{ num_examples: 0 }, 'p.num_examples must be a whole number of at least 1'],
    [{ num_examples: -1e308 }, 'p.num_examples'],
    [{ num_examples: 2.5 }, 'p.num_examples'],
    [{ num_examples: '10' }, 'p.num_examples'],
    [{ num_few_shot: -1 }, 'p.num_few_shot must be a whole number of at least 0'],
    [[1], 'p must be an object'],
  ])('rejects %j', (p, message) => {
    expect(benchmarkParameterErrors(p, 'p').join('; ')).toContain(message);
  });
});

describe('misspelled parameters', () => {
  it.each([
    ['num_exampels', "did you mean 'num_examples'"],
    ['num_fewshots', "did you mean 'num_fewshot'"],
    ['Seed', "did you mean 'seed'"],
    ['apply_chat_templat', "did you mean 'apply_chat_template'"],
  ])('%s is refused', (name, hint) => {
    expect(misspelledParameterErrors({ [name]: 1 }, LM_EVAL_PARAMETERS, 'p')[0]).toContain(hint);
  });

  it.each(['num_examples', 'pass_at_k', 'repetitions', 'max_seq_lengths'])('%s passes', (name) => {
    expect(misspelledParameterErrors({ [name]: 1 }, LM_EVAL_PARAMETERS, 'p')).toEqual([]);
  });
});
