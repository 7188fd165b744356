/**
 * What the runner itself does in groups 12/13, seen from the server's side of the wire and from the wire
 * log: its messages are real deflate streams (Huffman-coded blocks that refer back into earlier messages,
 * not stored blocks), and while the case switches the wire log off no log previews are built, though every
 * statistic the report shows is still counted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { constants, inflateRawSync } from 'node:zlib';
import { WebSocketServer } from 'ws';
import { caseById } from '@wsmatrix/cases';
import {
  DeflateCodec,
  MessageReader,
  Opcode,
  buildUpgradeResponse,
  encodeClosePayload,
  encodeFrame,
} from '@wsmatrix/protocol';
import { CompressedStreams, compressedStreams } from '../src/compressed-streams.js';
import { runCase } from '../src/run-case.js';

// The preview functions, counted: every wire log entry with data builds one.
vi.mock('../src/wire-log.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/wire-log.js')>();
  return { ...original, hexPreview: vi.fn(original.hexPreview), textPreview: vi.fn(original.textPreview) };
});
const wireLog = await import('../src/wire-log.js');

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

const TAKEOVER = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

let closeServer: (() => Promise<void>) | null = null;
const defaultBudget = compressedStreams.budgetBytes;
afterEach(async () => {
  await closeServer?.();
  closeServer = null;
  compressedStreams.budgetBytes = defaultBudget;
});

/**
 * A small echo server that accepts permessage-deflate with no parameters, so the runner compresses with
 * context takeover, and keeps the first `keep` compressed messages as they came and as they inflate. It
 * echoes uncompressed (RFC 7692 lets either end send a message uncompressed).
 */
