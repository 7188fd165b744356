import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DeflateCodec, Opcode, type DeflateParams } from '@wsmatrix/protocol';
import type { WebSocketConnection } from '../src/connection-types.js';
import { createEchoServer } from '../src/echo.js';
import type { WebSocketServer } from '../src/server.js';
import { RawClient, clientFrame, closeCodeOf } from './helpers.js';

let server: WebSocketServer | null = null;
const conns: WebSocketConnection[] = [];

afterEach(async () => {
  await server?.close();
  server = null;
  conns.length = 0;
});

async function start(options: Parameters<typeof createEchoServer>[0] = { perMessageDeflate: true }): Promise<number> {
  server = createEchoServer(options);
  server.on('connection', (c) => conns.push(c));
  return (await server.listen({ port: 0 })).port;
}

const OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits';
const TAKEOVER: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

async function deflateClient(port: number, offer = OFFER) {
  const client = await RawClient.connect(port, { extra: [offer], allowRsv1: true });
  return client;
}

describe('core permessage-deflate: negotiation', () => {
  it('accepts the offer and names it in the 101', async () => {
    const port = await start();
    const client = await deflateClient(port);
    expect(client.head!.headers.get('sec-websocket-extensions')).toBe('permessage-deflate; client_no_context_takeover');
    client.destroy();
  });

  it('declines when compression is off (no extension header, still 101)', async () => {
    const port = await start({});
    const client = await deflateClient(port);
    expect(client.head!.headers.has('sec-websocket-extensions')).toBe(false);
    client.destroy();
  });

  it.each([
    'permessage-deflate; foo',
    'permessage-deflate; server_max_window_bits=8',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=abc',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
  ])('declines "%s" with a 101 without the extension, never 400/500', async (offer) => {
    const port = await start();
    const client = await deflateClient(port, `Sec-WebSocket-Extensions: ${offer}`);
    expect(client.head!.status).toBe(101);
    expect(client.head!.headers.has('sec-websocket-extensions')).toBe(false);
    client.destroy();
  });

  it('falls back to the next offer', async () => {
    const port = await start();
    const client = await deflateClient(
      port,
      'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=8, ' +
        'permessage-deflate; server_max_window_bits=10',
    );
    expect(client.head!.headers.get('sec-websocket-extensions')).toBe('permessage-deflate; server_max_window_bits=10');
    client.destroy();
  });
});

describe('core permessage-deflate: echo', () => {
  it('echoes compressed text and binary through the ws client, with and without context takeover', async () => {
    const port = await start();
    for (const perMessageDeflate of [
      { threshold: 0 },
      { threshold: 0, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9 },
    ]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      expect(ws.extensions).toMatch(/permessage-deflate/);
      const payloads: Array<[Buffer | string, boolean]> = [
        ['hello, compressed world', false],
        [Buffer.alloc(200_000, 'abc'), true],
        ['', false],
        [`${'x'.repeat(70_000)}€`, false],
        [Buffer.from([0, 1, 2, 3]), true],
      ];
      for (const [payload, binary] of payloads) {
        const echoed = new Promise<{ data: Buffer; binary: boolean }>((resolve) =>
          ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, binary: isBinary })),
        );
        ws.send(payload, { binary });
        const got = await echoed;
        expect(got.binary).toBe(binary);
        expect(got.data.equals(Buffer.from(payload))).toBe(true);
      }
      ws.close();
    }
    const c = conns[0]!.compression!;
    expect(c.messagesDecompressed).toBe(5);
    expect(c.messagesCompressed).toBe(5);
    expect(c.bytesAfterCompression).toBeLessThan(c.bytesBeforeCompression);
  });

  it(
    'keeps wire order: a ping and an uncompressed message behind a compressed one ' + 'are answered after its echo',
    async () => {
      const port = await start();
      const client = await deflateClient(port, 'Sec-WebSocket-Extensions: permessage-deflate');
      const codec = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 20 });
      const big = Buffer.alloc(300_000, 'wsmatrix ');
      client.send([
        client_rsv1(Opcode.Binary, codec.compressSync(big)),
        plain(Opcode.Ping, Buffer.from('p')),
        plain(Opcode.Text, Buffer.from('after')),
      ]);
      const frames = await client.waitForFrames(3);
      expect(frames.map((f) => [f.opcode, f.rsv1])).toEqual([
        [Opcode.Binary, true],
        [Opcode.Pong, false],
        [Opcode.Text, true],
      ]);
      const inflater = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 20 });
      expect(inflater.decompressSync(frames[0]!.payload).equals(big)).toBe(true);
      expect(inflater.decompressSync(frames[2]!.payload).toString()).toBe('after');
      client.destroy();
    },
  );
});

