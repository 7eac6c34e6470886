import { decodeSource, encodeSource, reusedEvent, reuseFingerprint, wantsReuse } from './result-reuse';
import { JobRecord } from './types';

const job = (model: object, benchmark: object, reuse?: boolean) =>
  ({ resource: { id: 'j' }, config: { name: 'n', model, ...(reuse !== undefined ? { reuse } : {}) }, benchmarks: [benchmark] }) as unknown as JobRecord;

describe('result reuse', () => {
  const base = job({ url: 'http://m/v1', name: 'm' }, { id: 'arc', provider_id: 'lm', parameters: { a: 1, b: 2 } });

  it('is the same question when model, provider, benchmark, parameters and data are equal (key order aside)', () => {
    expect(reuseFingerprint(job({ name: 'm', url: 'http://m/v1' }, { provider_id: 'lm', id: 'arc', parameters: { b: 2, a: 1 } }), 0)).toBe(reuseFingerprint(base, 0));
    for (const other of [
      job({ url: 'http://m/v1', name: 'm2' }, { id: 'arc', provider_id: 'lm', parameters: { a: 1, b: 2 } }),
      job({ url: 'http://m/v1', name: 'm', parameters: { temperature: 0.5 } }, { id: 'arc', provider_id: 'lm', parameters: { a: 1, b: 2 } }),
      job({ url: 'http://m/v1', name: 'm' }, { id: 'arc', provider_id: 'lm', parameters: { a: 1 } }),
      job({ url: 'http://m/v1', name: 'm' }, { id: 'arc', provider_id: 'lm', parameters: { a: 1, b: 2 }, test_data_ref: { resolved_sha: 'abc' } }),
    ])
      expect(reuseFingerprint(other, 0)).not.toBe(reuseFingerprint(base, 0));
  });

  it("follows the job's choice over the deployment's", () => {
    expect(wantsReuse(base, true)).toBe(true);
    expect(wantsReuse(job({}, {}, false), true)).toBe(false);
    expect(wantsReuse(job({}, {}, true), false)).toBe(true);
  });

  it('carries metrics and statistics over, marked with the source, without the files', () => {
    const source = { job_id: 'old', benchmark_index: 2, completed_at: '2026-12-01T00:00:00Z' };
    const ev = reusedEvent({ id: 'arc', provider_id: 'lm', benchmark_index: 2, metrics: { acc: 0.5 }, artifacts: { f: '/x' }, additional_info: { n: 3 } }, source);
    expect(ev).toMatchObject({ status: 'completed', metrics: { acc: 0.5 }, additional_info: { n: 3, reused_from: source }, warning_message: { message_code: 'result_reused' } });
    expect(ev).not.toHaveProperty('artifacts');
    expect(decodeSource(encodeSource(source))).toEqual(source);
    expect(decodeSource('{"job_id":1}')).toBeUndefined();
  });
});