async function capturingEchoServer(keep: number): Promise<{ url: string; compressed: Buffer[]; plain: Buffer[] }> {
  const compressed: Buffer[] = [];
  const plain: Buffer[] = [];
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  server.on('upgrade', (req, socket: net.Socket) => {
    socket.on('error', () => undefined);
    const key = String(req.headers['sec-websocket-key']);
    socket.write(buildUpgradeResponse({ key, extensions: 'permessage-deflate' }));
    const codec = new DeflateCodec({ role: 'server', params: TAKEOVER, maxMessageSize: 1 << 24 });
    const reader = new MessageReader(
      { role: 'server', perMessageDeflate: true, maxMessageSize: 1 << 24 },
      {
        onMessage: (data, binary, isCompressed) => {
          const message = isCompressed ? codec.decompressSync(data) : data;
          if (isCompressed && compressed.length < keep) {
            compressed.push(Buffer.from(data));
            plain.push(Buffer.from(message));
          }
          socket.write(encodeFrame({ opcode: binary ? Opcode.Binary : Opcode.Text, payload: message }));
        },
        onPing: () => undefined,
        onPong: () => undefined,
        onClose: (code) => socket.end(encodeFrame({ opcode: Opcode.Close, payload: encodeClosePayload(code) })),
      },
    );
    socket.on('data', (chunk: Buffer) => {
      if (reader.push(chunk)) socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, compressed, plain };
}

/** An echo server of the ws library with permessage-deflate (it accepts the runner's offer as made). */
async function wsEchoServer(): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  await new Promise((resolve) => server.on('listening', resolve));
  server.on('connection', (ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("the runner's compressed messages", () => {
  it('are Huffman-coded deflate (not stored blocks) and refer back into earlier messages', async () => {
    const kept = 20;
    const { url, compressed, plain } = await capturingEchoServer(kept);
    // 12.1.5: JSON, 4096 characters per message, context takeover.
    const r = await runCase(url, caseById('12.1.5')!);
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    expect(r.httpResponse).toContain('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    expect(compressed).toHaveLength(kept);
    expect(plain).toHaveLength(kept);
    let needHistory = 0;
    for (let k = 0; k < kept; k++) {
      // The first block's header: BFINAL is bit 0, BTYPE bits 1-2 (01 fixed, 10 dynamic Huffman, 00 stored).
      const btype = (compressed[k]![0]! >> 1) & 3;
      expect([k, btype === 1 || btype === 2]).toEqual([k, true]);
      const history = Buffer.concat(plain.slice(0, k)).subarray(-32768);
      const input = Buffer.concat([compressed[k]!, TAIL]);
      const withHistory = inflateRawSync(input, {
        finishFlush: constants.Z_SYNC_FLUSH,
        ...(history.length > 0 ? { dictionary: history } : {}),
      });
      expect(withHistory.equals(plain[k]!)).toBe(true);
      if (k === 0) continue;
      let alone: Buffer | null;
      try {
        alone = inflateRawSync(input, { finishFlush: constants.Z_SYNC_FLUSH });
      } catch {
        alone = null;
      }
      if (alone === null || !alone.equals(plain[k]!)) needHistory++;
    }
    // Back-references into the earlier messages (context takeover): most messages do not inflate alone.
    expect(needHistory).toBeGreaterThan((kept - 1) / 2);
  }, 60_000);
});

describe('the wire log while a compressed-echo case has it off', () => {
  it('builds no previews for the messages, yet counts every frame and write', async () => {
    const url = await wsEchoServer();
    const hex = vi.mocked(wireLog.hexPreview);
    const text = vi.mocked(wireLog.textPreview);
    hex.mockClear();
    text.mockClear();
    // 12.1.3: 1000 messages of 256 characters, one frame each way per message.
    const r = await runCase(url, caseById('12.1.3')!);
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    // With the log on, every message costs a preview for its frame, its write and its echo's read.
    expect(hex.mock.calls.length + text.mock.calls.length).toBeLessThan(100);
    expect(r.wirelog.filter((e) => e[0] === 'WLM')).toEqual([
      ['WLM', false],
      ['WLM', true],
    ]);
    // The statistics the report shows are still exact.
    expect(r.txFrameStats[1]).toBe(1000);
    expect(r.rxFrameStats[1]).toBe(1000);
    const writes = Object.values(r.txOctetStats).reduce((a, b) => a + b, 0);
    expect(writes).toBeGreaterThanOrEqual(1001);
    const reads = Object.values(r.rxOctetStats).reduce((a, b) => a + b, 0);
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(r.trafficStats!.outgoingWebSocketFrames).toBe(1000);
    expect(r.trafficStats!.incomingWebSocketFrames).toBe(1000);
  }, 60_000);
});

describe('compressed streams kept for the next case', () => {
  it('a case sends the very bytes an earlier one compressed, whole or as a kept prefix', async () => {
    // 12.1.6 (JSON, 8192 characters, one frame per message) and 12.1.11 (the same in 256-octet frames):
    // the same messages, so the same compressed stream.
    const first = await capturingEchoServer(Number.POSITIVE_INFINITY);
    compressedStreams.clear();
    const before = { hits: compressedStreams.hits, misses: compressedStreams.misses };
    const r1 = await runCase(first.url, caseById('12.1.6')!);
    expect([r1.behavior, r1.behaviorClose]).toEqual(['OK', 'OK']);
    expect(compressedStreams.misses - before.misses).toBe(1000);
    expect(compressedStreams.hits - before.hits).toBe(0);
    await closeServer?.();

    const second = await capturingEchoServer(Number.POSITIVE_INFINITY);
    const r2 = await runCase(second.url, caseById('12.1.11')!);
    expect([r2.behavior, r2.behaviorClose]).toEqual(['OK', 'OK']);
    expect(compressedStreams.hits - before.hits).toBe(1000);
    expect(second.compressed.map((c, i) => c.equals(first.compressed[i]!))).toEqual(first.compressed.map(() => true));
    await closeServer?.();

    // A budget that holds only part of the stream: the rest is compressed afresh, after the kept
    // messages' history, into the same bytes again.
    compressedStreams.clear();
    compressedStreams.budgetBytes = Math.floor(first.compressed.slice(0, 300).reduce((n, c) => n + c.length, 0));
    const third = await capturingEchoServer(Number.POSITIVE_INFINITY);
    expect((await runCase(third.url, caseById('12.1.6')!)).behavior).toBe('OK');
    await closeServer?.();
    const fourth = await capturingEchoServer(Number.POSITIVE_INFINITY);
    const hitsBefore = compressedStreams.hits;
    const r4 = await runCase(fourth.url, caseById('12.1.6')!);
    expect([r4.behavior, r4.behaviorClose]).toEqual(['OK', 'OK']);
    expect(compressedStreams.hits - hitsBefore).toBe(300);
    expect(fourth.compressed.map((c, i) => c.equals(first.compressed[i]!))).toEqual(first.compressed.map(() => true));
  }, 120_000);

  it('stays within its budget, dropping the least recently used streams', () => {
    const streams = new CompressedStreams(100);
    const m = (n: number) => Buffer.alloc(n, 1);
    for (let i = 0; i < 4; i++) streams.keep('a', i, m(10));
    for (let i = 0; i < 4; i++) streams.keep('b', i, m(10));
    expect(streams.heldBytes).toBe(80);
    expect(streams.lookup('a', 3)).toEqual(m(10));
    // 'b' is now the least recently used: it goes when 'c' needs room.
    for (let i = 0; i < 4; i++) streams.keep('c', i, m(10));
    expect(streams.lookup('b', 0)).toBeNull();
    expect(streams.lookup('a', 0)).toEqual(m(10));
    expect(streams.heldBytes).toBe(80);
    // Only the next message of a stream is kept, and a stream starts at message 0.
    streams.keep('c', 9, m(10));
    streams.keep('d', 1, m(10));
    expect([streams.lookup('c', 9), streams.lookup('d', 1)]).toEqual([null, null]);
    // A message larger than the budget is never kept, and takes nothing else with it.
    streams.keep('e', 0, m(101));
    expect(streams.lookup('e', 0)).toBeNull();
    expect(streams.lookup('a', 3)).toEqual(m(10));
    expect(streams.heldBytes).toBeLessThanOrEqual(100);
  });
});
