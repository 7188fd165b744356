/**
 * Soak: our core holding many concurrent connections on 127.0.0.1 for a bounded time, with a mix of
 * echo traffic, slow readers and abrupt disconnects; then it prints messages echoed, errors, and RSS and
 * arrayBuffers before and after. Not a unit test: a figure for the README and the issue.
 *
 *   ulimit -n 4096   # each connection costs two descriptors (client and server side)
 *   node --expose-gc --import tsx packages/core/scripts/soak.ts [seconds=20] [connections=1000]
 *
 * Mix: 70 % echo clients (a message every ~50 ms, every echo checked in order), 20 % slow readers (bursts
 * of 64 KiB messages while their socket is paused for seconds, so the server must back-pressure), 10 %
 * abrupt clients (destroyed mid-traffic after 0.2-2 s and replaced at once). Echo and slow clients close
 * cleanly at the end and must have every message back ("lost" counts the ones that did not come back).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { MessageReader, encodeClosePayload, encodeFrame, generateKey } from '@wsmatrix/protocol';
import { createEchoServer } from '../src/index.js';

const SECONDS = Number(process.argv[2] ?? 20);
const CONNECTIONS = Number(process.argv[3] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;

type Kind = 'echo' | 'slow' | 'abrupt';
const totals = {
  sent: 0,
  echoed: 0,
  mismatched: 0,
  lost: 0,
  errors: 0,
  abrupt: 0,
  connects: 0,
  cleanCloses: 0,
  unclean: 0,
};

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}
function memory(): { rss: number; arrayBuffers: number; heapUsed: number } {
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers, heapUsed: m.heapUsed };
}

/** One client connection: upgrade, traffic by kind, checks every echo against what it sent. */
class SoakClient {
  private readonly socket: net.Socket;
  private readonly pending: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private open = false;
  private stopping = false;
  readonly done: Promise<void>;

  constructor(
    port: number,
    readonly kind: Kind,
  ) {
    totals.connects++;
    this.socket = net.connect({ port, host: '127.0.0.1' });
    this.socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const reader = new MessageReader(
      { role: 'client', maxMessageSize: 1 << 20 },
      {
        onMessage: (data) => this.onEcho(data),
        onPing: () => undefined,
        onPong: () => undefined,
        onClose: () => {
          if (this.stopping) totals.cleanCloses++;
        },
      },
    );
    this.done = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('error', () => {
      if (this.kind !== 'abrupt' && !this.stopping) totals.errors++;
    });
    this.socket.on('close', () => {
      clearTimeout(this.timer);
      if (this.kind !== 'abrupt') totals.lost += this.pending.length;
      if (this.kind !== 'abrupt' && !this.stopping) totals.unclean++;
    });
    this.socket.on('data', (chunk: Buffer) => {
      if (!this.open) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.open = true;
        chunk = head.subarray(end + 4);
        this.start();
      }
      if (chunk.length > 0 && reader.push(chunk)) totals.errors++;
    });
    this.socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${generateKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  }

  /** Ends cleanly: a Close, then wait for the server to end TCP. */
  stop(): void {
    if (this.stopping || this.kind === 'abrupt') return;
    this.stopping = true;
    clearTimeout(this.timer);
    this.socket.resume();
    this.socket.write(encodeFrame({ opcode: 8, payload: encodeClosePayload(1000), mask: true }));
  }

  private send(size: number): void {
    const payload = randomBytes(size);
    this.pending.push(payload);
    totals.sent++;
    this.socket.write(encodeFrame({ opcode: 2, payload, mask: true }));
  }

  private onEcho(data: Buffer): void {
    const expected = this.pending.shift();
    if (expected?.equals(data)) totals.echoed++;
    else totals.mismatched++;
  }

