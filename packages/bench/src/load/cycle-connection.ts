/**
 * The connection a handshake loop drives, behind a small interface with two implementations: this
 * one on net.Socket (public API, works everywhere), and bare libuv handles (raw-tcp.ts), which cost
 * the client far less per connection. Either way, reads land in the thread's shared buffer.
 */
import net from 'node:net';

/** What a connection reports. `conn` says which one: events of an abandoned connection are ignored. */
export interface ConnectionEvents {
  connected(conn: CycleConnection): void;
  /** Bytes [0, n) of `buf` (the shared read buffer), to be consumed before returning. */
  read(conn: CycleConnection, buf: Buffer, n: number): void;
  /** The peer closed its side (EOF). */
  ended(conn: CycleConnection): void;
  failed(conn: CycleConnection, err: Error): void;
}

export interface CycleConnection {
  write(data: Buffer): void;
  /** Sends our FIN (reading goes on until the peer's). */
  end(): void;
  /** Closes at once; no event follows. At EOF this sends our FIN without a shutdown() first. */
  close(): void;
}

/** Opens a connection to host:port; may throw at once (say, a bad port), else reports through `events`. */
export type Connect = (host: string, port: number, readBuffer: Buffer, events: ConnectionEvents) => CycleConnection;

export const connectNet: Connect = (host, port, readBuffer, events) => new NetConnection(host, port, readBuffer, events);

class NetConnection implements CycleConnection {
  private readonly socket: net.Socket;

  constructor(host: string, port: number, readBuffer: Buffer, events: ConnectionEvents) {
    // allowHalfOpen: at EOF the loop closes the socket itself, at once, instead of the stream ending
    // our side first (a shutdown() round trip through libuv before the close: ~10% of a cycle).
    this.socket = net.connect({
      host,
      port,
      allowHalfOpen: true,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number, buf: Uint8Array) => {
          events.read(this, buf as Buffer, n);
          return true;
        },
      },
    });
    this.socket.on('connect', () => events.connected(this));
    this.socket.on('end', () => events.ended(this));
    this.socket.on('error', (err) => events.failed(this, err));
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  end(): void {
    this.socket.end();
  }

  close(): void {
    this.socket.destroy();
  }
}
