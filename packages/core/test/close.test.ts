import { afterEach, describe, expect, it, vi } from 'vitest';
import { Opcode } from '@wsmatrix/protocol';
import { closeReplyCode } from '../src/close-frame.js';
import type { WebSocketConnection } from '../src/connection-types.js';
import { createEchoServer } from '../src/echo.js';
import type { ServerOptions } from '../src/options.js';
import { WebSocketServer } from '../src/server.js';
import { RawClient, clientFrame, closeCodeOf, closePayload } from './helpers.js';

let server: WebSocketServer | null = null;

afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = null;
});

/**
 * A linger far beyond any test's timeout unless a test sets its own: an end or close the client sees
 * then comes from the close handshake itself, never from the linger timer, whatever the machine's load.
 */
async function start(options?: ServerOptions): Promise<number> {
  server = createEchoServer({ closeLingerMs: 600_000, ...options });
  return (await server.listen()).port;
}

function onlyConnection(): WebSocketConnection {
  const conns = [...server!.connections];
  expect(conns).toHaveLength(1);
  return conns[0]!;
}

describe('ping and fragments', () => {
  it('answers a ping interleaved in a fragmented message, then echoes the whole message', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    client.sendFrame({ opcode: Opcode.Text, fin: false, payload: Buffer.from('Hello, ') });
    client.sendFrame({ opcode: Opcode.Ping, payload: Buffer.from('are you there?') });
    client.sendFrame({ opcode: Opcode.Continuation, fin: false, payload: Buffer.from('wor') });
    client.sendFrame({ opcode: Opcode.Pong, payload: Buffer.from('unsolicited') });
    client.sendFrame({ opcode: Opcode.Continuation, fin: true, payload: Buffer.from('ld €') });
    // A fence: frames are answered in order, so anything said about the unsolicited pong comes before this pong.
    client.sendFrame({ opcode: Opcode.Ping, payload: Buffer.from('fence') });
    const frames = await client.waitForFrames(3);
    expect(frames[0]!.opcode).toBe(Opcode.Pong);
    expect(frames[0]!.payload.toString()).toBe('are you there?');
    expect(frames[1]!.opcode).toBe(Opcode.Text);
    expect(frames[1]!.payload.toString()).toBe('Hello, world €');
    // The unsolicited pong is not answered: the next frame is the fence's pong.
    expect(frames[2]!.opcode).toBe(Opcode.Pong);
    expect(frames[2]!.payload.toString()).toBe('fence');
    expect(frames).toHaveLength(3);
    client.destroy();
  });

  it('answers each of 10 pings sent in one write with a pong carrying the same payload', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const pings = Array.from({ length: 10 }, (_, i) => Buffer.from(`ping-${i}`));
    client.send(pings.map((payload) => clientFrame({ opcode: Opcode.Ping, payload })));
    const frames = await client.waitForFrames(10);
    expect(frames.map((f) => f.opcode)).toEqual(Array(10).fill(Opcode.Pong));
    expect(frames.map((f) => f.payload.toString())).toEqual(pings.map((p) => p.toString()));
    expect(onlyConnection().pongsCoalesced).toBe(0);
    client.destroy();
  });

  it('sends a ping from the API and reports the pong', async () => {
    const pongs: string[] = [];
    server = new WebSocketServer({ handler: { onPong: (_c, data) => pongs.push(data.toString()) } });
    const { port } = await server.listen();
    const client = await RawClient.connect(port);
    const conn = onlyConnection();
    expect(conn.ping('hi')).toBe(true);
    expect(() => conn.ping(Buffer.alloc(126))).toThrow(RangeError);
    const [ping] = await client.waitForFrames(1);
    expect(ping!.opcode).toBe(Opcode.Ping);
    expect(ping!.payload.toString()).toBe('hi');
    client.sendFrame({ opcode: Opcode.Pong, payload: Buffer.from('hi') });
    await client.waitFor(() => pongs.length === 1, 1000, 'the pong callback');
    expect(pongs).toEqual(['hi']);
    client.destroy();
  });
});

