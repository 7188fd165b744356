/** No case can hang, unreachable servers are reported, and a flooding server cannot exhaust memory. */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrameHeader } from '@wsmatrix/protocol';
import { runCase } from '../src/run-case.js';
import { runSuite } from '../src/suite.js';
import { WRONG_ACCEPT_RESPONSE, afterUpgrade, flood, hostileServers, refusedUrl } from './fixtures/hostile-server.js';
import { caseDef as def } from '@wsmatrix/cases/testing';

const servers = hostileServers();
afterEach(() => servers.closeAll());

/**
 * A raw TCP server; `behave` gets every accepted socket after a valid 101 (or the raw socket if `handshake` is false).
 */
function rawServer(behave: (socket: import('node:net').Socket) => void, handshake = true): Promise<string> {
  return servers.serve(handshake ? afterUpgrade(behave) : behave);
}

describe('guards', () => {
  it('reports an unreachable server without hanging, and stops connecting to it', async () => {
    const suite = await runSuite({
      url: await refusedUrl(),
      agent: 'down',
      cases: [def('1.1.1'), def('2.1'), def('7.1.1')],
      concurrency: 1,
    });
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
    const url = await rawServer(flood(frame));
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
    const url = await rawServer(flood(burst));
    const r = await runCase(url, def('2.1'));
    expect(r.result).toMatch(/flooded/);
    expect(r.received.length).toBeLessThanOrEqual(10_000);
  });

  it('refuses a 101 with the wrong Sec-WebSocket-Accept', async () => {
    const url = await rawServer((s) => s.write(WRONG_ACCEPT_RESPONSE), false);
    const r = await runCase(url, def('1.1.1'));
    expect(r.connectFailure?.kind).toBe('handshake-rejected');
    expect(r.behaviorClose).toBe('FAILED');
  });

  it('gives up on an endless response head at the parser limit', async () => {
    const url = await rawServer((s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\n');
      const line = Buffer.from(`X-Filler: ${'x'.repeat(100)}\r\n`);
      const timer = setInterval(
        () => (s.destroyed ? clearInterval(timer) : s.write(Buffer.concat(Array(50).fill(line)))),
        5,
      );
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
