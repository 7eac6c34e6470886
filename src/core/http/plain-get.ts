import { IncomingHttpHeaders, STATUS_CODES } from 'http';

/**
 * Plain GETs read straight off a connection's bytes. Clients poll a few routes (the health check,
 * a job's status) far more than anything else, and Node's HTTP layer (parser callbacks, request
 * and response objects, header checks) costs as much as the answer: a chunk holding exactly one
 * plain GET is answered from its bytes, anything else is left to Node's parser, which then owns
 * the connection.
 */

/** Longer requests (big cookies, long tokens) are left to the parser. */
export const PLAIN_GET_MAX_BYTES = 4096;
/** What a path may hold here: RFC 3986 path characters (no query, no fragment). */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A plain GET: its path (no query) and headers (names lower-cased, as Node gives them). */
export interface PlainGet {
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * The GET a chunk (decoded as latin1, byte for byte) holds, or undefined when it is anything but
 * exactly one complete GET over HTTP/1.1 without a query or a body: another method, part of a
 * request or several, a header Node would refuse or merge (a repeated name), a byte outside ASCII,
 * one that changes what the answer is or how the connection continues (a browser origin, a body,
 * `Expect`, `Upgrade`, `Connection` other than keep-alive), no `Host`.
 */
export function plainGetOf(text: string): PlainGet | undefined {
  if (text.length > PLAIN_GET_MAX_BYTES || !text.startsWith('GET /')) return undefined;
  const lineEnd = text.indexOf(' HTTP/1.1\r\n', 4);
  if (lineEnd < 0) return undefined;
  const path = text.slice(4, lineEnd);
  const headersEnd = text.indexOf('\r\n\r\n', lineEnd + 9);
  if (headersEnd !== text.length - 4 || !PATH.test(path)) return undefined;
  // A plain object, as Node's: a name that would set its prototype is left to the parser.
  const headers: IncomingHttpHeaders = {};
  let pos = lineEnd + 11;
  while (pos < text.length - 2) {
    const eol = text.indexOf('\r\n', pos);
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > eol) return undefined;
    const name = text.slice(pos, colon).toLowerCase();
    const raw = text.slice(colon + 1, eol);
    pos = eol + 2;
    if (!TOKEN.test(name) || name === '__proto__' || Object.hasOwn(headers, name) || !isPlainValue(raw)) return undefined;
    // Only spaces and tabs can be at the edges of a plain value: trimming them is what Node does.
    const value = raw.trim();
    switch (name) {
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
    headers[name] = value;
  }
  return headers.host === undefined ? undefined : { path, headers };
}

/**
 * A whole answer as Node's HTTP server writes a response of the fast path on a keep-alive
 * connection: the given headers, then Date, Connection and Keep-Alive, then the body. For a
 * socket write in UTF-8 (every header is ASCII: requests with other bytes are left to the parser).
 */
export function plainResponse(status: number, headers: Record<string, string | number>, body: string, ms: number, keepAliveSeconds: number): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return `${head}Date: ${httpDate(ms)}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${keepAliveSeconds}\r\n\r\n${body}`;
}

let lastDate = { second: NaN, text: '' };

/** The Date header at a time; it names the second, so one serves every answer of that second (as in Node's server). */
function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastDate.second) lastDate = { second, text: new Date(second * 1000).toUTCString() };
  return lastDate.text;
}

/** Printable ASCII and tab only: Node's parser refuses controls, and bytes above ASCII are left to it. */
function isPlainValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c >= 0x7f) return false;
  }
  return true;
}
