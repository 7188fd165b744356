import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadLibuvStreams, type LibuvStreams } from '../src/libuv-stream.js';
import { RawSocket } from '../src/raw-socket.js';
import type { ReadRoute } from '../src/read-route.js';
import { adoptAcceptedSockets } from '../src/shared-reads.js';
import type { ServerSocket } from '../src/server-socket.js';

/** A listening net.Server whose accepted handles become sockets through adoptAcceptedSockets. */
interface Pair {
  server: ServerSocket;
  route: ReadRoute;
  client: Socket;
  /** Every chunk the server side read, copied (the shared buffer is reused). */
  reads: Buffer[];
}

let listening: Server | null = null;
const clients: Socket[] = [];
// These tests are about bare handles, so they ask for the bindings (the server itself never does unless told).
const libuvStreams = loadLibuvStreams();

afterEach(async () => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.destroy();
  if (listening) await new Promise<void>((resolve) => listening!.close(() => resolve()));
  listening = null;
});

async function pair(shared = Buffer.alloc(1 << 20), streams: LibuvStreams | null = libuvStreams!): Promise<Pair> {
  const server = createServer({ allowHalfOpen: true });
  listening = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<{ socket: ServerSocket; route: ReadRoute }>((resolve) => {
    expect(adoptAcceptedSockets(server, shared, (socket, route) => resolve({ socket, route }), streams)).toBe(true);
  });
  const client = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1', allowHalfOpen: true });
  clients.push(client);
  await once(client, 'connect');
  const { socket, route } = await accepted;
  const reads: Buffer[] = [];
  route.listener = (chunk) => void reads.push(Buffer.from(chunk));
  return { server: socket, route, client, reads };
}

function received(client: Socket): { bytes: () => Buffer; ended: Promise<void> } {
  const parts: Buffer[] = [];
  client.on('data', (d: Buffer) => parts.push(d));
  return { bytes: () => Buffer.concat(parts), ended: once(client, 'end').then(() => {}) };
}

/** One turn of the event loop, I/O polling included (setImmediate runs after the poll phase). */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Waits for a condition by turning the event loop (no timers, so it works under fake timers too); the
 * deadline, on the real monotonic clock, is only a safety net against a hang.
 */
async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('condition not met in time');
    await turn();
  }
}

/** Writes on the client and waits until the kernel has taken the bytes (on loopback: the server can read them). */
function written(client: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => client.write(data, (err) => (err ? reject(err) : resolve())));
}