describe('client-initiated close', () => {
  for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 1012, 1014, 3000, 3999, 4000, 4999]) {
    it(`echoes close code ${code} and the server ends TCP at once, not when the linger timer fires`, async () => {
      const closes: Array<[number, string]> = [];
      // A linger far beyond the test's timeout: an end that arrives at all was sent at once.
      server = createEchoServer({ handler: {}, closeLingerMs: 600_000 });
      server.on('connection', (conn) => {
        conn.handler = { ...conn.handler, onClose: (_c, c, r) => closes.push([c, r]) };
      });
      const { port } = await server.listen();
      const client = await RawClient.connect(port);
      client.sendFrame({ opcode: Opcode.Close, payload: closePayload(code, 'bye') });
      const reply = await client.waitForClose(10_000);
      expect(closeCodeOf(reply)).toBe(code);
      await client.waitForEnd(10_000);
      await client.waitForSocketClose(10_000);
      await client.waitFor(() => closes.length === 1, 10_000, 'onClose');
      expect(closes).toEqual([[code, 'bye']]);
    });
  }

  it('answers 1010 with 1000', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    client.sendFrame({ opcode: Opcode.Close, payload: closePayload(1010) });
    const reply = await client.waitForClose();
    expect(closeCodeOf(reply)).toBe(1000);
    await client.waitForEnd(1000);
  });

  it('answers an empty close with an empty close', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    client.sendFrame({ opcode: Opcode.Close });
    const reply = await client.waitForClose();
    expect(reply.payload.length).toBe(0);
    await client.waitForEnd(1000);
  });

  it('sends nothing after its Close: frames behind the peer Close are not echoed', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    client.send([
      clientFrame({ opcode: Opcode.Text, payload: Buffer.from('before') }),
      clientFrame({ opcode: Opcode.Close, payload: closePayload(1000) }),
      clientFrame({ opcode: Opcode.Text, payload: Buffer.from('after') }),
      clientFrame({ opcode: Opcode.Ping, payload: Buffer.from('after') }),
    ]);
    await client.waitForSocketClose(1500);
    expect(client.frames.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Close]);
    expect(client.frames[0]!.payload.toString()).toBe('before');
  });

  it('destroys the socket after closeLingerMs when the peer never closes its side', async () => {
    const port = await start({ closeLingerMs: 150 });
    const client = await RawClient.connect(port);
    // allowHalfOpen is false on the client, so Node would end our side on FIN; keep it open instead.
    client.socket.allowHalfOpen = true;
    client.sendFrame({ opcode: Opcode.Close, payload: closePayload(1000) });
    await client.waitForClose();
    await client.waitForEnd(1000);
    // The client holds its half open, so only the server side can see the destroy.
    const conn = [...server!.connections][0]!;
    await client.waitFor(() => server!.connections.size === 0, 1000, 'the server to destroy the socket');
    expect(conn.readyState).toBe('closed');
  });

  it('closeReplyCode maps 1010 and unsendable codes to 1000', () => {
    expect(closeReplyCode(1010)).toBe(1000);
    expect(closeReplyCode(1005)).toBe(1000);
    expect(closeReplyCode(1006)).toBe(1000);
    expect(closeReplyCode(1015)).toBe(1000);
    expect(closeReplyCode(4321)).toBe(4321);
    expect(closeReplyCode(1001)).toBe(1001);
  });
});

describe('server-initiated close', () => {
  it('sends the Close, rejects later sends, and ends TCP once the peer answers', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const conn = onlyConnection();
    conn.close(4000, 'done');
    expect(conn.readyState).toBe('closing');
    expect(conn.send('too late')).toBe(false);
    expect(conn.ping()).toBe(false);
    const close = await client.waitForClose();
    expect(closeCodeOf(close)).toBe(4000);
    expect(close.payload.subarray(2).toString()).toBe('done');
    expect(client.frames).toHaveLength(1);
    client.sendFrame({ opcode: Opcode.Close, payload: closePayload(1000) });
    await client.waitForEnd(1000);
    await client.waitForSocketClose(1500);
    await client.waitFor(() => conn.readyState === 'closed', 1000, 'the server socket to close');
  });

  it('destroys the socket when the peer never answers within closeTimeoutMs', async () => {
    const port = await start({ closeTimeoutMs: 200 });
    const client = await RawClient.connect(port);
    const conn = onlyConnection();
    conn.close();
    await client.waitForClose();
    await client.waitForSocketClose(2000);
    await client.waitFor(() => conn.readyState === 'closed', 1000, 'the server socket to close');
  });

  it('refuses close codes a server must not send', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const conn = onlyConnection();
    for (const code of [0, 999, 1004, 1005, 1006, 1010, 1015, 1016, 2999, 5000]) {
      expect(() => conn.close(code)).toThrow(RangeError);
    }
    expect(() => conn.close(1000, 'x'.repeat(124))).toThrow(RangeError);
    expect(conn.readyState).toBe('open');
    client.destroy();
  });

  it('closes an idle connection with 1001 after idleTimeoutMs', async () => {
    const port = await start({ idleTimeoutMs: 200 });
    const client = await RawClient.connect(port);
    const close = await client.waitForClose(3000);
    expect(closeCodeOf(close)).toBe(1001);
    client.sendFrame({ opcode: Opcode.Close, payload: closePayload(1000) });
    await client.waitForEnd(1000);
  });
});

describe('server close()', () => {
  it('sends 1001 to open connections and resolves once they are gone', async () => {
    // A grace far beyond the test's timeout: close() resolving at all means the peers' answers ended it.
    const port = await start({ shutdownGraceMs: 600_000 });
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    expect(server!.connections.size).toBe(2);
    const closing = server!.close();
    for (const c of [a, b]) {
      const frame = await c.waitForClose();
      expect(closeCodeOf(frame)).toBe(1001);
      c.sendFrame({ opcode: Opcode.Close, payload: closePayload(1000) });
    }
    await closing;
    expect(server!.connections.size).toBe(0);
  }, 60_000);

  it('destroys silent connections after the grace and resolves', async () => {
    const port = await start({ shutdownGraceMs: 150 });
    const a = await RawClient.connect(port);
    a.socket.allowHalfOpen = true;
    // The grace period runs on a fake clock: it passes only when the test advances it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let resolved = false;
    const closing = server!.close().then(() => (resolved = true));
    expect(closeCodeOf(await a.waitForClose())).toBe(1001);
    await a.waitFor(() => server!.connections.size === 1 && a.frames.length === 1, 10_000, 'the 1001 to be out');
    vi.advanceTimersByTime(149);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    // The silent connection is still within its grace: close() has not resolved.
    expect(resolved).toBe(false);
    expect(server!.connections.size).toBe(1);
    vi.advanceTimersByTime(1);
    await closing;
    expect(server!.connections.size).toBe(0);
    vi.useRealTimers();
    await a.waitForEnd(10_000);
    await expect(server!.listen()).rejects.toThrow();
  });

  it('resolves with no connections and refuses new ones', async () => {
    const port = await start();
    await server!.close();
    await expect(RawClient.connect(port)).rejects.toThrow();
  });
});
