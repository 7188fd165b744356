/**
 * Attack series: slow and greedy peers (B1-B3), with tiny limits so the bounds are reached quickly.
 * Assertions are on the connection's counters (queued output, pauses, coalesced pongs), not on time.
 */
import { describe, expect, it } from 'vitest';
import { Opcode } from '@wsmatrix/protocol';
import type { WebSocketConnection } from '../src/connection-types.js';
import { RawClient, clientFrame, closeCodeOf, echoServerFixture } from './helpers.js';

const fixture = echoServerFixture();
const start = fixture.start;
const KiB = 1024;
const LIMITS = { highWaterMark: 64 * KiB, lowWaterMark: 16 * KiB, stallTimeoutMs: 300 } as const;

/** Connects, stops reading on the client side, and returns the server's side of the connection. */
async function greedyClient(port: number): Promise<{ client: RawClient; conn: WebSocketConnection }> {
  const client = await RawClient.connect(port);
  client.socket.pause();
  await client.waitFor(() => fixture.server!.connections.size === 1, 1000, 'the connection');
  return { client, conn: [...fixture.server!.connections][0]! };
}

/** Writes `bytes` repeatedly while the socket accepts them, up to `total` bytes. */
function pump(client: RawClient, bytes: Buffer, total: number): void {
  let sent = 0;
  const go = (): void => {
    while (sent < total && !client.socket.destroyed) {
      sent += bytes.length;
      if (!client.socket.write(bytes)) return void client.socket.once('drain', go);
    }
  };
  go();
}

describe('B1 a client that sends and never reads', () => {
  it('reading stops over the high-water mark, the queue stays bounded, ' +
    'and the stalled socket is destroyed', async () => {
    const port = await start(LIMITS);
    const { client, conn } = await greedyClient(port);
    const message = clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(16 * KiB, 5) });
    pump(client, message, 64 * 1024 * KiB);
    await client.waitFor(() => conn.paused, 30_000, 'the server to pause reading');
    expect(conn.pauses).toBeGreaterThanOrEqual(1);
    await client.waitForSocketClose(5000);
    // High-water mark plus what one socket read (≤ 64 KiB of input) can echo before the pause takes effect.
    expect(conn.peakQueuedOutputBytes).toBeLessThanOrEqual(LIMITS.highWaterMark + 64 * KiB + 16 * KiB);
    await client.waitFor(() => conn.readyState === 'closed', 1000, 'the server side to close');
  }, 60_000);
});

describe('B2 ping floods', () => {
  it('while the client does not read, pongs are coalesced and the queue stays bounded', async () => {
    const port = await start({ ...LIMITS, stallTimeoutMs: 60_000 });
    const { client, conn } = await greedyClient(port);
    // Fill the pipe first so the server is over its high-water mark, then flood pings.
    pump(client, clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(16 * KiB) }), 32 * 1024 * KiB);
    await client.waitFor(() => conn.paused, 30_000, 'the server to pause reading');
    const pings = Buffer.concat(
      Array.from({ length: 2000 }, (_, i) => clientFrame({ opcode: Opcode.Ping, payload: Buffer.from(String(i)) })),
    );
    client.socket.write(pings);
    client.socket.resume(); // let data flow again so the server reads the pings while it is still backed up
    await client.waitFor(
      () => conn.pongsCoalesced > 0 || client.frames.filter((f) => f.opcode === Opcode.Pong).length >= 2000,
      10_000,
      'pongs',
    );
    expect(conn.peakQueuedOutputBytes).toBeLessThanOrEqual(LIMITS.highWaterMark + 64 * KiB + 16 * KiB);
    client.destroy();
  }, 60_000);

  it('10 pings from a reading client get 10 pongs (Autobahn 2.10)', async () => {
    const port = await start(LIMITS);
    const client = await RawClient.connect(port);
    client.send(
      Array.from({ length: 10 }, (_, i) => clientFrame({ opcode: Opcode.Ping, payload: Buffer.from(`p${i}`) })),
    );
    const frames = await client.waitForFrames(10);
    expect(frames.map((f) => [f.opcode, f.payload.toString()])).toEqual(
      Array.from({ length: 10 }, (_, i) => [Opcode.Pong, `p${i}`]),
    );
    client.destroy();
  });
});

describe('B3 idle deadline', () => {
  it('idle connections get 1001; a connection opened before them that keeps echoing does not', async () => {
    // Counted in events, not time: the busy client sends its next message as soon as the last echo is
    // back. It was opened before two idle connections that each got their 1001 one after the other, so
    // it outlived two idle periods: without traffic resetting its deadline it would have been closed.
    const port = await start({ idleTimeoutMs: 1000 });
    const busy = await RawClient.connect(port);
    let running = true;
    let echoes = 0;
    const loop = (async () => {
      while (running) {
        busy.sendFrame({ opcode: Opcode.Text, payload: Buffer.from(String(echoes)) });
        await busy.waitFor(() => busy.frames.length > echoes, 20_000, 'the echo');
        if (busy.frames[echoes]!.opcode === Opcode.Close) return;
        echoes++;
      }
    })();
    for (let k = 0; k < 2; k++) {
      const idle = await RawClient.connect(port);
      expect(closeCodeOf(await idle.waitForClose(20_000))).toBe(1001);
      idle.destroy();
    }
    running = false;
    await loop;
    expect(busy.frames.some((f) => f.opcode === Opcode.Close)).toBe(false);
    expect(echoes).toBeGreaterThan(1);
    busy.destroy();
  }, 60_000);
});
