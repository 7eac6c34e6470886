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
