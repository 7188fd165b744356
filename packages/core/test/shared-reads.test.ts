import { createServer } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Opcode } from '@wsmatrix/protocol';
import { patterned } from '@wsmatrix/protocol/testing';
import type { WebSocketConnection } from '../src/connection-types.js';
import { createEchoServer } from '../src/echo.js';
import { WebSocketServer } from '../src/server.js';
import { adoptAcceptedSockets } from '../src/shared-reads.js';
import { socketLayerFromEnv } from '../src/socket-layer.js';
import { RawClient, clientFrame, wsClient } from './helpers.js';

let server: WebSocketServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/**
 * The opt-in layers that read into the shared buffer: 'bare' when the suite runs on it, else
 * 'shared-reads' (also in the suite's 'net' run, so shared reads are covered there too).
 */
const layer = socketLayerFromEnv() === 'bare' ? 'bare' : 'shared-reads';

describe(`the '${layer}' layer reads every socket into one shared buffer`, () => {
  it('messages kept by the handler are not overwritten by later reads of other sockets', async () => {
    // The handler keeps every message and answers only at the end, so anything still pointing into
    // the shared read buffer would by then hold bytes of later reads.
    const kept: Buffer[] = [];
    server = new WebSocketServer({
      socketLayer: layer,
      maxMessageSize: 8 << 20,
      handler: {
        onMessage(conn: WebSocketConnection, data: Buffer) {
          kept.push(data);
          if (kept.length === 12) for (const k of kept) conn.send(k, true);
        },
      },
    });
    const { port } = await server.listen();
    expect(server.socketLayer).toBe(layer);
    const sizes = [10, 70_000, 1 << 20, 3 << 20, 200, 600_000];
    const clients = await Promise.all([wsClient(port), wsClient(port)]);
    const sent: Buffer[] = [];
    clients.forEach((ws, c) => {
      sizes.forEach((size, i) => {
        const payload = patterned(size, c * 10 + i);
        sent.push(payload);
        ws.send(payload, { binary: true });
      });
    });
    const echoed: Buffer[] = [];
    await new Promise<void>((resolve) => {
      // Both clients' messages come back on the connection that sent the twelfth.
      for (const ws of clients) {
        ws.on('message', (data) => {
          echoed.push(data as Buffer);
          if (echoed.length === 12) resolve();
        });
      }
    });
    const key = (b: Buffer): string =>
      `${b.length}:${b.subarray(0, 64).toString('hex')}:${b.subarray(-64).toString('hex')}`;
    expect(kept.map(key).sort()).toEqual(sent.map(key).sort());
    for (const b of kept) expect(sent.some((s) => s.equals(b))).toBe(true);
    for (const b of echoed) expect(sent.some((s) => s.equals(b))).toBe(true);
    for (const ws of clients) ws.terminate();
  }, 60_000);

  it('pings, fragments and a pipelined message after the head survive reuse of the buffer', async () => {
    const seen: string[] = [];
    server = new WebSocketServer({
      socketLayer: layer,
      handler: {
        onMessage: (conn, data, binary) => {
          seen.push(data.toString());
          conn.send(data, binary);
        },
        onPing: (_conn, data) => void seen.push(`ping:${data.toString()}`),
      },
    });
    const { port } = await server.listen();
    expect(server.socketLayer).toBe(layer);
    const pipelined = clientFrame({ opcode: Opcode.Text, payload: Buffer.from('first') });
    const client = await RawClient.connect(port, { pipelined });
    client.send([
      clientFrame({ opcode: Opcode.Text, fin: false, payload: Buffer.from('frag-') }),
      clientFrame({ opcode: Opcode.Ping, payload: Buffer.from('p1') }),
    ]);
    await client.waitForFrames(2);
    client.send(clientFrame({ opcode: Opcode.Continuation, payload: Buffer.from('mented') }));
    const frames = await client.waitForFrames(3);
    expect(frames.map((f) => `${f.opcode}:${f.payload.toString()}`)).toEqual(['1:first', '10:p1', '1:frag-mented']);
    expect(seen).toEqual(['first', 'ping:p1', 'frag-mented']);
    client.destroy();
  });

  it("a net.Server without the accept internals is not adopted (the caller falls back to 'net')", () => {
    const fake = { _handle: {} } as unknown as NetServer;
    expect(adoptAcceptedSockets(fake, Buffer.alloc(16), () => {})).toBe(false);
    expect(adoptAcceptedSockets({} as NetServer, Buffer.alloc(16), () => {})).toBe(false);
  });

  it('attach mode keeps node:http sockets and their own reads', async () => {
    const http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server = createEchoServer();
    server.attach(http);
    const port = (http.address() as { port: number }).port;
    const ws = await wsClient(port);
    const payload = patterned(300_000, 3);
    const reply = new Promise<Buffer>((resolve) => ws.once('message', (d) => resolve(d as Buffer)));
    ws.send(payload);
    expect((await reply).equals(payload)).toBe(true);
    ws.terminate();
    await server.close();
    server = null;
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});
