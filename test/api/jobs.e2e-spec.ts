import * as http from 'http';
import { Redis } from 'ioredis';
import { waitFor } from '../support/ports';
import { EvalHubService } from '../support/service';

const MODEL = { url: 'http://model.local:8000/v1', name: 'm' };
const ARC = { id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 10 } };

/**
 * Job endpoints without a worker: jobs stay pending, so every state change here is the API's own.
 * Authentication is on, and the suite calls as an admin, who may post events for any job (no run
 * exists to hold a callback token).
 */
describe('jobs API: submit, list, get, cancel, delete, events, logs', () => {
  const svc = new EvalHubService({}, { auth: true });
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  const submit = (body: object, headers: Record<string, string> = {}) => svc.request('POST', '/api/v1/evaluations/jobs', body, headers);

  it('accepts a benchmark job with 202 and the stored resource', async () => {
    const res = await submit({ name: 'j', tags: ['a', 'b'], model: MODEL, benchmarks: [ARC] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      name: 'j',
      model: MODEL,
      benchmarks: [ARC],
      status: {
        state: 'pending',
        message: { message_code: 'evaluation_job_created', message_origin: 'server' },
        benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0, status: 'pending' }],
      },
    });
    expect(Date.parse(res.body.resource.created_at)).toBeGreaterThan(0);
    // Read back: the same, and (no worker here) the benchmark waits first in the queue.
    const got = await svc.request('GET', `/api/v1/evaluations/jobs/${res.body.resource.id}`);
    expect(got.body).toEqual({ ...res.body, status: { ...res.body.status, benchmarks: [{ ...res.body.status.benchmarks[0], queue_position: 1 }] } });
  });

  it('expands a collection job (6 benchmarks) and accepts overrides', async () => {
    const res = await submit({ name: 'c', model: MODEL, collection: { id: 'reasoning-v1' } });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    // Events address benchmarks by index in collection order; the last index is valid, one past is not.
    const ev = (i: number, bid: string, pid: string) =>
      svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: { id: bid, provider_id: pid, benchmark_index: i, status: 'running' } });
    const coll = (await svc.request('GET', '/api/v1/evaluations/collections/reasoning-v1')).body;
    expect(coll.benchmarks).toHaveLength(6);
    expect((await ev(5, coll.benchmarks[5].id, coll.benchmarks[5].provider_id)).status).toBe(204);
    expect((await ev(6, coll.benchmarks[5].id, coll.benchmarks[5].provider_id)).status).toBe(404);

    const override = await submit({
      name: 'c2',
      model: MODEL,
      collection: { id: 'reasoning-v1', benchmarks: [{ id: coll.benchmarks[0].id, provider_id: coll.benchmarks[0].provider_id, parameters: { num_examples: 5 } }] },
    });
    expect(override.status).toBe(202);
    const foreign = await submit({ name: 'c3', model: MODEL, collection: { id: 'reasoning-v1', benchmarks: [{ id: 'x', provider_id: 'garak' }] } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.message_code).toBe('resource_does_not_exist');
  });

  it('expands risk_category low into its lm-eval benchmarks', async () => {
    const res = await submit({ name: 'r', model: MODEL, risk_category: 'low' });
    expect(res.status).toBe(202);
    expect(res.body.risk_category).toBe('low');
    expect(res.body.benchmarks.map((b: any) => [b.id, b.provider_id, b.parameters])).toEqual([
      ['hellaswag', 'lm_evaluation_harness', { num_few_shot: 5, num_examples: 100 }],
      ['arc_easy', 'lm_evaluation_harness', { num_few_shot: 5, num_examples: 100 }],
    ]);
    const bad = await submit({ name: 'r', model: MODEL, risk_category: 'extreme' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('risk_category');
  });

  it.each([
    ['unknown provider', { name: 'j', model: MODEL, benchmarks: [{ id: 'x', provider_id: 'nope' }] }, 404, 'resource_not_found'],
    ['unknown benchmark', { name: 'j', model: MODEL, benchmarks: [{ id: 'nope', provider_id: 'lm_evaluation_harness' }] }, 400, 'resource_does_not_exist'],
    ['benchmarks and collection', { name: 'j', model: MODEL, benchmarks: [ARC], collection: { id: 'reasoning-v1' } }, 400, 'request_validation_failed'],
    ['neither', { name: 'j', model: MODEL }, 400, 'request_validation_failed'],
    ['empty benchmarks', { name: 'j', model: MODEL, benchmarks: [] }, 400, 'request_validation_failed'],
    ['missing model', { name: 'j', benchmarks: [ARC] }, 400, 'request_validation_failed'],
    ['model without url', { name: 'j', model: { name: 'm' }, benchmarks: [ARC] }, 400, 'model_url_required'],
    ['bad model url', { name: 'j', model: { name: 'm', url: 'not a url' }, benchmarks: [ARC] }, 400, 'request_validation_failed'],
    ['missing name', { model: MODEL, benchmarks: [ARC] }, 400, 'request_validation_failed'],
    ['negative weight', { name: 'j', model: MODEL, benchmarks: [{ ...ARC, weight: -1 }] }, 400, 'request_validation_failed'],
    ['tag with comma', { name: 'j', tags: ['a,b'], model: MODEL, benchmarks: [ARC] }, 400, 'request_validation_failed'],
    ['blank experiment name', { name: 'j', model: MODEL, benchmarks: [ARC], experiment: { name: ' ' } }, 400, 'request_validation_failed'],
    ['experiment without MLflow', { name: 'j', model: MODEL, benchmarks: [ARC], experiment: { name: 'e' } }, 400, 'mlflow_required_for_experiment'],
    ['resolved_sha on input', { name: 'j', model: MODEL, benchmarks: [{ ...ARC, test_data_ref: { git: { url: 'https://g/r' }, resolved_sha: 'abc1234' } }] }, 400, 'resolved_sha_read_only'],
    ['unknown collection', { name: 'j', model: MODEL, collection: { id: 'nope' } }, 404, 'resource_not_found'],
  ])('rejects %s', async (_, body, status, code) => {
    const res = await submit(body);
    expect(res.status).toBe(status);
    expect(res.body.message_code).toBe(code);
    expect(res.body.trace).toBe(res.headers.get('x-global-transaction-id'));
  });

  it('rejects malformed bodies with clear codes', async () => {
    expect((await submit('{not json' as never)).body.message_code).toBe('invalid_json_request');
    // Announce an 11 MiB body: the server answers 413 from the header, before reading it all
    // (a client streaming the whole body may see the socket closed instead of the answer).
    const big = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(`${svc.baseUrl}/api/v1/evaluations/jobs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(11 * 1024 * 1024) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', (e) => (e as NodeJS.ErrnoException).code !== 'EPIPE' && (e as NodeJS.ErrnoException).code !== 'ECONNRESET' && reject(e));
      req.write('{"name": "' + 'x'.repeat(1024));
    });
    expect(big.status).toBe(413);
    expect(big.body.message_code).toBe('request_body_too_large');
  });

  it('lists newest first with filters and pagination', async () => {
    const ids: string[] = [];
    for (const [name, tags] of [['list-a', ['x', 'y']], ['list-b', ['x']], ['list-c', ['y']]] as const) {
      ids.push((await submit({ name, tags, model: MODEL, benchmarks: [ARC] }, { 'X-Tenant': 'lists' })).body.resource.id);
    }
    const h = { 'X-Tenant': 'lists' };
    const all = await svc.request('GET', '/api/v1/evaluations/jobs', undefined, h);
    expect(all.body.items.map((j: any) => j.resource.id)).toEqual([...ids].reverse());
    const page = await svc.request('GET', '/api/v1/evaluations/jobs?limit=1', undefined, h);
    expect(page.body).toMatchObject({ total_count: 3, limit: 1, first: { href: '/api/v1/evaluations/jobs?limit=1' }, next: { href: '/api/v1/evaluations/jobs?limit=1&offset=1' } });
    expect(Object.keys(page.body)).toEqual(['first', 'limit', 'total_count', 'items', 'next']);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?name=list-b', undefined, h)).body.items.map((j: any) => j.name)).toEqual(['list-b']);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?tags=x,y', undefined, h)).body.items.map((j: any) => j.name)).toEqual(['list-a']);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?tags=x|y', undefined, h)).body.total_count).toBe(3);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?status=pending|running', undefined, h)).body.total_count).toBe(3);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?status=completed', undefined, h)).body.total_count).toBe(0);
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?bogus=1', undefined, h)).body.message_code).toBe('query_bad_parameter');
  });

  it('lists each job as GET shows it, and as it is now after it changed between two lists', async () => {
    const h = { 'X-Tenant': 'relist' };
    const id = (await submit({ name: 'relist', tags: ['r'], model: MODEL, benchmarks: [ARC, { ...ARC, id: 'hellaswag_ar' }] }, h)).body.resource.id;
    const listed = async () => {
      const res = await svc.request('GET', '/api/v1/evaluations/jobs?tags=r', undefined, h);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.body).toMatchObject({ total_count: 1, limit: 50, first: { href: '/api/v1/evaluations/jobs?tags=r' } });
      return res.body.items;
    };
    // A list shows no queue places; otherwise an item is the job as GET /jobs/{id} answers it.
    const got = async () => {
      const job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, h)).body;
      return { ...job, status: { ...job.status, benchmarks: job.status.benchmarks.map(({ queue_position: _p, queue_eta_seconds: _e, ...b }: any) => b) } };
    };
    expect(await listed()).toEqual([await got()]);
    expect(await listed()).toEqual([await got()]);
    const ev = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: { ...ARC, benchmark_index: 0, status: 'completed', metrics: { acc: 0.5 } } });
    expect(ev.status).toBe(204);
    const [after] = await listed();
    expect(after.status.benchmarks[0].status).toBe('completed');
    expect(after.results.benchmarks).toEqual([expect.objectContaining({ id: 'arc_easy', metrics: { acc: 0.5 } })]);
    expect([after]).toEqual([await got()]);
  });

  it('lists by filter right after a writer that does not keep the list indexes changed a job', async () => {
    const h = { 'X-Tenant': 'behind' };
    const a = (await submit({ name: 'behind-a', model: MODEL, benchmarks: [ARC] }, h)).body.resource.id;
    const b = (await submit({ name: 'behind-b', model: MODEL, benchmarks: [ARC] }, h)).body.resource.id;
    const ids = (q: string) => svc.request('GET', `/api/v1/evaluations/jobs?${q}`, undefined, h).then((r) => [r.body.total_count, r.body.items.map((j: any) => j.resource.id)]);
    expect(await ids('status=pending')).toEqual([2, [b, a]]);
    // An older version fails job a with a plain SET: the pending index still holds it.
    const redis = new Redis(process.env.REDIS_URL!);
    const index = (state: string) => `${svc.prefix}:job:by:t:behind:state:${state}`;
    try {
      const key = `${svc.prefix}:job:doc:${a}`;
      const doc = JSON.parse((await redis.get(key))!);
      await redis.set(key, JSON.stringify({ ...doc, status: { ...doc.status, state: 'failed' } }));
      expect(await redis.zscore(index('pending'), a)).not.toBeNull();
      // The page that shows it repairs its indexes and is asked again.
      expect(await ids('status=pending')).toEqual([1, [b]]);
      expect([await redis.zscore(index('pending'), a), await redis.zscore(index('failed'), a)]).toEqual([null, expect.any(String)]);
      expect(await ids('status=failed')).toEqual([1, [a]]);
      expect(await ids('status=pending|failed&name=behind-a')).toEqual([1, [a]]);
    } finally {
      redis.disconnect();
    }
  });

  it('isolates tenants: another tenant gets 404', async () => {
    const res = await submit({ name: 't', model: MODEL, benchmarks: [ARC] }, { 'X-Tenant': 'ns1' });
    const id = res.body.resource.id;
    expect(res.body.resource.tenant).toBe('ns1');
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'ns2' })).status).toBe(404);
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'ns2' })).status).toBe(404);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, { 'X-Tenant': 'ns1' })).status).toBe(200);
    const ns2 = await svc.request('GET', '/api/v1/evaluations/jobs', undefined, { 'X-Tenant': 'ns2' });
    expect(ns2.body.items.map((j: any) => j.resource.id)).not.toContain(id);
  });

  it('cancels: 204, state cancelled, idempotent; 409 once finished; hard delete removes', async () => {
    const id = (await submit({ name: 'c', model: MODEL, benchmarks: [ARC, { ...ARC, id: 'hellaswag_ar' }] })).body.resource.id;
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}?hard_delete=foo`)).body.message_code).toBe('query_parameter_invalid');
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    const job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(job.status.state).toBe('cancelled');
    expect(job.status.message.message_code).toBe('evaluation_job_cancelled');
    expect(job.status.benchmarks.map((b: any) => b.status)).toEqual(['cancelled', 'cancelled']);
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
    const late = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0, status: 'running' } });
    expect(late.status).toBe(409);
    expect(late.body.message_code).toBe('job_can_not_be_updated');

    const done = (await submit({ name: 'd', model: MODEL, benchmarks: [ARC] })).body.resource.id;
    await svc.request('POST', `/api/v1/evaluations/jobs/${done}/events`, {
      benchmark_status_event: { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0, status: 'completed', metrics: { acc_norm: 0.5 } },
    });
    const refused = await svc.request('DELETE', `/api/v1/evaluations/jobs/${done}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("'completed'");
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${done}?hard_delete=true`)).status).toBe(204);
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${done}`)).status).toBe(404);
    expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${done}?hard_delete=true`)).status).toBe(404);
  });

  it('a repeated DELETE of a cancelled job publishes no second cancel and leaves the job as it was', async () => {
    const channel = `${svc.prefix}:control`;
    const sub = new Redis(process.env.REDIS_URL!);
    const pub = new Redis(process.env.REDIS_URL!);
    try {
      const seen: string[] = [];
      sub.on('message', (_c: string, raw: string) => seen.push(raw));
      await sub.subscribe(channel);
      const id = (await submit({ name: 'twice', model: MODEL, benchmarks: [ARC] })).body.resource.id;
      expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
      // The API publishes before it answers; a marker sent after the answer arrives after it.
      const flush = async (marker: string) => {
        await pub.publish(channel, marker);
        await waitFor(`marker ${marker}`, async () => seen.includes(marker), 5000, 20);
      };
      await flush('marker-1');
      expect(seen.filter((m) => m.includes(id))).toHaveLength(1);
      const first = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;

      expect((await svc.request('DELETE', `/api/v1/evaluations/jobs/${id}`)).status).toBe(204);
      await flush('marker-2');
      expect(seen.filter((m) => m.includes(id))).toHaveLength(1);
      expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body).toEqual(first);
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  it('applies adapter events with the rules of the contract', async () => {
    const id = (await submit({ name: 'e', model: MODEL, benchmarks: [ARC, { ...ARC, id: 'hellaswag_ar' }] })).body.resource.id;
    const post = (ev: object) => svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, { benchmark_status_event: ev });
    const base = { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0 };

    expect((await post({ ...base, status: 'running', phase: 'initializing' })).status).toBe(204);
    let job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(job.status.state).toBe('running');
    expect(job.status.benchmarks[0]).toMatchObject({ ...base, status: 'running', phase: 'initializing' });

    const rejected: [object, number, string][] = [
      [{ ...base, provider_id: '', status: 'running' }, 400, 'request_validation_failed'],
      [{ ...base, status: 'cancelled' }, 400, 'request_validation_failed'],
      [{ ...base, status: 'running', phase: 'dancing' }, 400, 'request_validation_failed'],
      [{ ...base, status: 'completed', metrics: { acc: 1 }, metrics_schema: [{ name: 'other', type: 'numeric' }] }, 400, 'request_validation_failed'],
      [{ ...base, status: 'completed', completed_at: 'yesterday' }, 400, 'request_validation_failed'],
      [{ ...base, benchmark_index: 1, status: 'running' }, 404, 'resource_not_found'],
      [{ ...base, provider_id: 'garak', status: 'running' }, 404, 'resource_not_found'],
    ];
    for (const [ev, status, code] of rejected) {
      const res = await post(ev);
      expect([JSON.stringify(ev), res.status, res.body.message_code]).toEqual([JSON.stringify(ev), status, code]);
    }
    expect((await svc.request('POST', '/api/v1/evaluations/jobs/nope/events', { benchmark_status_event: { ...base, status: 'running' } })).status).toBe(404);

    expect(
      (
        await post({
          ...base,
          status: 'completed',
          metrics: { acc_norm: 0.66, label: 'x' },
          metrics_schema: [{ name: 'label', type: 'categorical' }],
          completed_at: '2026-08-20T12:34:56.123456+00:00',
          mlflow_run_id: 'r1',
          additional_info: { k: 1 },
          error_message: { message: 'careful', message_code: 'y' },
        })
      ).status,
    ).toBe(204);
    await post({ id: 'hellaswag_ar', provider_id: 'lm_evaluation_harness', benchmark_index: 1, status: 'failed', error_message: { message: 'no data', message_code: 'z', message_origin: 'adapter' } });
    job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(job.status.state).toBe('partially_failed');
    expect(job.status.message.message).toContain('Benchmark hellaswag_ar failed with message: no data');
    expect(job.status.benchmarks[0].error_message.message_origin).toBe('runtime');
    expect(job.results.benchmarks[0]).toMatchObject({
      metrics: { acc_norm: 0.66, label: 'x' },
      metrics_schema: [{ name: 'label', type: 'categorical' }, { name: 'acc_norm', type: 'numeric' }],
      mlflow_run_id: 'r1',
      additional_info: { k: 1 },
      test: { primary_score: 0.66, primary_score_metric: 'acc_norm', threshold: 0.25, pass: true },
    });
    expect(job.results.test).toBeUndefined();
  });

  it("records the sidecar's job_meta.resolved_sha on the benchmark's git test data, and refuses it at submit", async () => {
    const git = { git: { url: 'https://github.com/org/eval-data.git', ref: 'main' } };
    const res = await submit({ name: 'g', model: MODEL, benchmarks: [{ ...ARC, test_data_ref: git }] });
    expect(res.status).toBe(202);
    const id = res.body.resource.id;
    const ev = await svc.request('POST', `/api/v1/evaluations/jobs/${id}/events`, {
      benchmark_status_event: { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0, status: 'running' },
      job_meta: { resolved_sha: '0123456789abcdef0123456789abcdef01234567' },
    });
    expect(ev.status).toBe(204);
    const job = (await svc.request('GET', `/api/v1/evaluations/jobs/${id}`)).body;
    expect(job.benchmarks[0].test_data_ref).toEqual({ ...git, resolved_sha: '0123456789abcdef0123456789abcdef01234567' });
    // Only the server sets it.
    const given = await submit({ name: 'g2', model: MODEL, benchmarks: [{ ...ARC, test_data_ref: { ...git, resolved_sha: 'abcdef1' } }] });
    expect({ status: given.status, code: given.body.message_code }).toEqual({ status: 400, code: 'resolved_sha_read_only' });
  });

  it('serves (empty) logs and validates the log options', async () => {
    const id = (await submit({ name: 'l', model: MODEL, benchmarks: [ARC] })).body.resource.id;
    const ok = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?tail_lines=-1&timestamps=true&since_seconds=60`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}/benchmarks/0/logs?tail_lines=10`)).status).toBe(200);
    for (const q of ['tail_lines=0', 'tail_lines=10001', 'since_seconds=0', 'timestamps=perhaps']) {
      const res = await svc.request('GET', `/api/v1/evaluations/jobs/${id}/logs?${q}`);
      expect([q, res.status, res.body.message_code]).toEqual([q, 400, 'query_parameter_invalid']);
    }
    expect((await svc.request('GET', `/api/v1/evaluations/jobs/${id}/benchmarks/3/logs`)).body.message_code).toBe('query_parameter_invalid');
    expect((await svc.request('GET', '/api/v1/evaluations/jobs/nope/logs')).status).toBe(404);
  });
});

