import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { getTarget, type RunningTarget } from '../src/index.js';
import { expectedUwsSkipReason } from './uws-expected.js';

/** Set where no uWS native build runs on this Node: its targets' tests skip with it. */
const uwsSkipReason = expectedUwsSkipReason();
const skipped = (name: string): boolean => name.startsWith('uws') && uwsSkipReason !== undefined;
const skipNote = (name: string): string => (skipped(name) ? ` (skipped: ${uwsSkipReason})` : '');

const OFFER = { threshold: 0, clientNoContextTakeover: true };

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: OFFER, maxPayload: 64 << 20 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function echo(ws: WebSocket, payload: Buffer | string, binary: boolean): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (data, isBinary) => resolve({ data: data as Buffer, binary: isBinary }));
    ws.send(payload, { binary });
  });
}

/** Captures the RSV1 bit of the frames the server sends (compressed or not) from the raw socket. */
function firstByteOfFrames(ws: WebSocket): number[] {
  const seen: number[] = [];
  const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
  socket.prependListener('data', (chunk: Buffer) => seen.push(chunk[0]!));
  return seen;
}

for (const name of ['core+deflate', 'ws+deflate', 'uws+deflate', 'uws+deflate-dedicated']) {
  // Safety nets for a busy machine, never figures the tests check.
  describe.skipIf(skipped(name))(
    `${name} negotiates permessage-deflate and echoes${skipNote(name)}`,
    { timeout: 30_000 },
    () => {
      let running: RunningTarget;
      beforeAll(async () => {
        running = await getTarget(name).start();
      }, 30_000);
      afterAll(async () => {
        await running?.close();
      }, 30_000);

      test('text and binary, small and large, come back intact and compressed', async () => {
        const ws = await connect(running.url);
        expect(ws.extensions).toMatch(/^permessage-deflate/);
        const first = firstByteOfFrames(ws);
        const cases: Array<[Buffer | string, boolean]> = [
          ['{"hello":"compressed world"}'.repeat(100), false],
          [Buffer.alloc(300_000, 'wsmatrix'), true],
          ['ü€'.repeat(5000), false],
          [Buffer.from([1, 2, 3]), true],
        ];
        for (const [payload, binary] of cases) {
          const got = await echo(ws, payload, binary);
          expect(got.binary).toBe(binary);
          expect(got.data.equals(Buffer.from(payload))).toBe(true);
        }
        // The first large text echo was compressed: RSV1 set on its first frame.
        expect(first[0]! & 0x40).toBe(0x40);
        ws.close();
      });
    },
  );
}

describe('the uncompressed targets decline the extension', { timeout: 30_000 }, () => {
  for (const name of ['core', 'ws', 'uws']) {
    test.skipIf(skipped(name))(`${name}${skipNote(name)}`, async () => {
      const running = await getTarget(name).start();
      try {
        const ws = await connect(running.url);
        expect(ws.extensions).toBe('');
        expect((await echo(ws, 'plain', false)).data.toString()).toBe('plain');
        ws.close();
      } finally {
        await running.close();
      }
    });
  }
});
