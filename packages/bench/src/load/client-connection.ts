/**
 * One client socket of an echo job: connects, upgrades (for 'ws'), then hands every read chunk to a
 * receiver. Reads land in a buffer shared by all sockets of the thread (`onread`), so no Buffer is
 * allocated per read; receivers consume chunks synchronously.
 */
import net from 'node:net';
import type { HeadReader, Upgrade } from './upgrade.js';

/** 'ws': a WebSocket server. 'tcp': the raw echo baseline, which gets no handshake. */
export type WireProtocol = 'ws' | 'tcp';

/** Consumes bytes [start, end) of chunk before returning; chunk is reused afterwards. */
export type Receiver = (chunk: Buffer, start: number, end: number) => void;

export interface ConnectOptions {
  host: string;
  port: number;
  protocol: WireProtocol;
  /** The share's upgrade request and the check of its answer (unused for 'tcp'). */
  upgrade: Upgrade;
  readBuffer: Buffer;
}

export class ClientConnection {
  readonly socket: net.Socket;
  /** Resolves when the socket has closed, whatever the reason. */
  readonly closed: Promise<void>;
  /** The first socket error, if any. */
  error: Error | undefined;
  /** Takes every byte after the 101 (for 'tcp', every byte). */
  receiver: Receiver = () => {};
  /** Set while the 101 is being read. */
  private head: HeadReader | undefined;

  private constructor(
    opts: ConnectOptions,
    /** Settles open(); undefined once it has. */
    private settle: ((err?: Error) => void) | undefined,
  ) {
    if (opts.protocol === 'ws') this.head = opts.upgrade.reader();
    const onread = { buffer: opts.readBuffer, callback: (n: number, buf: Uint8Array) => this.onRead(buf as Buffer, n) };
    this.socket = net.connect({ host: opts.host, port: opts.port, noDelay: true, onread });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.once('error', (err) => {
      this.error ??= err;
      this.opened(err);
    });
    this.socket.once('close', () => this.opened(new Error('connection closed before it was open')));
    this.socket.once('connect', () => {
      if (opts.protocol === 'tcp') this.opened();
      else this.socket.write(opts.upgrade.request);
    });
  }

  /** Connects (and upgrades, for 'ws'); rejects on any failure. */
  static open(opts: ConnectOptions): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const conn: ClientConnection = new ClientConnection(opts, (err) => {
        if (err) {
          conn.socket.destroy();
          reject(err);
        } else resolve(conn);
      });
    });
  }

  private opened(err?: Error): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(err);
  }

  /** The onread callback; true: keep reading. */
  private onRead(buf: Buffer, n: number): true {
    const read = this.head?.(buf.subarray(0, n));
    if (read === undefined) this.receiver(buf, 0, n);
    else if (read.state !== 'more') {
      this.head = undefined;
      this.opened(read.state === 'failed' ? new Error(read.problem) : undefined);
      // Frames right behind the 101 (none for an echo server, but never lose bytes).
      if (read.state === 'done' && read.rest.length > 0) this.receiver(read.rest, 0, read.rest.length);
    }
    return true;
  }
}
