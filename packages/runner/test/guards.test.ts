/** No case can hang, unreachable servers are reported, and a flooding server cannot exhaust memory. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { caseById, type CaseDef } from '@wsmatrix/cases';
import { computeAcceptKey, encodeFrameHeader } from '@wsmatrix/protocol';
import { runCase, runSuite } from '../src/index.js';

const servers: Array<{ server: net.Server; sockets: Set<net.Socket> }> = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

const def = (id: string): CaseDef => caseById(id)!;

/** A raw TCP server; `behave` gets every accepted socket after the handshake (or the raw socket if `handshake` is false). */
async function rawServer(behave: (socket: net.Socket) => void, handshake = true): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (!handshake) return behave(socket);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAcceptKey(key)}\r\n\r\n`);
      behave(socket);
    };
    socket.on('data', onData);
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/`;
}

describe('guards', () => {
  it('reports an unreachable server without hanging, and stops connecting to it', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const suite = await runSuite({ url: `ws://127.0.0.1:${port}/`, agent: 'down', cases: [def('1.1.1'), def('2.1'), def('7.1.1')], concurrency: 1 });
    expect(suite.unreachable).toMatch(/ECONNREFUSED/);
    for (const r of suite.results) expect([r.behavior, r.behaviorClose]).toEqual(['FAILED', 'FAILED']);
  });

  it('fails a server that never completes the opening handshake, after the handshake timeout', async () => {
    const url = await rawServer(() => undefined, false);
    const r = await runCase(url, def('1.1.1'), { timeouts: { openHandshakeMs: 300 } });
    expect(r.behaviorClose).toBe('FAILED');
    expect(r.resultClose).toMatch(/opening handshake was never completed/);
    expect(r.wasOpenHandshakeTimeout).toBe(true);
  });

  it('fails a server that answers the upgrade with 400', async () => {
    const url = await rawServer((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'), false);
    const r = await runCase(url, def('2.1'));
    expect(r.behaviorClose).toBe('FAILED');
    expect(r.connectFailure?.kind).toBe('handshake-rejected');
  });

  it('drops a silent server at the case hard limit', async () => {
    const url = await rawServer(() => undefined);
    // 1.1.6 waits 10 s for its echo before giving up; the hard limit cuts it at 300 ms (the text says
    // which ended it, so no wall-clock bound is needed).
    const r = await runCase(url, def('1.1.6'), { hardLimitMs: 300 });
    expect(r.droppedByMe).toBe(true);
    expect(r.result).toMatch(/case exceeded its hard limit of 300 ms/);
    expect(r.behavior).toBe('FAILED');
  });

  it('ends the close handshake after 1 s when the server never answers a Close, as UNCLEAN', async () => {
    const url = await rawServer(() => undefined);
    const r = await runCase(url, def('7.1.2'));
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'UNCLEAN']);
    expect(r.wasCloseHandshakeTimeout).toBe(true);
    // A timer does not fire before its delay: the case lasted at least the close handshake timeout.
    expect(r.duration).toBeGreaterThanOrEqual(950);
  });

  it('drops a server that floods it with data, with memory bounded', async () => {
    const frame = Buffer.concat([encodeFrameHeader({ opcode: 2, payloadLength: 65536 }), Buffer.alloc(65536, 7)]);
    const url = await rawServer((socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(frame));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const before = process.memoryUsage().rss;
    const r = await runCase(url, def('1.1.1'));
    expect(r.result).toMatch(/flooded/);
    expect(r.behavior).toBe('FAILED');
    expect(r.droppedByMe).toBe(true);
    // 1.1.1 sends nothing, so the server may send ~1 MiB before the guard trips.
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect(r.wirelog.length).toBeLessThanOrEqual(4001);
  });

  it('drops a server that floods it with tiny Pongs', async () => {
    const pong = encodeFrameHeader({ opcode: 10, payloadLength: 0 });
    const burst = Buffer.concat(Array.from({ length: 4096 }, () => pong));
    const url = await rawServer((socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(burst));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    const r = await runCase(url, def('2.1'));
    expect(r.result).toMatch(/flooded/);
    expect(r.received.length).toBeLessThanOrEqual(10_000);
  });

  it('refuses a 101 with the wrong Sec-WebSocket-Accept', async () => {
    const url = await rawServer((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n'), false);
    const r = await runCase(url, def('1.1.1'));
    expect(r.connectFailure?.kind).toBe('handshake-rejected');
    expect(r.behaviorClose).toBe('FAILED');
  });

  it('gives up on an endless response head at the parser limit', async () => {
    const url = await rawServer((s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\n');
      const line = Buffer.from(`X-Filler: ${'x'.repeat(100)}\r\n`);
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(Buffer.concat(Array(50).fill(line)))), 5);
    }, false);
    const r = await runCase(url, def('1.1.1'));
    expect(r.connectFailure?.kind).toBe('handshake-rejected');
  });

  it('fails a frame declaring 2^62 octets without allocating it', async () => {
    const header = Buffer.from([0x82, 127, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    const url = await rawServer((s) => s.write(header));
    const r = await runCase(url, def('1.1.1'));
    expect(r.failedByMe).toBe(true);
    expect(r.localCloseCode).toBe(1009);
    // The silent server never answers our Close: nothing echoed and an unclean close.
    expect([r.behavior, r.behaviorClose]).toEqual(['FAILED', 'UNCLEAN']);
  });

  it('stops writing to a server that never reads, at the drain deadline', async () => {
    const url = await rawServer((s) => s.pause());
    const r = await runCase(url, def('9.1.6'), { timeouts: { drainMs: 300 } });
    // The drain deadline's own text: neither the echo timeout nor the hard limit ended the case.
    expect(r.result).toMatch(/server stopped reading: a write waited more than 300 ms/);
    expect(r.behavior).toBe('FAILED');
  });
});
