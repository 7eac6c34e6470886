import * as net from 'net';
import { EvalHubService } from '../support/service';

const JOB = {
  name: 'fast-path',
  model: { url: 'http://model.local:8000/v1', name: 'm' },
  benchmarks: [{ id: 'arc_easy', provider_id: 'lm_evaluation_harness', parameters: { num_examples: 5 } }],
};

/** One HTTP/1.1 connection written and read by hand, so tests choose how requests share it. */
class RawConnection {
  private readonly socket: net.Socket;
  private received = Buffer.alloc(0);
  private wake?: () => void;
  closed = false;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.socket = net.connect(Number(url.port), url.hostname);
    this.socket.on('data', (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.wake?.();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(text, (e) => (e ? reject(e) : resolve())));
  }

  /** The next complete response (bodies with a content-length): status, lower-cased headers, body. */
  async response(): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    for (;;) {
      const text = this.received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines = text.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length'] ?? 0);
        if (this.received.length >= end + 4 + length) {
          const body = this.received.subarray(end + 4, end + 4 + length).toString('utf8');
          this.received = this.received.subarray(end + 4 + length);
          return { status: Number(lines[0].split(' ')[1]), headers, body };
        }
      }
      if (this.closed) throw new Error(`connection closed with ${this.received.length} bytes unread`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  end(): void {
    this.socket.destroy();
  }
}

/** The number on a metrics line matching `pattern`, 0 when there is none. */
function sample(text: string, pattern: RegExp): number {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line ? Number(line.split(' ').pop()) : 0;
}

// GET /jobs/{id}, the health check and adapters' events are answered below Fastify
// (core/http/fast-path); these check that the answers are the ones the Nest routes give, for
// every caller.
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

