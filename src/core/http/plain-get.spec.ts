import { healthBody } from './health-probe';
import { PLAIN_GET_MAX_BYTES, plainGetOf, plainResponse } from './plain-get';

const get = (path: string, ...headers: string[]) => `GET ${path} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
const probe = (...headers: string[]) => get('/api/v1/health', ...headers);

describe('plainGetOf', () => {
  it('takes a plain GET as wrk, curl and Node clients send it', () => {
    expect(plainGetOf(probe('Host: 127.0.0.1:8080'))).toEqual({ path: '/api/v1/health', headers: { host: '127.0.0.1:8080' } });
    expect(plainGetOf(get('/api/v1/evaluations/jobs/a%2Fb', 'host: x', 'Connection: keep-alive', 'User-Agent: curl/8.1', 'Accept: */*'))).toEqual({
      path: '/api/v1/evaluations/jobs/a%2Fb',
      headers: { host: 'x', connection: 'keep-alive', 'user-agent': 'curl/8.1', accept: '*/*' },
    });
  });

  it('gives header names lower-cased and values without the whitespace around them, as Node does', () => {
    const read = plainGetOf(probe('Host: x', 'X-Global-Transaction-Id: \t abc-1 \t', 'Authorization: Bearer t0k', 'X-Tenant:'));
    expect(read?.headers).toEqual({ host: 'x', 'x-global-transaction-id': 'abc-1', authorization: 'Bearer t0k', 'x-tenant': '' });
  });

  it("keeps a header named like an object's property a header", () => {
    const headers = plainGetOf(probe('Host: x', 'constructor: 2', 'toString: 3'))?.headers ?? {};
    expect(Object.entries(headers)).toEqual([
      ['host', 'x'],
      ['constructor', '2'],
      ['tostring', '3'],
    ]);
  });

  it.each([
    ['a query', get('/api/v1/health?x=1', 'Host: x')],
    ['a fragment', get('/api/v1/health#x', 'Host: x')],
    ['a path that is not absolute', get('*', 'Host: x')],
    ['a space in the path', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a byte outside ASCII in the path', get('/api/v1/evaluations/jobs/\u00e9', 'Host: x')],
    ['another method', 'HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HTTP/1.0', 'GET /api/v1/health HTTP/1.0\r\nHost: x\r\n\r\n'],
    ['an incomplete request', 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'],
    ['two requests', probe('Host: x') + probe('Host: x')],
    ['a body after the headers', probe('Host: x') + '{}'],
    ['no Host', probe('Accept: */*')],
    ['two Hosts', probe('Host: x', 'Host: y')],
    ['a header named __proto__', probe('Host: x', '__proto__: 1')],
    ['a repeated header (Node merges or drops repeats)', probe('Host: x', 'Authorization: Bearer a', 'authorization: Bearer b')],
    ['a browser origin', probe('Host: x', 'Origin: http://evil.example')],
    ['a declared body', probe('Host: x', 'Content-Length: 0')],
    ['a chunked body', probe('Host: x', 'Transfer-Encoding: chunked')],
    ['Expect', probe('Host: x', 'Expect: 100-continue')],
    ['Upgrade', probe('Host: x', 'Upgrade: websocket', 'Connection: Upgrade')],
    ['Connection: close', probe('Host: x', 'Connection: close')],
    ['a header line without a colon', probe('Host: x', 'oops')],
    ['a header name that is not a token', probe('Host: x', 'Bad Name: 1')],
    ['a folded header line', probe('Host: x', 'X-A: 1', ' folded')],
    ['a control byte in a value', probe('Host: x', 'X-A: a\x01b')],
    ['a byte outside ASCII in a value', probe('Host: x', 'X-Global-Transaction-Id: caf\u00e9')],
    ['a bare LF', 'GET /api/v1/health HTTP/1.1\nHost: x\n\n'],
    ['more than the size limit', probe('Host: x', `X-Pad: ${'a'.repeat(PLAIN_GET_MAX_BYTES)}`)],
  ])('leaves %s to the HTTP parser', (_what, text) => {
    expect(plainGetOf(text)).toBeUndefined();
  });
});

describe('plainResponse', () => {
  it("is a complete keep-alive answer in Node's header order, its length the body's", () => {
    const body = '{"status":"healthy","timestamp":"2026-12-07T03:00:00.000Z"}';
    const text = plainResponse(200, { 'x-global-transaction-id': 'id-1', 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }, body, Date.parse('2026-12-07T03:00:00Z'), 72);
    const [head, sent] = text.split('\r\n\r\n');
    expect(sent).toBe(body);
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 200 OK',
      'x-global-transaction-id: id-1',
      'content-type: application/json; charset=utf-8',
      `content-length: ${body.length}`,
      'Date: Mon, 07 Dec 2026 03:00:00 GMT',
      'Connection: keep-alive',
      'Keep-Alive: timeout=72',
    ]);
  });

  it('dates an answer by the second it is sent in', () => {
    const t = Date.parse('2026-12-07T03:00:00Z');
    const dateOf = (ms: number) => /\r\nDate: ([^\r]+)\r\n/.exec(plainResponse(200, {}, '{}', ms, 72))?.[1];
    expect([dateOf(t), dateOf(t + 999), dateOf(t + 1000), dateOf(t - 1)]).toEqual(['Mon, 07 Dec 2026 03:00:00 GMT', 'Mon, 07 Dec 2026 03:00:00 GMT', 'Mon, 07 Dec 2026 03:00:01 GMT', 'Mon, 07 Dec 2026 02:59:59 GMT']);
  });

  it("names the status as Node does", () => {
    expect(plainResponse(404, {}, '{}', 0, 72)).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(plainResponse(429, { 'retry-after': '1' }, '{}', 0, 72)).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\nretry-after: 1\r\n/);
  });
});

describe('healthBody', () => {
  it('gives the time of the answer to the millisecond', () => {
    const t = Date.parse('2026-12-07T03:00:00.120Z');
    expect(JSON.parse(healthBody(t))).toEqual({ status: 'healthy', timestamp: '2026-12-07T03:00:00.120Z' });
    expect(JSON.parse(healthBody(t)).timestamp).toBe('2026-12-07T03:00:00.120Z');
    expect(JSON.parse(healthBody(t + 1)).timestamp).toBe('2026-12-07T03:00:00.121Z');
  });
});