function client_rsv1(opcode: number, payload: Buffer, fin = true) {
  return encode(opcode, payload, fin, true);
}
function plain(opcode: number, payload: Buffer, fin = true) {
  return encode(opcode, payload, fin, false);
}
function encode(opcode: number, payload: Buffer, fin: boolean, rsv1: boolean) {
  return clientFrame({ opcode, payload, fin, rsv1 });
}

describe('core permessage-deflate: protocol errors and limits', () => {
  it('RSV1 on a continuation frame → 1002', async () => {
    const port = await start();
    const client = await deflateClient(port);
    client.send([
      client_rsv1(Opcode.Text, Buffer.from([0x00]), false),
      client_rsv1(Opcode.Continuation, Buffer.from([0x00])),
    ]);
    expect(closeCodeOf(await client.waitForClose())).toBe(1002);
    client.destroy();
  });

  it('RSV1 on a ping → 1002; RSV1 without negotiation → 1002', async () => {
    let port = await start();
    let client = await deflateClient(port);
    client.send(client_rsv1(Opcode.Ping, Buffer.alloc(0)));
    expect(closeCodeOf(await client.waitForClose())).toBe(1002);
    client.destroy();
    await server!.close();
    port = await start({});
    client = await deflateClient(port);
    client.send(client_rsv1(Opcode.Text, Buffer.from([0x00])));
    expect(closeCodeOf(await client.waitForClose())).toBe(1002);
    client.destroy();
  });

  it('corrupt deflate data → 1007', async () => {
    const port = await start();
    const client = await deflateClient(port);
    client.send(client_rsv1(Opcode.Binary, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    expect(closeCodeOf(await client.waitForClose())).toBe(1007);
    client.destroy();
  });

  it('inflated text that is not UTF-8 → 1007', async () => {
    const port = await start();
    const client = await deflateClient(port);
    const codec = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 20 });
    client.send(client_rsv1(Opcode.Text, codec.compressSync(Buffer.from([0x61, 0xff, 0x62]))));
    expect(closeCodeOf(await client.waitForClose())).toBe(1007);
    client.destroy();
  });

  it('decompression bomb: 64 MiB of zeros in ~64 KiB → 1009, inflated bytes never past the limit', async () => {
    const limit = 1 << 20;
    const port = await start({ perMessageDeflate: true, maxMessageSize: limit });
    const client = await deflateClient(port, 'Sec-WebSocket-Extensions: permessage-deflate');
    const bomb = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 30 }).compressSync(
      Buffer.alloc(64 << 20),
    );
    expect(bomb.length).toBeLessThan(limit);
    const before = process.memoryUsage().arrayBuffers;
    client.send(client_rsv1(Opcode.Binary, bomb));
    const close = await client.waitForClose(5000);
    expect(closeCodeOf(close)).toBe(1009);
    const counters = conns[0]!.compression!;
    expect(counters.inflateLimitHits).toBe(1);
    expect(counters.inflatedBytes).toBe(0);
    expect(counters.largestInflatedMessage).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 << 20);
    // Nothing was echoed before the Close.
    expect(client.frames.filter((f) => f.opcode !== Opcode.Close)).toHaveLength(0);
    client.destroy();
  });

  it('the same bomb as 200 small messages with context takeover: each one is capped on its own', async () => {
    const limit = 256 * 1024;
    const port = await start({ perMessageDeflate: true, maxMessageSize: limit });
    const client = await deflateClient(port, 'Sec-WebSocket-Extensions: permessage-deflate');
    const codec = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 30 });
    const frames: Buffer[] = [];
    for (let i = 0; i < 200; i++) frames.push(client_rsv1(Opcode.Binary, codec.compressSync(Buffer.alloc(limit))));
    frames.push(client_rsv1(Opcode.Binary, codec.compressSync(Buffer.alloc(limit + 1))));
    client.send(frames);
    const close = await client.waitForClose(10_000);
    expect(closeCodeOf(close)).toBe(1009);
    const counters = conns[0]!.compression!;
    expect(counters.messagesDecompressed).toBe(200);
    expect(counters.largestInflatedMessage).toBe(limit);
    expect(counters.inflateLimitHits).toBe(1);
    client.destroy();
  });

  it('bounds concurrent zlib work across connections', async () => {
    const port = await start({ perMessageDeflate: { concurrency: 2 } });
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => deflateClient(port, 'Sec-WebSocket-Extensions: permessage-deflate')),
    );
    for (const client of clients) {
      const codec = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 24 });
      client.send([1, 2, 3].map((i) => client_rsv1(Opcode.Binary, codec.compressSync(Buffer.alloc(100_000, i)))));
    }
    await Promise.all(clients.map((c) => c.waitForFrames(3, 10_000)));
    expect(server!.zlibLimiter!.peakActive).toBe(2);
    expect(server!.zlibLimiter!.completed).toBe(20 * 3 * 2);
    for (const c of clients) c.destroy();
  });
});