  private start(): void {
    if (this.kind === 'echo') {
      const tick = () => {
        if (this.stopping) return;
        this.send(16 + Math.floor(Math.random() * 4080));
        this.timer = setTimeout(tick, 30 + Math.random() * 40);
      };
      tick();
    } else if (this.kind === 'slow') {
      // Burst while not reading for 1-3 s, then read for a while: the server must queue, pause and resume.
      const cycle = () => {
        if (this.stopping) return;
        this.socket.pause();
        for (let i = 0; i < 8; i++) this.send(64 * 1024);
        this.timer = setTimeout(
          () => {
            this.socket.resume();
            this.timer = setTimeout(cycle, 500);
          },
          1000 + Math.random() * 2000,
        );
      };
      cycle();
    } else {
      const tick = () => {
        this.send(256 + Math.floor(Math.random() * 8000));
        this.timer = setTimeout(tick, 20);
      };
      tick();
      setTimeout(
        () => {
          totals.abrupt++;
          clearTimeout(this.timer);
          this.socket.destroy();
        },
        200 + Math.random() * 1800,
      );
    }
  }
}

const server = createEchoServer({ maxConnections: CONNECTIONS * 2, maxPendingHandshakes: CONNECTIONS * 2 });
let serverErrors = 0;
server.on('error', () => serverErrors++);
const { port } = await server.listen({ port: 0 });
const before = memory();

const clients: SoakClient[] = [];
const kindOf = (i: number): Kind => (i % 10 === 0 ? 'abrupt' : i % 10 < 3 ? 'slow' : 'echo');
let stopping = false;
function connect(i: number): void {
  const client = new SoakClient(port, kindOf(i));
  clients.push(client);
  // An abrupt client is replaced as soon as it is gone, so the count stays near CONNECTIONS.
  if (client.kind === 'abrupt') void client.done.then(() => (stopping ? undefined : connect(i)));
}
for (let i = 0; i < CONNECTIONS; i++) {
  connect(i);
  if (i % 100 === 99) await new Promise((r) => setTimeout(r, 20)); // no accept-queue overflow
}

let peakRss = 0;
let peakOpen = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  peakOpen = Math.max(peakOpen, server.connections.size);
}, 250);
await new Promise((r) => setTimeout(r, SECONDS * 1000));
stopping = true;
for (const c of clients) c.stop();
for (const c of clients) if (c.kind === 'abrupt') (c as unknown as { socket: net.Socket }).socket.destroy();
await Promise.race([Promise.all(clients.map((c) => c.done)), new Promise((r) => setTimeout(r, 15_000))]);
clearInterval(sampler);
await server.close();
// Drop the clients (they share this process) so "after" measures what the server still holds.
clients.length = 0;
await new Promise((r) => setTimeout(r, 500));
memory();
await new Promise((r) => setTimeout(r, 500));
const after = memory();

const line = (k: string, v: string | number) => console.log(`${k.padEnd(28)}${v}`);
line('duration', `${SECONDS} s, ${CONNECTIONS} concurrent connections (70 % echo, 20 % slow readers, 10 % abrupt)`);
line('connections opened', totals.connects);
line('peak open on the server', peakOpen);
line('messages sent', totals.sent);
line('messages echoed (checked)', totals.echoed);
line('mismatched echoes', totals.mismatched);
line('lost (clean clients)', totals.lost);
line('abrupt disconnects', totals.abrupt);
line('clean closes', totals.cleanCloses);
line('unclean ends (clean kinds)', totals.unclean);
line('client errors', totals.errors);
line('server errors', serverErrors);
line('open after close()', server.connections.size);
// RSS keeps its high-water mark (the allocator does not hand freed pages back); heap and arrayBuffers are exact.
line('RSS before / peak / after', `${mib(before.rss)} / ${mib(peakRss)} / ${mib(after.rss)}`);
line('arrayBuffers before / after', `${mib(before.arrayBuffers)} / ${mib(after.arrayBuffers)}`);
line('heapUsed before / after', `${mib(before.heapUsed)} / ${mib(after.heapUsed)}`);
if (!gc) console.log('(run with node --expose-gc for comparable before/after figures)');
process.exit(totals.lost === 0 && totals.mismatched === 0 && totals.errors === 0 && serverErrors === 0 ? 0 : 1);
