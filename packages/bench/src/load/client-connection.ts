/**
 * One client socket on raw node:net: connects, performs the hand-made opening handshake (for 'ws'),
 * then hands every read chunk to a receiver. Reads land in a buffer shared by all sockets of the
 * thread (`onread`), so no Buffer is allocated per read; receivers consume chunks synchronously.
 */
import net from 'node:net';
import { headEnd, MAX_RESPONSE_HEAD_BYTES, validateUpgradeResponse } from '../handshake.js';

/** 'ws': a WebSocket server. 'tcp': the raw echo baseline, which gets no handshake. */
export type WireProtocol = 'ws' | 'tcp';

/** Consumes bytes [start, end) of chunk before returning; chunk is reused afterwards. */
export type Receiver = (chunk: Buffer, start: number, end: number) => void;

export interface ConnectOptions {
  host: string;
  port: number;
  protocol: WireProtocol;
  /** Pre-built upgrade request and its key (ignored for 'tcp'). */
  request: Buffer;
  key: string;
  /** The request offered permessage-deflate: the 101 must accept it (else the open fails). */
  deflate?: boolean;
  readBuffer: Buffer;
}

export class ClientConnection {
  readonly socket: net.Socket;
  /** Resolves when the socket has closed, whatever the reason. */
  readonly closed: Promise<void>;
  /** The first socket error, if any. */
  error: Error | undefined;
  private receiver: Receiver = () => {};
  private head: Buffer | undefined;

  private constructor(opts: ConnectOptions, onOpen: (err?: Error) => void) {
    let opened = false;
    const open = (err?: Error): void => {
      if (opened) return;
      opened = true;
      onOpen(err);
    };
    this.socket = net.connect({
      host: opts.host,
      port: opts.port,
      noDelay: true,
      onread: { buffer: opts.readBuffer, callback: (n: number, buf: Uint8Array) => this.onRead(buf as Buffer, n, opts, open) },
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.once('error', (err) => {
      this.error ??= err;
      open(err);
    });
    this.socket.once('close', () => open(new Error('connection closed before it was open')));
    this.socket.once('connect', () => {
      if (opts.protocol === 'tcp') open();
      else this.socket.write(opts.request);
    });
    if (opts.protocol === 'ws') this.head = Buffer.alloc(0);
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

  setReceiver(receiver: Receiver): void {
    this.receiver = receiver;
  }

  /** Returns true: keep reading (false would pause the socket). */
  private onRead(buf: Buffer, n: number, opts: ConnectOptions, open: (err?: Error) => void): boolean {
    if (this.head === undefined) {
      this.receiver(buf, 0, n);
      return true;
    }
    // Still in the handshake: gather the response head (copied, since buf is reused).
    const head = Buffer.concat([this.head, buf.subarray(0, n)]);
    const end = headEnd(head);
    if (end < 0) {
      if (head.length > MAX_RESPONSE_HEAD_BYTES) open(new Error(`handshake response head over ${MAX_RESPONSE_HEAD_BYTES / 1024} KiB`));
      this.head = head;
      return true;
    }
    this.head = undefined;
    const problem = validateUpgradeResponse(head.toString('latin1', 0, end), opts.key, { deflate: opts.deflate });
    if (problem) {
      open(new Error(`bad handshake response: ${problem}`));
      return true;
    }
    open();
    // Frames right behind the 101 (none for an echo server, but never lose bytes).
    if (end < head.length) this.receiver(head, end, head.length);
    return true;
  }
}
