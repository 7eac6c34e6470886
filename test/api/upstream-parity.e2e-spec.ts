import { spawnSync } from 'child_process';
import * as http from 'http';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

/**
 * Requests sent the way upstream's clients send them (Go and script clients without a
 * Content-Type, `curl -d` without -H, fetch() with a string) get upstream's statuses, codes and
 * messages; and the other places a client can tell us from upstream (issue 11).
 */
interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  trailers: NodeJS.Dict<string>;
  text: string;
  body: any;
}

/** A request with exactly the headers given: no Content-Type unless one is passed. */
function raw(base: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString();
        let parsed: any = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text) parsed = JSON.parse(text);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** The real curl with -d and no -H: it sends application/x-www-form-urlencoded. */
function curlData(url: string, method: string, data: string): { status: number; body: any; sentType: string } {
  const res = spawnSync('curl', ['-sS', '-v', '-X', method, url, '-d', data, '-w', '\n%{http_code}'], { encoding: 'utf8', timeout: 30000 });
  if (res.status !== 0) throw new Error(`curl failed: ${res.stderr}`);
  const lines = res.stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  const text = lines.join('\n');
  const sentType = /> Content-Type: (.*)/i.exec(res.stderr)?.[1]?.trim() ?? '';
  return { status, body: text ? JSON.parse(text) : undefined, sentType };
}

const MODEL = { url: 'http://model.local:8000/v1', name: 'm' };
// Small enough that a whole job's logs are cut, large enough for one benchmark's.
const LOG_CAP = 640;

