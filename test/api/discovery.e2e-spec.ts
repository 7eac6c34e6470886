import { spawnSync } from 'child_process';
import * as path from 'path';
import { EvalHubService, ROOT } from '../support/service';

describe('discovery: providers, benchmarks, collections, docs', () => {
  const svc = new EvalHubService();
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('answers the contract health check and echoes the request id', async () => {
    const res = await svc.request('GET', '/api/v1/health', undefined, { 'X-Global-Transaction-Id': 'trace-123' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('healthy');
    expect(Number.isNaN(Date.parse(res.body.timestamp))).toBe(false);
    expect(res.headers.get('x-global-transaction-id')).toBe('trace-123');
  });

  it('lists the 9 system providers, lm_evaluation_harness with 188 benchmarks', async () => {
    const res = await svc.request('GET', '/api/v1/evaluations/providers');
    expect(res.status).toBe(200);
    expect(res.body.total_count).toBe(9);
    const lm = res.body.items.find((p: any) => p.resource.id === 'lm_evaluation_harness');
    expect(lm.benchmarks).toHaveLength(188);
    expect(lm.resource.owner).toBe('system');
    const arc = lm.benchmarks.find((b: any) => b.id === 'arc_easy');
    expect(arc).toMatchObject({ category: 'reasoning', num_few_shot: 0, dataset_size: 2376, primary_score: { metric: 'acc_norm' }, pass_criteria: { threshold: 0.25 } });
    for (const p of res.body.items) for (const b of p.benchmarks) expect(typeof b.category).toBe('string');
    expect(res.body.items.find((p: any) => p.resource.id === 'lighteval').benchmarks).toHaveLength(28);
  });

  it('serves one provider with an ETag; If-None-Match gives 304 until it changes', async () => {
    const first = await svc.request('GET', '/api/v1/evaluations/providers/lm_evaluation_harness');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.body).toMatchObject({ resource: { id: 'lm_evaluation_harness', owner: 'system' }, availability: { runtime: 'local' } });
    expect(first.body.benchmarks).toHaveLength(188);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await svc.request('GET', '/api/v1/evaluations/providers/lm_evaluation_harness', undefined, { 'If-None-Match': etag });
    expect([again.status, again.text]).toEqual([304, '']);
    // A tenant provider changes with its document.
    const created = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'Mine', benchmarks: [{ id: 'b', name: 'B', category: 'c' }], runtime: { local: { command: 'true' } } });
    const id = created.body.resource.id;
    const v1 = (await svc.request('GET', `/api/v1/evaluations/providers/${id}`)).headers.get('etag');
    await svc.request('PATCH', `/api/v1/evaluations/providers/${id}`, [{ op: 'replace', path: '/name', value: 'Renamed' }]);
    const changed = await svc.request('GET', `/api/v1/evaluations/providers/${id}`, undefined, { 'If-None-Match': v1! });
    expect([changed.status, changed.body.name]).toEqual([200, 'Renamed']);
    // Gone again: the tests below count the catalog.
    expect((await svc.request('DELETE', `/api/v1/evaluations/providers/${id}`)).status).toBe(204);
    expect((await svc.request('GET', '/api/v1/evaluations/providers/nope')).body.message_code).toBe('resource_not_found');
  });

  it('drops benchmarks with benchmarks=false and filters by scope, name and tags', async () => {
    const noBench = await svc.request('GET', '/api/v1/evaluations/providers?benchmarks=false');
    expect(noBench.body.items.every((p: any) => Array.isArray(p.benchmarks) && p.benchmarks.length === 0)).toBe(true);
    expect((await svc.request('GET', '/api/v1/evaluations/providers?scope=system')).body.total_count).toBe(9);
    expect((await svc.request('GET', '/api/v1/evaluations/providers?scope=tenant')).body.total_count).toBe(0);
    const byName = await svc.request('GET', `/api/v1/evaluations/providers?name=${encodeURIComponent('Garak|GuideLLM')}`);
    expect(byName.body.items.map((p: any) => p.resource.id).sort()).toEqual(['garak', 'guidellm']);
    expect((await svc.request('GET', '/api/v1/evaluations/providers?tags=lighteval')).body.items.map((p: any) => p.resource.id)).toEqual(['lighteval']);
  });

  it('pages with first/next links', async () => {
    const res = await svc.request('GET', '/api/v1/evaluations/providers?limit=4&benchmarks=false');
    expect(res.body).toMatchObject({ limit: 4, total_count: 9, first: { href: '/api/v1/evaluations/providers?limit=4&benchmarks=false' } });
    expect(res.body.items).toHaveLength(4);
    expect(res.body.next.href).toContain('offset=4');
    const last = await svc.request('GET', '/api/v1/evaluations/providers?limit=4&offset=8&benchmarks=false');
    expect(last.body.items).toHaveLength(1);
    expect(last.body.next).toBeUndefined();
  });

  it.each([
    ['/api/v1/evaluations/providers?scope=system&owner=x', 400, 'query_parameter_mismatch'],
    ['/api/v1/evaluations/providers?foo=1', 400, 'query_bad_parameter'],
    ['/api/v1/evaluations/providers?limit=-1', 400, 'query_parameter_invalid'],
    ['/api/v1/evaluations/collections?offset=-1', 400, 'query_parameter_invalid'],
    ['/api/v1/evaluations/jobs?limit=-1', 400, 'query_parameter_invalid'],
    ['/api/v1/evaluations/providers?limit=abc', 400, 'query_parameter_invalid'],
    ['/api/v1/evaluations/providers?benchmarks=maybe', 400, 'query_parameter_invalid'],
    ['/api/v1/evaluations/providers?scope=everyone', 400, 'query_parameter_value_invalid'],
    ['/api/v1/evaluations/providers/nope', 404, 'resource_not_found'],
    ['/api/v1/evaluations/collections/nope', 404, 'resource_not_found'],
    ['/api/v1/evaluations/nothing-here', 404, 'resource_not_found'],
  ])('GET %s -> %i %s', async (url, status, code) => {
    const res = await svc.request('GET', url);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ message_code: code, message: expect.any(String), trace: res.headers.get('x-global-transaction-id') });
  });

  it('answers 405 for a method a path does not have', async () => {
    const res = await svc.request('PUT', '/api/v1/evaluations/jobs', {});
    expect(res.status).toBe(405);
    expect(res.body.message_code).toBe('method_not_allowed');
    // The allowed methods come from the routes the app registered.
    const patch = await svc.request('PATCH', '/api/v1/evaluations/jobs/some-id', {});
    expect(patch.status).toBe(405);
    expect(patch.body.message).toMatch(/use (?=.*GET)(?=.*DELETE)/);
    expect(patch.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD']);
    const events = await svc.request('GET', '/api/v1/evaluations/jobs/some-id/events');
    expect(events.status).toBe(405);
    expect(events.headers.get('allow')).toBe('POST');
    expect(events.body.message).toMatch(/use POST\.$/);
  });

  it('lists the 10 built-in collections with weights and thresholds', async () => {
    const res = await svc.request('GET', '/api/v1/evaluations/collections');
    expect(res.body.total_count).toBe(10);
    const lb = await svc.request('GET', '/api/v1/evaluations/collections/leaderboard-v2');
    expect(lb.body).toMatchObject({ category: 'general', pass_criteria: { threshold: 38 } });
    expect(lb.body.benchmarks).toHaveLength(6);
    expect(lb.body.benchmarks.every((b: any) => b.weight === 1 && b.provider_id === 'lm_evaluation_harness')).toBe(true);
    const safety = await svc.request('GET', '/api/v1/evaluations/collections?category=safety');
    expect(safety.body.items.map((c: any) => c.resource.id).sort()).toEqual(['model-validation', 'safety-and-fairness-v1', 'toxicity-and-ethical-principles']);
  });

  it('serves Swagger UI and a described OpenAPI document', async () => {
    const ui = await svc.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await svc.request('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of ['/api/v1/evaluations/jobs', '/api/v1/evaluations/jobs/{id}/events', '/api/v1/evaluations/providers/{id}', '/api/v1/evaluations/collections']) {
      expect(paths).toContain(p);
    }
    for (const [p, methods] of Object.entries<any>(doc.body.paths)) {
      for (const [m, op] of Object.entries<any>(methods)) expect(`${m} ${p}: ${op.summary ?? ''}`).not.toMatch(/: $/);
    }
    // Every schema and every property (other than references to other schemas) is described.
    const undescribed: string[] = [];
    for (const [name, schema] of Object.entries<any>(doc.body.components.schemas)) {
      if (!schema.description) undescribed.push(name);
      for (const [prop, def] of Object.entries<any>(schema.properties ?? {})) {
        if (!def.description && !def.$ref && !def.allOf) undescribed.push(`${name}.${prop}`);
      }
    }
    expect(undescribed).toEqual([]);
    // Optional, so null (= not given) is listed too, as OpenAPI 3.0 wants for a nullable enum.
    expect(doc.body.components.schemas.JobSubmissionDto.properties.risk_category).toMatchObject({ enum: ['low', 'medium', 'high', 'critical', null], nullable: true });
    expect(doc.body.components.schemas.JobSubmissionDto.properties.risk_category.description).toMatch(/hellaswag/);
    const yaml = await svc.request('GET', '/openapi.yaml');
    expect(yaml.status).toBe(200);
    expect(yaml.text).toContain('openapi:');
  });
});

describe('configuration checked at boot', () => {
  it('stops with a clear message naming a bad variable', () => {
    const res = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'main.js')], { env: { ...process.env, API_PORT: 'eighty' }, encoding: 'utf8', timeout: 20000 });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("Configuration error: API_PORT must be a whole number, got 'eighty'");
  });
});
