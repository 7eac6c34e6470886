import { Server } from 'http';
import { Socket } from 'net';
import { PLAIN_GET_MAX_BYTES, PlainGet, plainGetOf } from './plain-get';

type ConnectionListener = (socket: Socket) => void;

/** A GET's whole response (now or once read), or undefined to leave the request to Node's parser. */
export type PlainGetAnswer = (get: PlainGet) => string | Promise<string> | undefined;

/**
 * Stands before Node's HTTP parser on every connection of a server: while a connection sends
 * nothing but plain GETs the answer function takes (see plain-get.ts), they are answered here;
 * its first chunk that is anything else is handed, with the connection, to the server's own
 * connection handling, which then parses it as if it had seen every byte (a connection that
 * starts with another request is handed over at once). While an answer is being read the
 * connection is not read from, so answers go out in the order the requests came.
 */
export class PlainGetConnections {
  /** Connections answered here so far. */
  private readonly held = new Set<Socket>();
  /** Held connections whose answer is being read; they end once it is written when closing. */
  private readonly answering = new Set<Socket>();
  private ending = false;

  /** A held connection idle for `idleMs` is closed, as Node's keep-alive timeout does. */
  constructor(
    private readonly server: Server,
    private readonly answer: PlainGetAnswer,
    private readonly idleMs: number,
  ) {
    const parserListeners = server.listeners('connection') as ConnectionListener[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => this.hold(socket, parserListeners));
  }

  /** Ends the held connections (at shutdown): idle ones now, one being answered once its answer is written. */
  endHeld(): void {
    this.ending = true;
    for (const socket of this.held) if (!this.answering.has(socket)) socket.end();
  }

  private hold(socket: Socket, handOverTo: ConnectionListener[]): void {
    this.held.add(socket);
    const onData = (chunk: Buffer) => {
      const get = chunk.length <= PLAIN_GET_MAX_BYTES ? plainGetOf(chunk.toString('latin1')) : undefined;
      const response = get && this.answer(get);
      if (response === undefined) {
        release();
        for (const listener of handOverTo) listener.call(this.server, socket);
        // The server's data listener was added during this very event: it gets the chunk now, before
        // anything read later.
        socket.emit('data', chunk);
      } else if (typeof response === 'string') {
        this.send(socket, response);
      } else {
        this.answering.add(socket);
        socket.pause();
        response.then(
          (text) => this.send(socket, text),
          () => socket.destroy(),
        );
      }
    };
    // allowHalfOpen (as Node's HTTP server has it): a client that stops sending still reads.
    const onEnd = () => {
      if (!this.answering.has(socket)) socket.end();
    };
    const onIdle = () => socket.destroy();
    const onError = () => socket.destroy();
    const onClose = () => {
      this.held.delete(socket);
      this.answering.delete(socket);
    };
    const release = () => {
      socket.off('data', onData).off('end', onEnd).off('timeout', onIdle).off('error', onError).off('close', onClose);
      socket.setTimeout(0);
      this.held.delete(socket);
    };
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    socket.setTimeout(this.idleMs, onIdle);
  }

  /** Writes an answer; reading goes on once the client has taken it in (as Node's server waits for a full buffer to drain). */
  private send(socket: Socket, response: string): void {
    const answered = this.answering.delete(socket);
    if (!socket.writable) return;
    const flushed = socket.write(response, 'utf8');
    if (this.ending || socket.readableEnded) return void socket.end();
    if (!answered) return;
    if (flushed) socket.resume();
    else socket.once('drain', () => socket.resume());
  }
}