describe('upstream parity: what a client can tell', () => {
  const svc = new EvalHubService({ MAX_LOG_RESPONSE_BYTES: String(LOG_CAP) });
  let providerId: string;

  beforeAll(async () => {
    await svc.start();
    providerId = await svc.createTestProvider();
  });
  afterAll(() => svc.stop());

  describe('bodies without application/json', () => {
    const provider = JSON.stringify({ name: 'no content type', benchmarks: [{ id: 'b1', name: 'B1', category: 'x' }] });
    const collection = JSON.stringify({ name: 'c', category: 'test', benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] });
    const job = () => JSON.stringify({ name: 'j', model: MODEL, benchmarks: [{ id: 'alpha', provider_id: providerId }] });

    it('reads a job, a provider, a collection and a patch sent without Content-Type as JSON', async () => {
      const p = await raw(svc.baseUrl, 'POST', '/api/v1/evaluations/providers', provider);
      expect([p.status, p.body.name]).toEqual([201, 'no content type']);
      const c = await raw(svc.baseUrl, 'POST', '/api/v1/evaluations/collections', collection);
      expect([c.status, c.body.benchmarks[0].id]).toEqual([201, 'arc_easy']);
      const j = await raw(svc.baseUrl, 'POST', '/api/v1/evaluations/jobs', job());
      expect([j.status, j.body.status?.state]).toEqual([202, 'pending']);
      const patch = await raw(svc.baseUrl, 'PATCH', `/api/v1/evaluations/providers/${p.body.resource.id}`, JSON.stringify([{ op: 'replace', path: '/name', value: 'patched' }]));
      expect([patch.status, patch.body.name]).toEqual([200, 'patched']);
      const put = await raw(svc.baseUrl, 'PUT', `/api/v1/evaluations/collections/${c.body.resource.id}`, JSON.stringify({ ...JSON.parse(collection), name: 'put' }));
      expect([put.status, put.body.name]).toEqual([200, 'put']);
    });

    it('reads `curl -d` bodies (no -H) as JSON: job, provider, collection, patch', async () => {
      const p = curlData(`${svc.baseUrl}/api/v1/evaluations/providers`, 'POST', provider);
      expect(p.sentType).toBe('application/x-www-form-urlencoded');
      expect([p.status, p.body.name]).toEqual([201, 'no content type']);
      const c = curlData(`${svc.baseUrl}/api/v1/evaluations/collections`, 'POST', collection);
      expect(c.status).toBe(201);
      const j = curlData(`${svc.baseUrl}/api/v1/evaluations/jobs`, 'POST', job());
      expect([j.status, j.body.benchmarks[0].id]).toEqual([202, 'alpha']);
      const patch = curlData(`${svc.baseUrl}/api/v1/evaluations/collections/${c.body.resource.id}`, 'PATCH', JSON.stringify([{ op: 'replace', path: '/name', value: 'curl' }]));
      expect([patch.status, patch.body.name]).toEqual([200, 'curl']);
      // Not JSON at all (a form, as curl -d name=x): invalid JSON, not 415.
      const form = curlData(`${svc.baseUrl}/api/v1/evaluations/providers`, 'POST', 'name=x');
      expect([form.status, form.body.message_code]).toEqual([400, 'invalid_json_request']);
    });

    it('reads text/plain (fetch with a string body) and application/json-patch+json', async () => {
      const res = await fetch(`${svc.baseUrl}/api/v1/evaluations/providers`, { method: 'POST', body: provider });
      expect(res.status).toBe(201);
      const id = ((await res.json()) as { resource: { id: string } }).resource.id;
      const patch = await raw(svc.baseUrl, 'PATCH', `/api/v1/evaluations/providers/${id}`, JSON.stringify([{ op: 'add', path: '/tags', value: ['t'] }]), {
        'content-type': 'application/json-patch+json',
      });
      expect([patch.status, patch.body.tags]).toEqual([200, ['t']]);
    });

    it('answers a body that is not JSON with 400 invalid_json_request, whatever the type', async () => {
      for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/json' }] as Record<string, string>[]) {
        const res = await raw(svc.baseUrl, 'POST', '/api/v1/evaluations/jobs', '{"name": ', headers);
        expect([res.status, res.body.message_code]).toEqual([400, 'invalid_json_request']);
      }
    });
  });

  describe('message codes and texts', () => {
    it.each([
      ['/api/v1/evaluations/jobs?limit=-1', "The query parameter 'limit' is not a valid positive integer: '-1'."],
      ['/api/v1/evaluations/providers?offset=-1', "The query parameter 'offset' is not a valid positive integer: '-1'."],
    ])('GET %s -> query_parameter_invalid', async (url, message) => {
      const res = await svc.request('GET', url);
      expect([res.status, res.body.message_code, res.body.message]).toEqual([400, 'query_parameter_invalid', message]);
    });

    it.each([
      ['an empty benchmarks list', { benchmarks: [] }, /a minimum of one benchmark is needed.*'benchmarks' failed on the 'minimum one benchmark' tag/],
      ['neither benchmarks nor a collection', {}, /benchmarks or collection/],
      ['benchmarks and a collection', { benchmarks: [{ id: 'alpha', provider_id: 'x' }], collection: { id: 'reasoning-v1' } }, /'benchmarks' failed on the 'benchmarks or collection' tag/],
    ])('a job with %s is request_validation_failed, in words clients match', async (_, extra, message) => {
      const res = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'j', model: MODEL, ...extra });
      expect([res.status, res.body.message_code]).toEqual([400, 'request_validation_failed']);
      expect(res.body.message).toMatch(message);
    });

    it.each([
      ['PUT', { name: 'x', category: 'c', benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness' }] }],
      ['PATCH', [{ op: 'replace', path: '/name', value: 'x' }]],
      ['DELETE', undefined],
    ])('%s on a system collection: "cannot be modified or deleted"', async (method, body) => {
      const res = await svc.request(method, '/api/v1/evaluations/collections/leaderboard-v2', body);
      expect([res.status, res.body.message_code, res.body.message]).toEqual([400, 'read_only_collection', "Collection 'leaderboard-v2' cannot be modified or deleted."]);
    });

    it('names a disallowed patch operation and lists the allowed ones', async () => {
      const url = `/api/v1/evaluations/providers/${providerId}`;
      const removeName = await svc.request('PATCH', url, [{ op: 'remove', path: '/name' }]);
      expect([removeName.status, removeName.body.message_code]).toEqual([400, 'unallowed_patch']);
      expect(removeName.body.message).toBe("The operation 'remove' is not allowed for the path '/name'. Allowed operations are: replace.");
      const badOp = await svc.request('PATCH', url, [{ op: 'copy', path: '/name', from: '/title' }]);
      expect([badOp.status, badOp.body.message_code, badOp.body.message]).toEqual([
        400,
        'invalid_patch_operation',
        "The patch operation 'copy' is not valid. Allowed operations are: replace, add, remove.",
      ]);
    });
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('%s with an empty id (trailing slash) is 404 resource_not_found', async (method) => {
    for (const kind of ['providers', 'collections']) {
      const res = await svc.request(method, `/api/v1/evaluations/${kind}/`, method === 'DELETE' ? undefined : method === 'PATCH' ? [] : { name: 'x' });
      expect([kind, res.status, res.body.message_code]).toEqual([kind, 404, 'resource_not_found']);
    }
  });

  it('a JSON Patch replace of an absent /runtime adds it; add on /runtime is not allowed, as upstream', async () => {
    const created = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'bare', benchmarks: [{ id: 'b', name: 'B', category: 'x' }] });
    expect(created.body.runtime).toBeUndefined();
    const url = `/api/v1/evaluations/providers/${created.body.resource.id}`;
    const replaced = await svc.request('PATCH', url, [{ op: 'replace', path: '/runtime', value: { local: { command: 'python adapter.py' } } }]);
    expect([replaced.status, replaced.body.runtime]).toEqual([200, { local: { command: 'python adapter.py' } }]);
    expect((await svc.request('GET', url)).body.runtime).toEqual({ local: { command: 'python adapter.py' } });
    const add = await svc.request('PATCH', url, [{ op: 'add', path: '/runtime', value: {} }]);
    expect([add.status, add.body.message_code]).toEqual([400, 'unallowed_patch']);
  });

  describe('agent metadata', () => {
    it.each([
      [{ target_type: 'robot' }, 'agent.target_type', 'must be one of: model, agent, inference_server'],
      [{ target_type: 'model', summary: 'x'.repeat(201) }, 'agent.summary', 'at most 200 characters'],
    ])('refuses a tenant agent block %#, naming the field', async (agent, field, rule) => {
      const res = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'a', agent });
      expect([res.status, res.body.message_code]).toEqual([400, 'request_validation_failed']);
      expect(res.body.message).toContain(field);
      expect(res.body.message).toContain(rule);
    });

    it('keeps a valid tenant agent block', async () => {
      const agent = { target_type: 'agent', summary: 's'.repeat(200), evaluates: ['rag'], hints: ['h'] };
      const res = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'a', agent, benchmarks: [{ id: 'b', name: 'B', category: 'x', agent: { score_ranges: [{ range: '0-1', meaning: 'm' }] } }] });
      expect(res.status).toBe(201);
      expect(res.body.agent).toEqual(agent);
      const badRange = await svc.request('POST', '/api/v1/evaluations/providers', { name: 'a', benchmarks: [{ id: 'b', name: 'B', category: 'x', agent: { score_ranges: [{ range: '0-1' }] } }] });
      expect([badRange.status, badRange.body.message]).toEqual([400, expect.stringContaining('meaning')]);
    });

    it('discovery as the SDK and MCP tools filter it: model + accuracy is lm_evaluation_harness, agent is none of the system providers', async () => {
      const list = (await svc.request('GET', '/api/v1/evaluations/providers?scope=system&benchmarks=false')).body.items as any[];
      const pick = (target: string, evaluates?: string) =>
        list.filter((p) => p.agent?.target_type === target && (!evaluates || p.agent.evaluates?.includes(evaluates))).map((p) => p.resource.id);
      expect(pick('model', 'accuracy')).toEqual(['lm_evaluation_harness']);
      expect(pick('agent')).toEqual([]);
      expect(pick('model').sort()).toEqual(['garak', 'garak-kfp', 'lm_evaluation_harness']);
      expect(list.filter((p) => p.agent).map((p) => p.resource.id).sort()).toEqual(['garak', 'garak-kfp', 'lm_evaluation_harness']);
    });
  });

  it('exposes the OpenTelemetry-named HTTP series beside the evalhub_* ones', async () => {
    await svc.request('GET', '/api/v1/evaluations/collections/leaderboard-v2');
    await svc.request('GET', '/api/v1/no-such-route');
    const text = (await svc.request('GET', '/metrics')).text;
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    expect(text).toMatch(
      /^http_server_request_duration_seconds_count\{.*http_request_method="GET".*http_route="\/api\/v1\/evaluations\/collections\/\{id\}".*http_response_status_code="200".*\} [1-9]\d*$/m,
    );
    expect(text).toContain('# TYPE http_server_active_requests gauge');
    expect(text).toMatch(/^http_server_active_requests\{.*http_request_method="GET".*\} \d+$/m);
    expect(text).toMatch(/^http_server_request_count_total\{.*http_route="not_found".*http_response_status_code="404".*\} [1-9]\d*$/m);
    expect(text).toMatch(/^evalhub_http_requests_total\{/m);
  });

  describe('logs', () => {
    let jobId: string;
    beforeAll(async () => {
      const res = await svc.request('POST', '/api/v1/evaluations/jobs', {
        name: 'logs',
        model: MODEL,
        benchmarks: ['alpha', 'beta', 'gamma'].map((id) => ({ id, provider_id: providerId })),
      });
      jobId = res.body.resource.id;
      await svc.waitForState(jobId, ['completed']);
      // The job completes on the adapter's last callback; its last lines reach the store after.
      for (const i of [0, 1, 2]) {
        await waitFor(`benchmark ${i} logs complete`, async () => (await svc.request('GET', `/api/v1/evaluations/jobs/${jobId}/benchmarks/${i}/logs`)).text.includes('adapter exited'));
      }
    });

    it('tail_lines=-1 gives every line of a benchmark, streamed, without the truncation trailer', async () => {
      const all = await raw(svc.baseUrl, 'GET', `/api/v1/evaluations/jobs/${jobId}/benchmarks/0/logs?tail_lines=-1`);
      expect(all.status).toBe(200);
      expect(all.headers['transfer-encoding']).toBe('chunked');
      expect(all.headers.trailer?.toLowerCase()).toBe('x-log-truncated');
      expect(all.trailers['x-log-truncated']).toBeUndefined();
      const lines = all.text.trimEnd().split('\n');
      expect(lines).toContain('test adapter: benchmark alpha index 0 mode complete num_examples -');
      expect(lines).toContain('done');
      expect(lines.length).toBeGreaterThan(4);
      expect(Buffer.byteLength(all.text)).toBeLessThan(LOG_CAP);
      const last = await raw(svc.baseUrl, 'GET', `/api/v1/evaluations/jobs/${jobId}/benchmarks/0/logs?tail_lines=1`);
      expect(last.text).toBe(`${lines[lines.length - 1]}\n`);
    });

    it('cuts the output at the size cap and says so in X-Log-Truncated', async () => {
      const res = await raw(svc.baseUrl, 'GET', `/api/v1/evaluations/jobs/${jobId}/logs?tail_lines=-1`);
      expect(res.status).toBe(200);
      expect(res.trailers['x-log-truncated']).toBe('true');
      expect(Buffer.byteLength(res.text)).toBe(LOG_CAP);
      // The head is kept, as upstream: the first section starts the text.
      expect(res.text).toMatch(/^=== run=\S+ executor=\S+ benchmark_id=alpha ===\n/);
    });
  });
});
