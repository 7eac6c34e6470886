import { healthProbeOf, healthProbeResponse, PROBE_MAX_BYTES } from './health-probe';

const probe = (...headers: string[]) => `GET /api/v1/health HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

describe('healthProbeOf', () => {
  it('takes a plain probe as wrk, curl and Node clients send it', () => {
    expect(healthProbeOf(probe('Host: 127.0.0.1:8080'))).toEqual({ requestId: undefined });
    expect(healthProbeOf(probe('host: x', 'Connection: keep-alive', 'User-Agent: curl/8.1', 'Accept: */*'))).toEqual({ requestId: undefined });
  });

  it('reads the request id without the whitespace around it', () => {
    expect(healthProbeOf(probe('Host: x', 'X-Global-Transaction-Id: \t abc-1 \t'))).toEqual({ requestId: 'abc-1' });
    expect(healthProbeOf(probe('Host: x', 'x-global-transaction-id:'))).toEqual({ requestId: '' });
  });

  it.each([
    ['another path', 'GET /api/v1/health/ HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a query', 'GET /api/v1/health?x=1 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['another method', 'HEAD /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HTTP/1.0', 'GET /api/v1/health HTTP/1.0\r\nHost: x\r\n\r\n'],
    ['an incomplete request', 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'],
    ['two requests', probe('Host: x') + probe('Host: x')],
    ['a body after the headers', probe('Host: x') + '{}'],
    ['no Host', probe('Accept: */*')],
    ['two Hosts', probe('Host: x', 'Host: y')],
    ['a browser origin', probe('Host: x', 'Origin: http://evil.example')],
    ['a declared body', probe('Host: x', 'Content-Length: 0')],
    ['a chunked body', probe('Host: x', 'Transfer-Encoding: chunked')],
    ['Expect', probe('Host: x', 'Expect: 100-continue')],
    ['Upgrade', probe('Host: x', 'Upgrade: websocket', 'Connection: Upgrade')],
    ['Connection: close', probe('Host: x', 'Connection: close')],
    ['two request ids', probe('Host: x', 'x-global-transaction-id: a', 'x-global-transaction-id: b')],
    ['a header line without a colon', probe('Host: x', 'oops')],
    ['a header name that is not a token', probe('Host: x', 'Bad Name: 1')],
    ['a folded header line', probe('Host: x', 'X-A: 1', ' folded')],
    ['a control byte in a value', probe('Host: x', 'X-A: a\x01b')],
    ['a bare LF', 'GET /api/v1/health HTTP/1.1\nHost: x\n\n'],
    ['more than the size limit', probe('Host: x', `X-Pad: ${'a'.repeat(PROBE_MAX_BYTES)}`)],
  ])('leaves %s to the HTTP parser', (_what, text) => {
    expect(healthProbeOf(text)).toBeUndefined();
  });
});

describe('healthProbeResponse', () => {
  it('is a complete keep-alive answer whose length matches its body', () => {
    const body = '{"status":"healthy","timestamp":"2026-12-07T03:00:00.000Z"}';
    const text = healthProbeResponse('id-1', body, new Date('2026-12-07T03:00:00Z'), 72);
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
});