describe('cluster tenancy mode', () => {
  const alice = { token: 'alice-token-0123456789', user: 'alice', tenants: ['ns1'], role: 'submitter' as const };
  const svc = new EvalHubService({ TENANCY_MODE: 'cluster' }, { tokens: [alice] });
  beforeAll(() => svc.start({ worker: false }));
  afterAll(() => svc.stop());

  it('takes the user from the token and the tenant among those it may use', async () => {
    const anon = { Authorization: '' };
    expect((await svc.request('GET', '/api/v1/health', undefined, anon)).status).toBe(200);
    expect((await svc.request('GET', '/api/v1/evaluations/providers', undefined, anon)).body.message_code).toBe('unauthorized');
    const h = { Authorization: `Bearer ${alice.token}` };
    // Her only tenant is chosen without X-Tenant; X-User cannot make her someone else.
    const job = await svc.request('POST', '/api/v1/evaluations/jobs', { name: 'j', model: MODEL, benchmarks: [ARC] }, { ...h, 'X-User': 'mallory' });
    expect(job.status).toBe(202);
    expect(job.body.resource).toMatchObject({ tenant: 'ns1', owner: 'alice' });
    expect((await svc.request('GET', '/api/v1/evaluations/jobs', undefined, { ...h, 'X-Tenant': 'ns2' })).body.message_code).toBe('forbidden');
    // The admin token may use every tenant, so it has to say which.
    expect((await svc.request('GET', '/api/v1/evaluations/jobs')).body.message_code).toBe('missing_tenant_header');
    expect((await svc.request('GET', '/api/v1/evaluations/jobs?owner=alice', undefined, { 'X-Tenant': 'ns1' })).body.total_count).toBe(1);
    // An adapter's event needs its run's token (or a user allowed to write the job): a bearer
    // token that proves nothing is refused.
    const ev = await svc.request(
      'POST',
      `/api/v1/evaluations/jobs/${job.body.resource.id}/events`,
      { benchmark_status_event: { id: 'arc_easy', provider_id: 'lm_evaluation_harness', benchmark_index: 0, status: 'running' } },
      { 'X-Tenant': 'ns1', Authorization: 'Bearer abc' },
    );
    expect([ev.status, ev.body.message_code]).toEqual([401, 'unauthorized']);
  });

  it('refuses to start shared without authentication, naming the settings', async () => {
    const open = new EvalHubService({ TENANCY_MODE: 'cluster' });
    await expect(open.start({ worker: false })).rejects.toThrow();
    expect(open.output.join('\n')).toMatch(/AUTH_MODE=kubernetes or AUTH_TOKEN_FILE/);
    await open.stop();
  });
});
