import { EvalHubService, TEST_ADAPTER } from '../support/service';

describe('tenant providers and collections: CRUD and JSON Patch', () => {
  const svc = new EvalHubService();
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  const provider = {
    name: 'My P',
    title: 't',
    description: 'd',
    benchmarks: [{ id: 'b1', name: 'B1', category: 'x', url: 'https://example.org/b1' }],
    runtime: { local: { command: TEST_ADAPTER }, k8s: { Image: 'quay.io/x/y:1', Entrypoint: ['python', 'main.py'], Env: [{ Name: 'A', Value: '1' }] } },
  };

  it('creates, reads, replaces, patches and deletes a provider', async () => {
    const created = await svc.request('POST', '/api/v1/evaluations/providers', provider);
    expect(created.status).toBe(201);
    const id = created.body.resource.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.benchmarks[0]).toMatchObject({ id: 'b1', category: 'x', num_few_shot: 0, dataset_size: 0 });
    // Go-style runtime.k8s keys come back in snake_case.
    expect(created.body.runtime.k8s).toEqual({ image: 'quay.io/x/y:1', entrypoint: ['python', 'main.py'], env: [{ name: 'A', value: '1' }] });

    expect((await svc.request('GET', `/api/v1/evaluations/providers/${id}`)).body.name).toBe('My P');
    expect((await svc.request('GET', '/api/v1/evaluations/providers?scope=tenant')).body.total_count).toBe(1);

    const replaced = await svc.request('PUT', `/api/v1/evaluations/providers/${id}`, { ...provider, name: 'Renamed' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.name).toBe('Renamed');
    expect(replaced.body.resource.created_at).toBe(created.body.resource.created_at);

    const patched = await svc.request('PATCH', `/api/v1/evaluations/providers/${id}`, [
      { op: 'replace', path: '/title', value: 'New title' },
      { op: 'add', path: '/tags', value: ['mine'] },
    ]);
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'New title', tags: ['mine'] });

    const bad = await svc.request('PATCH', `/api/v1/evaluations/providers/${id}`, [{ op: 'replace', path: '/resource/id', value: 'x' }]);
    expect(bad.body.message_code).toBe('unallowed_patch');
    const invalid = await svc.request('PATCH', `/api/v1/evaluations/providers/${id}`, [{ op: 'replace', path: '/name', value: '' }]);
    expect(invalid.status).toBe(400);
    expect(invalid.body.message_code).toBe('request_validation_failed');
    expect((await svc.request('GET', `/api/v1/evaluations/providers/${id}`)).body.name).toBe('Renamed');

    expect((await svc.request('DELETE', `/api/v1/evaluations/providers/${id}`)).status).toBe(204);
    expect((await svc.request('GET', `/api/v1/evaluations/providers/${id}`)).status).toBe(404);
  });

  it.each([
    ['DELETE', '/api/v1/evaluations/providers/lm_evaluation_harness', undefined, 'read_only_provider'],
    ['PUT', '/api/v1/evaluations/providers/garak', { name: 'x' }, 'read_only_provider'],
    ['PATCH', '/api/v1/evaluations/providers/garak', [{ op: 'replace', path: '/name', value: 'x' }], 'read_only_provider'],
    ['DELETE', '/api/v1/evaluations/collections/leaderboard-v2', undefined, 'read_only_collection'],
    ['PATCH', '/api/v1/evaluations/collections/leaderboard-v2', [{ op: 'replace', path: '/name', value: 'x' }], 'read_only_collection'],
  ])('%s %s on a system resource -> 400 %s', async (method, url, body, code) => {
    const res = await svc.request(method, url, body);
    expect(res.status).toBe(400);
    expect(res.body.message_code).toBe(code);
  });

  it('validates provider bodies', async () => {
    const res = await svc.request('POST', '/api/v1/evaluations/providers', { title: 'no name' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message_code: 'request_validation_failed' });
    expect(res.body.message).toContain('name');
    const badTag = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'x', tags: ['a,b'] });
    expect(badTag.body.message_code).toBe('request_validation_failed');
  });

  it('creates a collection with url enrichment, patches and deletes it', async () => {
    const created = await svc.request('POST', '/api/v1/evaluations/collections', {
      name: 'c',
      category: 'test',
      benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', weight: 2 }, { id: 'hellaswag', provider_id: 'lm_evaluation_harness' }],
    });
    expect(created.status).toBe(201);
    const id = created.body.resource.id;
    expect(created.body.benchmarks.map((b: any) => b.weight)).toEqual([2, 1]);

    const patched = await svc.request('PATCH', `/api/v1/evaluations/collections/${id}`, [{ op: 'replace', path: '/name', value: 'n2' }]);
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe('n2');
    const forbidden = await svc.request('PATCH', `/api/v1/evaluations/collections/${id}`, [{ op: 'replace', path: '/resource/id', value: 'x' }]);
    expect(forbidden.body.message_code).toBe('unallowed_patch');
    const emptied = await svc.request('PATCH', `/api/v1/evaluations/collections/${id}`, [{ op: 'replace', path: '/benchmarks', value: [] }]);
    expect(emptied.body.message_code).toBe('request_validation_failed');

    expect((await svc.request('DELETE', `/api/v1/evaluations/collections/${id}`)).status).toBe(204);
    expect((await svc.request('GET', `/api/v1/evaluations/collections/${id}`)).status).toBe(404);
  });

  it('parallel patches of one collection lose no write: each is applied or refused with 409 concurrent_update', async () => {
    const created = await svc.request('POST', '/api/v1/evaluations/collections', { name: 'busy', category: 'test', tags: [], benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] });
    const id = created.body.resource.id;
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const answers = await Promise.all(tags.map((t) => svc.request('PATCH', `/api/v1/evaluations/collections/${id}`, [{ op: 'add', path: '/tags/-', value: t }])));
    for (const a of answers) expect([a.status, a.status === 409 ? a.body.message_code : 'ok']).toEqual(a.status === 200 ? [200, 'ok'] : [409, 'concurrent_update']);
    const applied = tags.filter((_, i) => answers[i].status === 200);
    expect(applied.length).toBeGreaterThan(0);
    const final = await svc.request('GET', `/api/v1/evaluations/collections/${id}`);
    // Every write that answered 200 is there, and nothing else: no patch overwrote another.
    expect([...final.body.tags].sort()).toEqual([...applied].sort());
    // The url enrichment (an async lookup) ran for the stored version.
    expect(final.body.benchmarks[0]).toMatchObject({ id: 'arc_easy', weight: 1 });
  });

  it.each([
    [{ name: 'c', benchmarks: [{ id: 'a', provider_id: 'p' }] }, 'category'],
    [{ name: 'c', category: 'x', benchmarks: [] }, 'benchmarks'],
    [{ name: 'c', category: 'x', benchmarks: [{ id: 'a' }] }, 'provider_id'],
    [{ name: 'c', category: 'x', pass_criteria: { threshold: null }, benchmarks: [{ id: 'a', provider_id: 'p' }] }, 'threshold'],
  ])('rejects collection %j (%s)', async (body, field) => {
    const res = await svc.request('POST', '/api/v1/evaluations/collections', body);
    expect(res.status).toBe(400);
    expect(res.body.message_code).toBe('request_validation_failed');
    expect(res.body.message).toContain(field);
  });

  it('keeps tenants apart and shows system resources to all', async () => {
    const mine = await svc.request('POST', '/api/v1/evaluations/providers', provider, { 'X-Tenant': 'ns1' });
    const id = mine.body.resource.id;
    expect(mine.body.resource.tenant).toBe('ns1');
    expect((await svc.request('GET', `/api/v1/evaluations/providers/${id}`, undefined, { 'X-Tenant': 'ns2' })).status).toBe(404);
    expect((await svc.request('DELETE', `/api/v1/evaluations/providers/${id}`, undefined, { 'X-Tenant': 'ns2' })).status).toBe(404);
    const ns2 = await svc.request('GET', '/api/v1/evaluations/providers?benchmarks=false', undefined, { 'X-Tenant': 'ns2' });
    expect(ns2.body.total_count).toBe(9);
    const ns1 = await svc.request('GET', '/api/v1/evaluations/providers?benchmarks=false', undefined, { 'X-Tenant': 'ns1' });
    expect(ns1.body.total_count).toBe(10);
  });
});
