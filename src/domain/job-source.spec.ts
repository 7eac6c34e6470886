import { jobSourceError } from './job-source';

describe('jobSourceError', () => {
  const b = [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }];

  it.each([
    [{ benchmarks: b }],
    [{ collection: { id: 'c' } }],
    [{ collection: { id: 'c' }, benchmarks: [] }],
    [{ risk_category: 'low' }],
  ])('accepts %j', (job) => {
    expect(jobSourceError(job)).toBeUndefined();
  });

  it('says a minimum of one benchmark is needed for an empty list', () => {
    expect(jobSourceError({ benchmarks: [] })).toMatch(/minimum of one benchmark is needed.*'minimum one benchmark'/);
  });

  it('says benchmarks or collection is needed when neither is given', () => {
    const msg = jobSourceError({});
    expect(msg).toContain('benchmarks or collection');
    expect(msg).toContain("'benchmarks' failed on the 'minimum one benchmark' tag");
  });

  it('refuses benchmarks together with a collection, in the words upstream uses', () => {
    expect(jobSourceError({ benchmarks: b, collection: { id: 'c' } })).toContain("'benchmarks' failed on the 'benchmarks or collection' tag");
  });

  it('refuses risk_category with anything else', () => {
    expect(jobSourceError({ risk_category: 'low', benchmarks: b })).toContain('exactly one of benchmarks, collection or risk_category');
    expect(jobSourceError({ risk_category: 'low', collection: { id: 'c' } })).toContain('exactly one of');
  });
});
