/**
 * The request head as the server reads it: off the raw socket in own-server mode (RequestHeadReader),
 * or from node:http in attach mode (requestFromNode), under the same limits and statuses.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from '../src/server.js';
import { RequestHeadReader, type RequestHeadOutcome, type RequestLimits } from '../src/request-head.js';
import {
  RawClient,
  SAMPLE_ACCEPT,
  SAMPLE_KEY,
  echoServerFixture,
  openSocket,
  parseHead,
  rawExchange,
  upgradeRequest,
} from './helpers.js';

const LIMITS: RequestLimits = {
  maxHeaderSize: 16384,
  maxHeaderCount: 100,
  maxHeaderLineSize: 8192,
  maxUrlLength: 8192,
};

/** Feeds `text` in pieces of `step` bytes; the outcome and after how many bytes it came. */
function read(text: string, step = text.length, limits = LIMITS): { outcome: RequestHeadOutcome | null; at: number } {
  const bytes = Buffer.from(text, 'latin1');
  const reader = new RequestHeadReader(limits);
  for (let at = 0; at < bytes.length; at += step) {
    const outcome = reader.push(bytes.subarray(at, at + step));
    if (outcome !== null) return { outcome, at: Math.min(at + step, bytes.length) };
  }
  return { outcome: null, at: bytes.length };
}

const head = (first: string, ...headers: string[]): string => `${[first, 'Host: a', ...headers].join('\r\n')}\r\n\r\n`;

describe('RequestHeadReader', () => {
  it('returns the request once the blank line arrives, however it is chopped, with the bytes after it', () => {
    const text = `${upgradeRequest(80, '/chat?x=1')}\x81\x80abcd`;
    for (const step of [1, 2, 7, text.length]) {
      const { outcome } = read(text, step);
      expect(outcome?.ok).toBe(true);
      if (!outcome?.ok) continue;
      expect([outcome.request.method, outcome.request.url, outcome.request.httpVersion]).toEqual([
        'GET',
        '/chat?x=1',
        '1.1',
      ]);
      expect(outcome.request.headers.get('sec-websocket-key')).toBe(SAMPLE_KEY);
      // The pipelined frame is handed on only when it came in the push that ended the head.
      if (step === text.length) expect(outcome.rest).toEqual(Buffer.from('\x81\x80abcd', 'latin1'));
    }
  });
  it('waits while the head is incomplete', () => {
    expect(read('GET / HTTP/1.1\r\nHost: a\r\n').outcome).toBeNull();
  });
  it('refuses an unknown method with 501 and a known non-GET one later (not here)', () => {
    expect(read(head('get / HTTP/1.1')).outcome).toMatchObject({ ok: false, status: 501, method: 'get' });
    expect(read(head('FOO / HTTP/1.1')).outcome).toMatchObject({ ok: false, status: 501 });
    expect(read(head('POST / HTTP/1.1')).outcome).toMatchObject({ ok: true });
  });
  it('HTTP/1.2 and HTTP/2.0 → 505, HTTP/1.0 passes to the handshake rules', () => {
    expect(read(head('GET / HTTP/1.2')).outcome).toMatchObject({ ok: false, status: 505 });
    expect(read(head('GET / HTTP/2.0')).outcome).toMatchObject({ ok: false, status: 505 });
    expect(read(head('GET / HTTP/1.0')).outcome).toMatchObject({ ok: true });
  });
  it('a long target → 414, a long header line → 431, too many headers → 431, as the bytes arrive', () => {
    expect(read(head(`GET /${'a'.repeat(8200)} HTTP/1.1`)).outcome).toMatchObject({ ok: false, status: 414 });
    expect(read(head('GET / HTTP/1.1', `X: ${'b'.repeat(8200)}`)).outcome).toMatchObject({ ok: false, status: 431 });
    const many = Array.from({ length: 100 }, (_, i) => `X-${i}: 1`);
    expect(read(head('GET / HTTP/1.1', ...many)).outcome).toMatchObject({ ok: false, status: 431 });
    // The head limit fires before the blank line: a head that never ends cannot grow past it.
    const endless = `GET / HTTP/1.1\r\n${'X: yyyyyyyy\r\n'.repeat(2000)}`;
    const { outcome, at } = read(endless, 512);
    expect(outcome).toMatchObject({ ok: false, status: 431 });
    expect(at).toBeLessThanOrEqual(LIMITS.maxHeaderSize + 512);
  });
  it('a bare LF or obs-fold → 400', () => {
    expect(read('GET / HTTP/1.1\nHost: a\r\n\r\n').outcome).toMatchObject({ ok: false, status: 400 });
    expect(read(head('GET / HTTP/1.1', 'X: a', ' folded')).outcome).toMatchObject({ ok: false, status: 400 });
  });
});

describe('own-server mode over the wire', () => {
  const fixture = echoServerFixture();
  it('a HEAD request gets its 405 head without a body', async () => {
    const port = await fixture.start();
    const r = await rawExchange(port, head('HEAD / HTTP/1.1'));
    const parsed = parseHead(r.text);
    expect([parsed.status, parsed.headers.get('allow'), r.closedByServer]).toEqual([405, 'GET', true]);
    expect(Number(parsed.headers.get('content-length'))).toBeGreaterThan(0);
    expect(r.text.endsWith('\r\n\r\n')).toBe(true);
  });
  it('HTTP/1.2 → 505 and a peer that ends its side mid-head gets nothing', async () => {
    const port = await fixture.start();
    expect(parseHead((await rawExchange(port, head('GET / HTTP/1.2'))).text).status).toBe(505);
    const socket = await openSocket(port);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.end('GET / HTTP/1.1\r\nHost: a\r\n');
    await closed;
    expect(received).toBe(0);
    expect(fixture.server!.pendingHandshakes).toBe(0);
  });
});

describe('attach mode (node:http)', () => {
  it('upgrades on the attached server, same checks, and leaves its plain requests alone', async () => {
    const http = createServer((_req, res) => res.end('plain'));
    const wss = new WebSocketServer({ handler: { onMessage: (c, d, b) => c.send(d, b) } }).attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as AddressInfo).port;
    try {
      const ok = await RawClient.connect(port);
      expect([ok.head!.status, ok.head!.headers.get('sec-websocket-accept')]).toEqual([101, SAMPLE_ACCEPT]);
      ok.socket.destroy();
      const bad = await rawExchange(
        port,
        upgradeRequest(port).replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'),
      );
      expect(parseHead(bad.text).status).toBe(426);
      const plain = await rawExchange(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
      expect(plain.text).toMatch(/^HTTP\/1\.1 200 [\s\S]*plain$/);
    } finally {
      await wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});