  // Plain GETs of the health check and a job are answered off the connection's bytes
  // (core/http/plain-get-connections) until the connection sends anything else; from then on
  // Node's parser has it.
  it('answers health probes and job reads on a connection, then hands it to the HTTP server with the first other request', async () => {
    const metric = /^evalhub_http_requests_total\{.*route="\/api\/v1\/health".*status="200"/;
    const before = sample((await svc.request('GET', '/metrics')).text, metric);
    const conn = new RawConnection(svc.baseUrl);
    try {
      await conn.send('GET /api/v1/health HTTP/1.1\r\nHost: evalhub\r\nX-Global-Transaction-Id: probe-1\r\n\r\n');
      const probe = await conn.response();
      expect(probe).toMatchObject({ status: 200, headers: { 'x-global-transaction-id': 'probe-1', 'content-type': 'application/json; charset=utf-8', connection: 'keep-alive' } });
      expect(JSON.parse(probe.body)).toEqual({ status: 'healthy', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
      // Sent in two writes: whether they arrive together or apart, it is one probe.
      await conn.send('GET /api/v1/health HTTP/1.1\r\n');
      await conn.send('Host: evalhub\r\n\r\n');
      expect((await conn.response()).status).toBe(200);
      const headers = Object.entries({ ...tenantA, 'X-Global-Transaction-Id': 'read-1' }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      await conn.send(`GET /api/v1/evaluations/jobs/${id} HTTP/1.1\r\nHost: evalhub\r\n${headers}\r\n`);
      const read = await conn.response();
      expect(read).toMatchObject({ status: 200, headers: { 'x-global-transaction-id': 'read-1' } });
      expect(JSON.parse(read.body).resource.id).toBe(id);
      // Two probes in one write, the second closing the connection: the HTTP server's rules.
      await conn.send('GET /api/v1/health HTTP/1.1\r\nHost: evalhub\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: evalhub\r\nConnection: close\r\n\r\n');
      expect((await conn.response()).status).toBe(200);
      const last = await conn.response();
      expect(last).toMatchObject({ status: 200, headers: { connection: 'close' } });
    } finally {
      conn.end();
    }
    const after = sample((await svc.request('GET', '/metrics')).text, metric);
    expect(after - before).toBe(4);
  });

  it("answers a job read off the connection's bytes as Node's HTTP server answers it", async () => {
    const request = (requestId: string, ...extra: string[]) =>
      `GET /api/v1/evaluations/jobs/${id} HTTP/1.1\r\nHost: evalhub\r\nX-Tenant: team-a\r\nX-User: ann\r\nX-Global-Transaction-Id: ${requestId}\r\n${extra.map((h) => `${h}\r\n`).join('')}\r\n`;
    const conn = new RawConnection(svc.baseUrl);
    try {
      await conn.send(request('plain-1'));
      const plain = await conn.response();
      // A repeated header is left to Node's parser, which has the connection from then on.
      await conn.send(request('parsed-1', 'Accept: application/json', 'Accept: */*'));
      const parsed = await conn.response();
      expect(plain.status).toBe(200);
      expect(plain.body).toBe(parsed.body);
      expect(Object.keys(plain.headers)).toEqual(Object.keys(parsed.headers));
      const { date: _d1, 'x-global-transaction-id': id1, ...rest1 } = plain.headers;
      const { date: _d2, 'x-global-transaction-id': id2, ...rest2 } = parsed.headers;
      expect([id1, id2]).toEqual(['plain-1', 'parsed-1']);
      expect(rest1).toEqual(rest2);
    } finally {
      conn.end();
    }
  });

  it('answers reads sent one after another on a connection in the order they came, errors included', async () => {
    const conn = new RawConnection(svc.baseUrl);
    try {
      const read = (requestId: string, tenant: string) => `GET /api/v1/evaluations/jobs/${id} HTTP/1.1\r\nHost: evalhub\r\nX-Tenant: ${tenant}\r\nX-User: ann\r\nX-Global-Transaction-Id: ${requestId}\r\n\r\n`;
      // Written without waiting for answers: the second may reach the server before the first is answered.
      await Promise.all([conn.send(read('r1', 'team-a')), conn.send(read('r2', 'team-b')), conn.send('GET /api/v1/health HTTP/1.1\r\nHost: evalhub\r\nX-Global-Transaction-Id: r3\r\n\r\n'), conn.send(read('r4', 'team-a'))]);
      const answers = [await conn.response(), await conn.response(), await conn.response(), await conn.response()];
      expect(answers.map((a) => [a.headers['x-global-transaction-id'], a.status])).toEqual([
        ['r1', 200],
        ['r2', 404],
        ['r3', 200],
        ['r4', 200],
      ]);
      expect(JSON.parse(answers[1].body)).toMatchObject({ message_code: 'resource_not_found', trace: 'r2' });
      expect(JSON.parse(answers[3].body).resource.id).toBe(id);
    } finally {
      conn.end();
    }
  });

  it('leaves a probe it cannot take whole to the HTTP server', async () => {
    const conn = new RawConnection(svc.baseUrl);
    try {
      await conn.send('GET /api/v1/health HTTP/1.1\r\n\r\n');
      expect((await conn.response()).status).toBe(400);
    } finally {
      conn.end();
    }
    const browser = await svc.request('GET', '/api/v1/health', undefined, { Origin: 'http://elsewhere.example' });
    expect(browser.status).toBe(200);
    expect(browser.body.status).toBe('healthy');
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

// Adapters' events: authentication on, so a caller allowed to write the job may post as the
// adapter's callback token would.
describe('adapter events (POST /jobs/{id}/events) on the server fast path', () => {
  const ann = { token: 'ann-token-0123456789', user: 'ann', tenants: ['team-a'], role: 'submitter' as const };
  const bob = { token: 'bob-token-0123456789', user: 'bob', tenants: ['team-b'], role: 'submitter' as const };
  const svc = new EvalHubService({ TENANCY_MODE: 'cluster' }, { tokens: [ann, bob] });
  const tenantA = { Authorization: 'Bearer ann-token-0123456789' };
  let id = '';
  beforeAll(async () => {
    await svc.start({ worker: false });
    const res = await svc.request('POST', '/api/v1/evaluations/jobs', JOB, tenantA);
    expect(res.status).toBe(202);
    id = res.body.resource.id;
  });
  afterAll(() => svc.stop());

  const event = (status: string, extra: object = {}) => ({ benchmark_status_event: { provider_id: 'lm_evaluation_harness', id: 'arc_easy', benchmark_index: 0, status, ...extra } });
  const eventsPath = () => `/api/v1/evaluations/jobs/${id}/events`;
  /** The same request through the fast path and (with a query) through Fastify and Nest. */
  const both = async (urlPath: string, body: string, headers: Record<string, string>) => {
    const fast = await svc.request('POST', urlPath, body, headers);
    const nest = await svc.request('POST', `${urlPath}?via=nest`, body, headers);
    return { fast, nest };
  };
  const withoutTrace = (b: unknown) => (b && typeof b === 'object' ? { ...(b as object), trace: undefined } : b);

  it('applies an event and answers 204 with the request id', async () => {
    const res = await svc.request('POST', eventsPath(), event('running'), { ...tenantA, 'X-Global-Transaction-Id': 'event-1' });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.get('x-global-transaction-id')).toBe('event-1');
    const job = await svc.request('GET', `/api/v1/evaluations/jobs/${id}`, undefined, tenantA);
    expect(job.body.status.benchmarks[0].status).toBe('running');
    // A body without Content-Type is read as JSON, as upstream reads every body.
    const bare = await fetch(`${svc.baseUrl}${eventsPath()}`, { method: 'POST', headers: tenantA, body: Buffer.from(JSON.stringify(event('running'))) });
    expect(bare.status).toBe(204);
  });

  it('refuses bad events exactly as the Nest route does', async () => {
    const valid = JSON.stringify(event('running'));
    const cases: [string, string, Record<string, string>, number, string][] = [
      ['broken JSON', '{"benchmark_status_event": ', tenantA, 400, 'invalid_json_request'],
      ['no event', '{}', tenantA, 400, 'request_validation_failed'],
      ['unknown status', JSON.stringify(event('exploded')), tenantA, 400, 'request_validation_failed'],
      ['absurd nesting', `{"benchmark_status_event": ${'['.repeat(40)}${']'.repeat(40)}}`, tenantA, 400, 'json_too_deep'],
      ['another tenant', valid, { Authorization: 'Bearer bob-token-0123456789' }, 404, 'resource_not_found'],
      ['an unknown bearer token', valid, { Authorization: 'Bearer nobody-0123456789' }, 401, 'unauthorized'],
      // The suite's admin acts in every tenant, so it must name one.
      ['admin without a tenant', valid, {}, 400, 'missing_tenant_header'],
    ];
    for (const [name, body, headers, status, code] of cases) {
      const { fast, nest } = await both(eventsPath(), body, headers);
      expect({ name, status: fast.status, code: fast.body.message_code }).toEqual({ name, status, code });
      expect({ name, status: nest.status, body: withoutTrace(nest.body) }).toEqual({ name, status: fast.status, body: withoutTrace(fast.body) });
    }
    const unknown = await both('/api/v1/evaluations/jobs/no-such-job/events', valid, tenantA);
    expect(unknown.fast.status).toBe(404);
    expect(withoutTrace(unknown.fast.body)).toEqual(withoutTrace(unknown.nest.body));
  });

  it('takes the callback token from a callback URL, as Fastify does', async () => {
    const forged = `/cb/${'x'.repeat(43)}`;
    const { fast, nest } = await both(`${forged}${eventsPath()}`, JSON.stringify(event('running')), { Authorization: '' });
    expect(fast.status).toBe(401);
    expect(fast.body.message_code).toBe('callback_token_invalid');
    expect(withoutTrace(nest.body)).toEqual(withoutTrace(fast.body));
  });

  it('leaves bodies over the route limit to Fastify, which answers 413', async () => {
    const big = JSON.stringify(event('running', { message: { message: 'x'.repeat(600 * 1024), message_code: 'big' } }));
    const res = await svc.request('POST', eventsPath(), big, tenantA);
    expect(res.status).toBe(413);
    expect(res.body.message_code).toBe('request_body_too_large');
  });

  it('counts its answers in the HTTP metrics under the route pattern', async () => {
    const pattern = /^evalhub_http_requests_total\{.*method="POST".*route="\/api\/v1\/evaluations\/jobs\/:id\/events".*status="204"/;
    const before = sample((await svc.request('GET', '/metrics')).text, pattern);
    await svc.request('POST', eventsPath(), event('running'), tenantA);
    expect(sample((await svc.request('GET', '/metrics')).text, pattern)).toBe(before + 1);
  });
});
