/** Test clients that talk to the server over real sockets on 127.0.0.1. */
import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { createEchoServer } from '../src/echo.js';
import type { ServerOptions } from '../src/options.js';
import type { WebSocketServer } from '../src/server.js';
import { FrameCollector, Opcode, encodeFrame, type Frame, type FrameSpec } from '@wsmatrix/protocol';
import { withTimeout } from '@wsmatrix/protocol/testing';

export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
/** The least time any RawClient wait allows (see RawClient.waitFor). */
const MIN_WAIT_MS = 15_000;
export const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export function upgradeRequest(port: number, path = '/', extra: string[] = []): string {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${SAMPLE_KEY}`,
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n');
}

/** A masked client frame (fresh random mask) built with the protocol package. */
export function clientFrame(spec: Omit<FrameSpec, 'mask'> & { mask?: FrameSpec['mask'] }): Buffer {
  return encodeFrame({ mask: true, ...spec });
}

export function closePayload(code: number, reason = ''): Buffer {
  const reasonBytes = Buffer.from(reason, 'utf8');
  const out = Buffer.alloc(2 + reasonBytes.length);
  out.writeUInt16BE(code, 0);
  reasonBytes.copy(out, 2);
  return out;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends raw bytes, reads until the server closes the connection, or until a complete 101 head arrived
 * (an upgraded connection stays open by design), and returns everything received. `closedByServer` tells
 * whether the server closed the socket. `ms` is a safety net (at least MIN_WAIT_MS), not a measurement.
 */
export async function rawExchange(
  port: number,
  request: string | Buffer,
  ms = MIN_WAIT_MS,
): Promise<{ text: string; bytes: Buffer; closedByServer: boolean }> {
  const socket = await openSocket(port);
  const chunks: Buffer[] = [];
  let upgraded!: () => void;
  const switched = new Promise<'upgraded'>((resolve) => (upgraded = () => resolve('upgraded')));
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    const text = Buffer.concat(chunks).toString('latin1');
    if (text.includes('\r\n\r\n') && parseHead(text).status === 101) upgraded();
  });
  socket.on('error', () => {});
  const closed = new Promise<'closed'>((resolve) => socket.once('close', () => resolve('closed')));
  socket.write(request);
  let closedByServer = true;
  try {
    const outcome = await withTimeout(
      Promise.race([closed, switched]),
      Math.max(ms, MIN_WAIT_MS),
      'the server to answer',
    );
    if (outcome === 'upgraded') {
      closedByServer = false;
      socket.destroy();
    }
  } catch {
    closedByServer = false;
    socket.destroy();
  }
  const bytes = Buffer.concat(chunks);
  return { text: bytes.toString('latin1'), bytes, closedByServer };
}

export interface HttpHead {
  status: number;
  headers: Map<string, string>;
  raw: string;
}

export function parseHead(text: string): HttpHead {
  const end = text.indexOf('\r\n\r\n');
  const raw = end === -1 ? text : text.slice(0, end);
  const lines = raw.split('\r\n');
  const statusLine = lines[0] ?? '';
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: match ? Number(match[1]) : -1, headers, raw };
}

/**
 * A WebSocket client on a raw socket: hand-built frames out, every server frame decoded (and checked
 * to be unmasked) by the protocol package's FrameCollector.
 */
export class RawClient {
  readonly socket: Socket;
  head: HttpHead | null = null;
  readonly frames: Frame[] = [];
  /** The server sent FIN (or the socket closed) — set with the time it happened. */
  endedAt: number | null = null;
  closedAt: number | null = null;
  decodeError: Error | null = null;

  private headBuf = Buffer.alloc(0);
  private readonly collector: FrameCollector;
  private wakeups: Array<() => void> = [];

  private constructor(socket: Socket, allowedRsv = 0) {
    this.socket = socket;
    this.collector = new FrameCollector({ role: 'client', maxPayloadLength: 64 * 1024 * 1024, allowedRsv });
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.endedAt ??= Date.now();
      this.wake();
    });
    socket.on('close', () => {
      this.endedAt ??= Date.now();
      this.closedAt = Date.now();
      this.wake();
    });
  }

  /** Connects, sends the upgrade request (plus `pipelined` bytes in the same write) and waits for the head. */
  static async connect(
    port: number,
    opts: { path?: string; pipelined?: Buffer; extra?: string[]; allowRsv1?: boolean } = {},
  ): Promise<RawClient> {
    const socket = await openSocket(port);
    const client = new RawClient(socket, opts.allowRsv1 ? 4 : 0);
    const request = Buffer.from(upgradeRequest(port, opts.path, opts.extra), 'latin1');
    socket.write(opts.pipelined ? Buffer.concat([request, opts.pipelined]) : request);
    await client.waitFor(() => client.head !== null, 2000, 'the 101 response');
    if (client.head?.status !== 101) throw new Error(`expected 101, got ${client.head?.raw}`);
    return client;
  }

  send(bytes: Buffer | Buffer[]): void {
    this.socket.write(Array.isArray(bytes) ? Buffer.concat(bytes) : bytes);
  }

  sendFrame(spec: Omit<FrameSpec, 'mask'>): void {
    this.send(clientFrame(spec));
  }

  /** Waits until at least `count` frames have arrived; returns them all. */
  async waitForFrames(count: number, ms = 2000): Promise<Frame[]> {
    await this.waitFor(() => this.frames.length >= count, ms, `${count} frame(s), have ${this.frames.length}`);
    return this.frames;
  }

  async waitForClose(ms = 2000): Promise<Frame> {
    await this.waitFor(() => this.frames.some((f) => f.opcode === Opcode.Close), ms, 'a Close frame');
    return this.frames.find((f) => f.opcode === Opcode.Close)!;
  }

  /** Waits for the server to end or close TCP. */
  async waitForEnd(ms = 2000): Promise<number> {
    await this.waitFor(() => this.endedAt !== null, ms, 'the server to end TCP');
    return this.endedAt!;
  }

  async waitForSocketClose(ms = 2000): Promise<number> {
    await this.waitFor(() => this.closedAt !== null, ms, 'the socket to close');
    return this.closedAt!;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Waits until `predicate` holds. `ms` is a safety net against a hang, never a measurement: it is raised
   * to at least MIN_WAIT_MS so a loaded machine cannot fail a test by being slow. Tests that must tell an
   * immediate reaction from a timer's set that timer far beyond the wait instead.
   */
  waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
    ms = Math.max(ms, MIN_WAIT_MS);
    if (predicate()) return Promise.resolve();
    // Re-checked on every socket event, and also polled: a predicate may watch server-side state
    // (a callback having run) that changes without the client receiving anything.
    let poll: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.wakeups.push(check);
      };
      this.wakeups.push(check);
      poll = setInterval(() => {
        if (predicate()) resolve();
      }, 5);
    });
    return withTimeout(done, ms, what).finally(() => clearInterval(poll));
  }

  private wake(): void {
    const pending = this.wakeups;
    this.wakeups = [];
    for (const fn of pending) fn();
  }

  private onData(chunk: Buffer): void {
    if (this.head === null) {
      this.headBuf = Buffer.concat([this.headBuf, chunk]);
      const end = this.headBuf.indexOf('\r\n\r\n');
      if (end === -1) return;
      this.head = parseHead(this.headBuf.subarray(0, end + 4).toString('latin1'));
      chunk = this.headBuf.subarray(end + 4);
      this.headBuf = Buffer.alloc(0);
    }
    if (chunk.length !== 0 && this.decodeError === null) {
      const { frames, error } = this.collector.push(chunk);
      this.frames.push(...frames);
      if (error) this.decodeError = error;
    }
    this.wake();
  }
}

/** Close code of a Close frame, or null for an empty payload. */
export function closeCodeOf(frame: Frame): number | null {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
}

/**
 * An echo server per test: `start` creates one on a free port, an afterEach hook closes it. `server` is
 * the one started by the current test (null before `start`).
 */
export function echoServerFixture(): {
  start(options?: ServerOptions): Promise<number>;
  readonly server: WebSocketServer | null;
} {
  let server: WebSocketServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });
  return {
    async start(options?: ServerOptions): Promise<number> {
      server = createEchoServer(options);
      return (await server.listen()).port;
    },
    get server() {
      return server;
    },
  };
}

/** A `ws` client (the reference implementation) connected to the server, payloads up to 64 MiB. */
export function wsClient(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { maxPayload: 64 * 1024 * 1024 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}
