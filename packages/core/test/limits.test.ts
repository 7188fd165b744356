/**
 * Limits mean what they say: a message of exactly maxMessageSize (the default, 32 MiB) is echoed however
 * TCP splits it and whether it comes as one frame or a few fragments; one byte more is refused with 1009.
 * Part overhead is charged per frame, never per TCP read (it used to refuse the single frame with 1008).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Opcode } from '@wsmatrix/protocol';
import type { WebSocketConnection } from '../src/connection-types.js';
import { DEFAULTS } from '../src/options.js';
import { RawClient, clientFrame, closeCodeOf, echoServerFixture } from './helpers.js';

const fixture = echoServerFixture();
const MAX = DEFAULTS.maxMessageSize;
/** Odd-sized pieces, so no piece boundary lines up with a frame or header boundary. */
const PIECE = 64 * 1024 - 3;

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function payloadOf(size: number): Buffer {
  const out = Buffer.allocUnsafe(size + 3);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE((i * 2654435761) >>> 0, i);
  return out.subarray(0, size);
}

async function connected(): Promise<{ client: RawClient; conn: WebSocketConnection }> {
  const port = await fixture.start();
  const client = await RawClient.connect(port);
  await client.waitFor(() => fixture.server!.connections.size === 1, 15_000, 'the connection');
  return { client, conn: [...fixture.server!.connections][0]! };
}

/**
 * Sends `bytes` in PIECE-sized writes, each only once the server has read everything before it, so the
 * server reads the frame in hundreds of separate pieces, not in whatever TCP would coalesce.
 */
async function sendInPieces(client: RawClient, conn: WebSocketConnection, bytes: Buffer): Promise<void> {
  const base = conn.bytesReceived;
  for (let off = 0; off < bytes.length; off += PIECE) {
    const end = Math.min(off + PIECE, bytes.length);
    client.socket.write(bytes.subarray(off, end));
    while (conn.bytesReceived - base < end && conn.readyState === 'open') await new Promise((r) => setImmediate(r));
    if (conn.readyState !== 'open') return;
  }
}

describe('maxMessageSize is the largest message accepted, however it arrives', () => {
  it(`one frame of exactly ${MAX} bytes, read in ${Math.ceil(MAX / PIECE)} pieces, is echoed`, async () => {
    const { client, conn } = await connected();
    const payload = payloadOf(MAX);
    await sendInPieces(client, conn, clientFrame({ opcode: Opcode.Binary, payload }));
    const [echo] = await client.waitForFrames(1, 60_000);
    expect(echo!.opcode).toBe(Opcode.Binary);
    expect(echo!.payload.length).toBe(MAX);
    expect(digest(echo!.payload)).toBe(digest(payload));
    expect(conn.messagesReceived).toBe(1);
    client.destroy();
  }, 120_000);

  it(`a message of exactly ${MAX} bytes in 4 fragments is echoed as one message`, async () => {
    const { client, conn } = await connected();
    const payload = payloadOf(MAX);
    const quarter = MAX / 4;
    const frames = [0, 1, 2, 3].map((i) =>
      clientFrame({
        opcode: i === 0 ? Opcode.Binary : Opcode.Continuation,
        fin: i === 3,
        payload: payload.subarray(i * quarter, (i + 1) * quarter),
      }),
    );
    await sendInPieces(client, conn, Buffer.concat(frames));
    const [echo] = await client.waitForFrames(1, 60_000);
    expect(echo!.payload.length).toBe(MAX);
    expect(digest(echo!.payload)).toBe(digest(payload));
    client.destroy();
  }, 120_000);

  it(`one byte more (${MAX + 1}) is refused with 1009, as one frame or as fragments`, async () => {
    for (const fragmented of [false, true]) {
      const { client } = await connected();
      const payload = payloadOf(MAX + 1);
      const bytes = fragmented
        ? Buffer.concat([
            clientFrame({ opcode: Opcode.Binary, fin: false, payload: payload.subarray(0, MAX / 2) }),
            clientFrame({ opcode: Opcode.Continuation, fin: true, payload: payload.subarray(MAX / 2) }),
          ])
        : clientFrame({ opcode: Opcode.Binary, payload });
      client.socket.write(bytes);
      expect(closeCodeOf(await client.waitForClose(60_000))).toBe(1009);
      expect(client.frames.filter((f) => f.opcode !== Opcode.Close)).toEqual([]);
      client.destroy();
      await fixture.server!.close();
    }
  }, 120_000);
});
