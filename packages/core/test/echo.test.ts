import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { Opcode } from '@wsmatrix/protocol';
import { utf8Payload } from '@wsmatrix/protocol/testing';
import { createEchoServer } from '../src/echo.js';
import type { WebSocketServer } from '../src/server.js';
import { RawClient, clientFrame, wsClient } from './helpers.js';

let server: WebSocketServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function start(options?: Parameters<typeof createEchoServer>[0]): Promise<number> {
  server = createEchoServer(options);
  const { port, host } = await server.listen({ port: 0 });
  expect(host).toBe('127.0.0.1');
  expect(port).toBeGreaterThan(0);
  return port;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (data, binary) => resolve({ data: data as Buffer, binary }));
  });
}

describe('echo through a ws client', () => {
  const sizes = [0, 125, 126, 65535, 65536, 16 * 1024 * 1024];

  for (const size of sizes) {
    it(`echoes a ${size}-byte binary message`, async () => {
      const port = await start();
      const ws = await wsClient(port);
      const payload = randomBytes(size);
      const reply = nextMessage(ws);
      ws.send(payload, { binary: true });
      const { data, binary } = await reply;
      expect(binary).toBe(true);
      expect(data.length).toBe(size);
      expect(data.equals(payload)).toBe(true);
      ws.close();
    }, 60_000);

    it(`echoes a ${size}-byte text message`, async () => {
      const port = await start();
      const ws = await wsClient(port);
      const text = utf8Payload(size).toString('utf8');
      expect(Buffer.byteLength(text)).toBe(size);
      const reply = nextMessage(ws);
      ws.send(text);
      const { data, binary } = await reply;
      expect(binary).toBe(false);
      expect(data.toString('utf8')).toBe(text);
      ws.close();
    }, 60_000);
  }

  it('a clean close from the client completes with 1000', async () => {
    const port = await start();
    const ws = await wsClient(port);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.close(1000);
    expect(await closed).toBe(1000);
  });
});

describe('echo through a raw client', () => {
  it('echoes many small messages from one read in order, with fewer writes than messages', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const count = 200;
    const frames: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      frames.push(
        clientFrame({ opcode: i % 2 === 0 ? Opcode.Text : Opcode.Binary, payload: Buffer.from(`message ${i}`) }),
      );
    }
    client.send(frames); // one write
    const got = await client.waitForFrames(count);
    for (let i = 0; i < count; i++) {
      const frame = got[i]!;
      expect(frame.masked).toBe(false);
      expect(frame.fin).toBe(true);
      expect(frame.opcode).toBe(i % 2 === 0 ? Opcode.Text : Opcode.Binary);
      expect(frame.payload.toString()).toBe(`message ${i}`);
    }
    const [conn] = [...server!.connections];
    expect(conn!.messagesReceived).toBe(count);
    expect(conn!.messagesSent).toBe(count);
    expect(conn!.writes).toBeLessThan(count / 4);
    client.destroy();
  });

  it('processes frames pipelined in the same packet as the upgrade request', async () => {
    const port = await start();
    const pipelined = Buffer.concat([
      clientFrame({ opcode: Opcode.Text, payload: Buffer.from('early') }),
      clientFrame({ opcode: Opcode.Binary, payload: Buffer.from([1, 2, 3]) }),
    ]);
    const client = await RawClient.connect(port, { pipelined });
    const got = await client.waitForFrames(2);
    expect(got[0]!.opcode).toBe(Opcode.Text);
    expect(got[0]!.payload.toString()).toBe('early');
    expect(got[1]!.opcode).toBe(Opcode.Binary);
    expect([...got[1]!.payload]).toEqual([1, 2, 3]);
    client.destroy();
  });

  it('echoes a message whose frame arrives one byte per write', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const frame = clientFrame({ opcode: Opcode.Text, payload: Buffer.from('dribbled €') });
    for (const byte of frame) {
      client.send(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    const [echo] = await client.waitForFrames(1);
    expect(echo!.payload.toString()).toBe('dribbled €');
    client.destroy();
  });

  it('echoes a fragmented message as one unfragmented message', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    client.send([
      clientFrame({ opcode: Opcode.Binary, fin: false, payload: Buffer.from('ab') }),
      clientFrame({ opcode: Opcode.Continuation, fin: false, payload: Buffer.alloc(0) }),
      clientFrame({ opcode: Opcode.Continuation, fin: true, payload: Buffer.from('cd') }),
    ]);
    const [echo] = await client.waitForFrames(1);
    expect(echo!.fin).toBe(true);
    expect(echo!.opcode).toBe(Opcode.Binary);
    expect(echo!.payload.toString()).toBe('abcd');
    client.destroy();
  });
});
