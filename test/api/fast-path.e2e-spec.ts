import { EvalHubService } from '../support/service';

const JOB = {
  name: 'fast-path',
  model: { url: 'http://model.local:8000/v1', name: 'm' },
  benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 5 } }],
};

/** The number on a metrics line matching `pattern`, 0 when there is none. */
function sample(text: string, pattern: RegExp): number {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

// GET /jobs/{id} and the health check are answered below Fastify (core/http/fast-path); these
// check that the answers are the ones the Nest routes give, for every caller.
describe('reads on the server fast path', () => {
  const svc = new EvalHubService({ TENANCY_MODE: 'cluster', AUTH_DISABLED_I_UNDERSTAND: 'true' });
  const tenantA = { 'X-Tenant': 'team-a', 'X-User': 'ann' };
  let id = '';
  beforeAll(async () => {
    await svc.start({ worker: false });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', JOB, tenantA);
    expect(res.status).toBe(202);
    id = res.body.resource.id;
  });
  afterAll(() => svc.stop());

  it('answers a job read exactly as the Nest route does', async () => {
    const fast = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { ...tenantA, 'X-Global-Transaction-Id': 'fast-1' });
    // A query string takes the request through Fastify and Nest.
    const nest = await svc.request('GET', `/api/v1/evaluations/jobs/${id}?via=nest`, undefined, tenantA);
    expect(fast.status).toBe(200);
    expect(fast.headers.get('x-global-transaction-id')).toBe('fast-1');
    expect(fast.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(fast.body).toEqual(nest.body);
    expect(fast.body.status.benchmarks[0]).toMatchObject({ status: 'pending', queue_position: expect.any(Number) });
  });

  it('keeps tenants apart and checks headers as the access guard does', async () => {
    const other = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'team-b', 'X-User': 'bob' });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ message_code: 'resource_not_found', trace: expect.any(String) });
    const missing = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-User': 'bob' });
    expect(missing.body.message_code).toBe('missing_tenant_header');
    const bad = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'Team B!', 'X-User': 'bob' });
    expect(bad.status).toBe(400);
    expect(bad.body.message_code).toBe('invalid_tenant_header');
    const malformed = await svc.request('GET', '/api/v1/evaluations/jobs/%E0%A4%A', undefined, tenantA);
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
  });

  it('leaves fixed paths under /jobs to their own routes', async () => {
    const compare = await svc.request('GET', '/api/v1/evaluations/jobs/compare', undefined, tenantA);
    expect(compare.body.message_code).not.toBe('resource_not_found');
    expect(compare.status).toBe(400);
  });

  it('counts its answers in the HTTP metrics under the route pattern', async () => {
    const before = sample((await svc.request('GET', '/metrics')).text, /^evalhub_http_requests_total\{.*route="\/api\/v1\/evaluations\/jobs\/:id".*status="200"/);
    await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, tenantA);
    await svc.request('GET', '/api/v1/health');
    const text = (await svc.request('GET', '/metrics')).text;
    expect(sample(text, /^evalhub_http_requests_total\{.*route="\/api\/v1\/evaluations\/jobs\/:id".*status="200"/)).toBe(before + 1);
    expect(sample(text, /^http_server_request_count_total\{.*http_route="\/api\/v1\/health"/)).toBeGreaterThanOrEqual(1);
  });
});
