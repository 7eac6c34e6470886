import { createServer, Server } from 'http';
import * as net from 'net';
import { PlainGet, plainResponse } from './plain-get';
import { PlainGetConnections } from './plain-get-connections';

const answerOf = (text: string) => plainResponse(200, { 'content-length': text.length }, text, 0, 72);
const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** A client connection that collects what it reads; `until` waits for a condition on it. */
function client(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let text = '';
  let ended = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d) => ((text += d.toString('utf8')), wake()));
  socket.on('end', () => ((ended = true), wake()));
  return {
    write: (s: string) => new Promise<void>((resolve, reject) => socket.write(s, (e) => (e ? reject(e) : resolve()))),
    bodies: () => [...text.matchAll(/\r\n\r\n([a-z-]+)/g)].map((m) => m[1]),
    ended: () => ended,
    until: async (done: () => boolean) => {
      while (!done()) await new Promise<void>((r) => waiters.push(r));
    },
    close: () => socket.destroy(),
  };
}

describe('PlainGetConnections', () => {
  let server: Server;
  let port: number;
  let connections: PlainGetConnections;
  let slow: { resolve: (text: string) => void } | undefined;
  const calls: string[] = [];
  const waiters: (() => void)[] = [];
  const called = (path: string) => new Promise<void>((resolve) => (calls.includes(path) ? resolve() : waiters.push(() => calls.includes(path) && resolve())));

  beforeEach(async () => {
    calls.length = 0;
    server = createServer((req, res) => res.end('parsed'));
    connections = new PlainGetConnections(
      server,
      (g: PlainGet) => {
        calls.push(g.path);
        waiters.forEach((w) => w());
        if (g.path === '/fast') return answerOf('fast');
        if (g.path === '/slow') return new Promise<string>((resolve) => (slow = { resolve: (t) => resolve(answerOf(t)) }));
        return undefined;
      },
      72_000,
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    connections.endHeld();
    await new Promise((r) => server.close(r));
  });

  it('reads nothing more of a connection while its answer is being read, so answers keep the order of requests', async () => {
    const c = client(port);
    await c.write(get('/slow'));
    await called('/slow');
    await c.write(get('/fast'));
    // Another connection's request, sent after, reaching the server: the first connection's
    // bytes were readable before it, so they would have been read by now if reading went on.
    const other = client(port);
    await other.write(get('/fast'));
    await other.until(() => other.bodies().length === 1);
    expect(calls).toEqual(['/slow', '/fast']);
    slow!.resolve('slow');
    await c.until(() => c.bodies().length === 2);
    expect(c.bodies()).toEqual(['slow', 'fast']);
    c.close();
    other.close();
  });

  it('hands a request it does not answer, with the connection, to the HTTP server', async () => {
    const c = client(port);
    await c.write(get('/fast'));
    await c.until(() => c.bodies().length === 1);
    await c.write(get('/other'));
    await c.until(() => c.bodies().length === 2);
    await c.write(get('/fast'));
    await c.until(() => c.bodies().length === 3);
    // Once handed over, the parser answers everything on the connection.
    expect(c.bodies()).toEqual(['fast', 'parsed', 'parsed']);
    c.close();
  });

  it('ends held connections at shutdown, one being answered once its answer is written', async () => {
    const idle = client(port);
    await idle.write(get('/fast'));
    await idle.until(() => idle.bodies().length === 1);
    const busy = client(port);
    await busy.write(get('/slow'));
    await called('/slow');
    connections.endHeld();
    await idle.until(() => idle.ended());
    expect(busy.ended()).toBe(false);
    slow!.resolve('slow');
    await busy.until(() => busy.ended());
    expect(busy.bodies()).toEqual(['slow']);
  });
});
