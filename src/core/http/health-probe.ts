/**
 * The contract's health check read straight off a connection's bytes. Probes (load balancers,
 * kubelets, clients waiting for the service) send it often, and Node's HTTP layer (parser
 * callbacks, request and response objects, header validation) costs more than the answer itself:
 * a chunk holding exactly one plain health GET is answered from here, anything else is left to
 * Node's parser, which then owns the connection.
 */

/** The contract's health check: probed often, and needs nothing of the framework. */
export const CONTRACT_HEALTH = '/api/v1/health';
export const REQUEST_ID_HEADER = 'x-global-transaction-id';

/** The contract health check's answer (every path that serves it); ASCII only. */
export function healthBody(now = new Date()): string {
  return `{"status":"healthy","timestamp":"${now.toISOString()}"}`;
}

const REQUEST_LINE = `GET ${CONTRACT_HEALTH} HTTP/1.1\r\n`;
/** Longer requests (big cookies, long tokens) are left to the parser. */
export const PROBE_MAX_BYTES = 4096;
/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EDGE_WHITESPACE = /^[ \t]+|[ \t]+$/g;

/** A health GET found in a chunk: the request id header's value, if the request had one. */
export interface HealthProbe {
  requestId: string | undefined;
}

/**
 * The probe a chunk (decoded as latin1, byte for byte) holds, or undefined when it is anything
 * but exactly one complete `GET /api/v1/health` over HTTP/1.1 without a body: another request,
 * part of one, several, a header Node would refuse, one that changes what the answer is or how
 * the connection continues (a browser origin, a body, `Expect`, `Upgrade`, `Connection` other than
 * keep-alive), no `Host` or two of them.
 */
export function healthProbeOf(text: string): HealthProbe | undefined {
  if (text.length > PROBE_MAX_BYTES || !text.startsWith(REQUEST_LINE)) return undefined;
  const headersEnd = text.indexOf('\r\n\r\n', REQUEST_LINE.length - 2);
  if (headersEnd !== text.length - 4) return undefined;
  let hosts = 0;
  let requestId: string | undefined;
  let pos = REQUEST_LINE.length;
  while (pos < text.length - 2) {
    const eol = text.indexOf('\r\n', pos);
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) return undefined;
    const name = text.slice(pos, colon);
    const value = text.slice(colon + 1, eol).replace(EDGE_WHITESPACE, '');
    pos = eol + 2;
    if (!TOKEN.test(name) || hasControlByte(value)) return undefined;
    switch (name.toLowerCase()) {
      case 'host':
        hosts++;
        break;
      case REQUEST_ID_HEADER:
        if (requestId !== undefined) return undefined;
        requestId = value;
        break;
      case 'connection':
        if (value.toLowerCase() !== 'keep-alive') return undefined;
        break;
      case 'origin':
      case 'content-length':
      case 'transfer-encoding':
      case 'expect':
      case 'upgrade':
        return undefined;
    }
  }
  return hosts === 1 ? { requestId } : undefined;
}

/**
 * The whole answer to a probe, as Node's HTTP server writes the fast path's health answer on a
 * keep-alive connection (same headers, same order), for a socket write in latin1.
 */
export function healthProbeResponse(requestId: string, body: string, now: Date, keepAliveSeconds: number): string {
  return (
    'HTTP/1.1 200 OK\r\n' +
    `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${body.length}\r\n` +
    `Date: ${now.toUTCString()}\r\n` +
    'Connection: keep-alive\r\n' +
    `Keep-Alive: timeout=${keepAliveSeconds}\r\n\r\n` +
    body
  );
}

/** Bytes a header value may not hold (controls other than tab, DEL), as Node's parser and writer refuse them. */
function hasControlByte(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}
