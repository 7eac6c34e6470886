import { EvalHubService } from '../support/service';

/**
 * Bad input gets a 4xx with a message_code, never a 500: malformed bodies on every write route,
 * odd ids and query values on every read route. (Some odd-looking inputs are valid: an empty
 * status filter, a provider whose unknown fields are dropped; those may succeed.)
 */
describe('no request produces a 500', () => {
  const svc = new EvalHubService();
  let jobId: string;

  beforeAll(async () => {
    await svc.start({ worker: false });
    const job = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'target',
      model: { url: 'http://m/v1', name: 'm' },
      benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }],
    });
    jobId = job.body.resource.id;
  });
  afterAll(() => svc.stop());

  let deep: unknown = {};
  for (let i = 0; i < 2000; i++) deep = { a: deep };
  const bodies: [string, string][] = [
    ['null', 'null'],
    ['array', '[]'],
    ['string', '"text"'],
    ['number', '42'],
    ['empty object', '{}'],
    ['broken JSON', '{"name": '],
    ['wrong types', JSON.stringify({ name: 5, model: 'm', benchmarks: {}, collection: [], tags: 'x', experiment: 3, benchmark_status_event: [] })],
    ['nested wrong types', JSON.stringify({ name: 'n', model: { url: 7, name: [] }, benchmarks: [null, 1, 'x', { id: {}, provider_id: 2, parameters: [] }] })],
    ['prototype keys', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "name": "p"}'],
    ['deep nesting', JSON.stringify({ name: 'deep', model: { url: 'http://m/v1', name: 'm' }, custom: deep })],
    ['huge numbers', JSON.stringify({ name: 'n', model: { url: 'http://m/v1', name: 'm' }, benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', weight: 1e308, parameters: { num_examples: -1e308 } }] })],
    ['odd patch', JSON.stringify([{ op: 'replace' }, { op: 'nope', path: 5 }, null])],
    ['event without status', JSON.stringify({ benchmark_status_event: { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 'zero' } })],
  ];
  const writes: [string, string][] = [
    ['POST', '/api/v1/evaluations/jobs'],
    ['POST', '/api/v1/evaluations/jobs/JOB/events'],
    ['POST', '/api/v1/evaluations/providers'],
    ['POST', '/api/v1/evaluations/collections'],
    ['PUT', '/api/v1/evaluations/providers/lm_evaluation_harness'],
    ['PATCH', '/api/v1/evaluations/providers/lm_evaluation_harness'],
    ['PATCH', '/api/v1/evaluations/collections/leaderboard-v2'],
    ['PUT', '/api/v1/evaluations/collections/no-such'],
  ];

  it.each(writes)('%s %s: malformed bodies get a 4xx with a message_code, never a 5xx', async (method, url) => {
    const problems: string[] = [];
    for (const [name, body] of bodies) {
      const res = await fetch(svc.baseUrl + url.replace('JOB', jobId), { method, headers: { 'content-type': method === 'PATCH' ? 'application/json-patch+json' : 'application/json' }, body });
      const json = (await res.json()) as { message_code?: unknown };
      if (res.status >= 500) problems.push(`${name}: ${res.status}`);
      if (res.status >= 400 && typeof json.message_code !== 'string') problems.push(`${name}: no message_code`);
      // None of these is a valid job or event: those routes must refuse every one.
      if (url.includes('/jobs') && res.status < 400) problems.push(`${name}: accepted (${res.status})`);
    }
    expect(problems).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const reads = [
    '/api/v1/evaluations/jobs/%00',
    `/api/v1/evaluations/jobs/${'x'.repeat(5000)}`,
    '/api/v1/evaluations/jobs/..%2F..%2Fetc',
    '/api/v1/evaluations/jobs?limit=-1',
    '/api/v1/evaluations/jobs?limit=abc',
    '/api/v1/evaluations/jobs?offset=1e309',
    '/api/v1/evaluations/jobs?limit=1&limit=2',
    '/api/v1/evaluations/jobs?status=',
    '/api/v1/evaluations/jobs?status=running|nope',
    '/api/v1/evaluations/providers?benchmarks=maybe',
    '/api/v1/evaluations/collections?category=%ff',
    `/api/v1/evaluations/jobs/JOB/logs?tail_lines=-5`,
    `/api/v1/evaluations/jobs/JOB/logs?since_seconds=abc`,
    `/api/v1/evaluations/jobs/JOB/logs?timestamps=perhaps`,
    `/api/v1/evaluations/jobs/JOB/benchmarks/99/logs`,
    `/api/v1/evaluations/jobs/JOB/benchmarks/-1/logs`,
    `/api/v1/evaluations/jobs/JOB/benchmarks/abc/logs`,
  ];
  it('odd ids and query values get a 4xx with a message_code (or a plain answer), never a 5xx', async () => {
    const problems: string[] = [];
    for (const raw of reads) {
      const res = await fetch(svc.baseUrl + raw.replace('JOB', jobId));
      const json = (await res.json()) as { message_code?: unknown };
      if (res.status >= 500) problems.push(`${raw.slice(0, 80)}: ${res.status}`);
      if (res.status >= 400 && typeof json.message_code !== 'string') problems.push(`${raw.slice(0, 80)}: no message_code`);
    }
    expect(problems).toEqual([]);
  });

  it.each([
    [`/api/v1/evaluations/jobs/${'y'.repeat(1500)}`, 404, 'resource_not_found'],
    [`/api/v1/evaluations/jobs/${'y'.repeat(3000)}`, 414, 'uri_too_long'],
  ])('a long id is answered in the error format (%#)', async (url, status, code) => {
    const res = await svc.request('GET', url);
    expect({ status: res.status, code: res.body.message_code }).toEqual({ status, code });
  });

  it('refuses nonsense example and few-shot counts with the field named', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
      name: 'n',
      model: { url: 'http://m/v1', name: 'm' },
      benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: -3, num_few_shot: 1.5 } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.message_code).toBe('request_validation_failed');
    expect(res.body.message).toMatch(/benchmarks\[0\]\.parameters\.num_examples must be a whole number of at least 1.*num_few_shot/);
  });
});
