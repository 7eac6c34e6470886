import { Server } from 'http';
import { Socket } from 'net';
import { HealthProbe, healthProbeOf, PROBE_MAX_BYTES } from './health-probe';

type ConnectionListener = (socket: Socket) => void;

/**
 * Stands before Node's HTTP parser on every connection of a server: while a connection sends
 * nothing but health probes (see health-probe.ts), they are answered here; its first chunk that is
 * anything else is handed, with the connection, to the server's own connection handling, which
 * then parses it as if it had seen every byte (a connection that starts with another request is
 * handed over at once).
 */
export class ProbeConnections {
  /** Connections answered here so far; between probes, so idle. */
  private readonly held = new Set<Socket>();

  /**
   * `answer` gives a probe's whole response, or undefined to leave it to the parser (the app
   * closing); a held connection idle for `idleMs` is closed, as Node's keep-alive timeout does.
   */
  constructor(
    private readonly server: Server,
    private readonly answer: (probe: HealthProbe) => string | undefined,
    private readonly idleMs: number,
  ) {
    const parserListeners = server.listeners('connection') as ConnectionListener[];
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => this.hold(socket, parserListeners));
  }

  /** Ends the held connections (at shutdown; they are idle, and any answer written still goes out). */
  endHeld(): void {
    for (const socket of this.held) socket.end();
    this.held.clear();
  }

  private hold(socket: Socket, handOverTo: ConnectionListener[]): void {
    this.held.add(socket);
    const onData = (chunk: Buffer) => {
      const probe = chunk.length <= PROBE_MAX_BYTES ? healthProbeOf(chunk.toString('latin1')) : undefined;
      const response = probe && this.answer(probe);
      if (response !== undefined) {
        if (socket.writable) socket.write(response, 'latin1');
        return;
      }
      release();
      for (const listener of handOverTo) listener.call(this.server, socket);
      // The server's data listener was added during this very event: it gets the chunk now, before
      // anything read later.
      socket.emit('data', chunk);
    };
    // allowHalfOpen (as Node's HTTP server has it): a client that stops sending still reads.
    const onEnd = () => socket.end();
    const onIdle = () => socket.destroy();
    const onError = () => socket.destroy();
    const onClose = () => this.held.delete(socket);
    const release = () => {
      socket.off('data', onData).off('end', onEnd).off('timeout', onIdle).off('error', onError).off('close', onClose);
      socket.setTimeout(0);
      this.held.delete(socket);
    };
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
    socket.setTimeout(this.idleMs, onIdle);
  }
}