describe.runIf(libuvStreams !== undefined)('RawSocket (bare libuv handle)', () => {
  it('is what adopted sockets are when given the bindings, and net.Socket without them', async () => {
    expect((await pair()).server).toBeInstanceOf(RawSocket);
    await new Promise<void>((resolve) => listening!.close(() => resolve()));
    expect((await pair(Buffer.alloc(1 << 20), null)).server).not.toBeInstanceOf(RawSocket);
  });

  it('reads land in the route, no bigger than route.readBytes, then in route.direct when set', async () => {
    const { route, client, reads } = await pair();
    route.readBytes = 4096;
    const payload = Buffer.alloc(200_000, 7);
    client.write(payload);
    await until(() => reads.reduce((a, r) => a + r.length, 0) === payload.length);
    // The first read was offered the initial 64 KiB; every later one at most readBytes.
    expect(reads.slice(1).every((r) => r.length <= 4096)).toBe(true);
    expect(Buffer.concat(reads).equals(payload)).toBe(true);

    // The target of a read is chosen when the previous read returns, as a connection does it.
    const block = Buffer.alloc(100);
    const seen: Buffer[] = [];
    route.listener = (chunk) => {
      seen.push(chunk);
      route.direct = seen.length === 1 ? block : null;
    };
    client.write(Buffer.from('first'));
    await until(() => seen.length === 1);
    client.write(Buffer.from('straight into the block'));
    await until(() => seen.length === 2);
    expect(seen[1]!.buffer).toBe(block.buffer);
    expect(block.subarray(0, seen[1]!.length).toString()).toBe('straight into the block');
    client.write(Buffer.from('back to shared'));
    await until(() => seen.length === 3);
    expect(seen[2]!.buffer).not.toBe(block.buffer);
    expect(seen[2]!.toString()).toBe('back to shared');
  });

  it('counts unwritten bytes in writableLength while the peer does not read, then drains', async () => {
    const { server, client } = await pair();
    client.pause();
    const big = Buffer.alloc(16 << 20, 1);
    server.write(big);
    expect(server.writableLength).toBeGreaterThan(0);
    expect(server.writableLength).toBeLessThanOrEqual(big.length);
    const drained = once(server as RawSocket, 'drain');
    const got = received(client);
    client.resume();
    await drained;
    expect(server.writableLength).toBe(0);
    await until(() => got.bytes().length === big.length);
  });

  it('corked writes go out together, in order; strings are written as latin1', async () => {
    const { server, client } = await pair();
    const got = received(client);
    server.cork();
    server.write(Buffer.from('a'));
    server.write(Buffer.alloc(70_000, 0x62));
    server.write(Buffer.from('c'));
    expect(server.writableLength).toBe(70_002);
    server.uncork();
    server.write('\u00e9', 'latin1');
    await until(() => got.bytes().length === 70_003);
    const bytes = got.bytes();
    expect(bytes[0]).toBe(0x61);
    expect(bytes[70_001]).toBe(0x63);
    expect(bytes[70_002]).toBe(0xe9);
  });

  it('end() sends FIN after queued bytes; the peer FIN emits end; close follows once both are done', async () => {
    const { server, client } = await pair();
    const events: string[] = [];
    server.on('end', () => events.push('end'));
    server.on('close', () => events.push('close'));
    const got = received(client);
    server.write(Buffer.alloc(3 << 20, 2));
    server.end();
    expect(server.writable).toBe(false);
    expect(server.write(Buffer.from('late'))).toBe(false);
    await got.ended;
    expect(got.bytes().length).toBe(3 << 20);
    expect(events).toEqual([]);
    client.end();
    await until(() => events.length === 2);
    expect(events).toEqual(['end', 'close']);
    expect(server.destroyed).toBe(true);
  });

  it('half-open: after the peer FIN, bytes written still reach it until we end', async () => {
    const { server, client } = await pair();
    const ended = once(server as RawSocket, 'end');
    const closed = once(server as RawSocket, 'close');
    const got = received(client);
    client.end();
    await ended;
    expect(server.destroyed).toBe(false);
    server.write(Buffer.from('still here'));
    server.end();
    await got.ended;
    expect(got.bytes().toString()).toBe('still here');
    await closed;
  });

  it('a reset from the peer is an error, then close, once', async () => {
    const { server, client } = await pair();
    const errors: Error[] = [];
    let closes = 0;
    server.on('error', (e: Error) => errors.push(e));
    server.on('close', () => closes++);
    client.resetAndDestroy();
    await until(() => closes === 1);
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ECONNRESET']);
    for (let i = 0; i < 5; i++) await turn();
    expect(closes).toBe(1);
  });

  it('pause() stops reads until resume()', async () => {
    const { server, client, reads } = await pair();
    server.pause();
    await written(client, Buffer.from('held'));
    // The bytes are in the server's receive queue; several polls of the loop would have read them.
    for (let i = 0; i < 5; i++) await turn();
    expect(reads).toEqual([]);
    server.resume();
    await until(() => reads.length === 1);
    expect(reads[0]!.toString()).toBe('held');
  });

  it('setTimeout: traffic keeps it quiet; idleness emits one timeout; 0 turns it off (fake clock)', async () => {
    const { server, client, reads } = await pair();
    let timeouts = 0;
    server.on('timeout', () => timeouts++);
    // The clock is ours: time passes only when the test says so, however loaded the machine is.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    server.setTimeout(120);
    for (let i = 1; i <= 8; i++) {
      client.write(Buffer.from('x'));
      await until(() => reads.length === i);
      vi.advanceTimersByTime(100); // less than the period since the last read
    }
    expect(timeouts).toBe(0);
    vi.advanceTimersByTime(20); // 120 ms since the last read
    expect(timeouts).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(timeouts).toBe(1); // one per idle period
    server.setTimeout(0);
    client.write(Buffer.from('y'));
    await until(() => reads.length === 9);
    vi.advanceTimersByTime(10_000);
    expect(timeouts).toBe(1);
  });

  it('knows its peer address, and destroy() closes once', async () => {
    const { server, client } = await pair();
    expect(server.remoteAddress).toBe('127.0.0.1');
    expect(server.remotePort).toBe(client.localPort);
    let closes = 0;
    server.on('close', () => closes++);
    const clientEnded = once(client, 'end');
    server.destroy();
    server.destroy();
    await clientEnded;
    await until(() => closes === 1);
    expect(server.write(Buffer.from('after'))).toBe(false);
  });
});
