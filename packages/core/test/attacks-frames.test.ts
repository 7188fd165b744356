/**
 * Attack series: framing (F1-F7), fragment/memory (M1-M4), UTF-8 (U1) and close (C1-C4) series.
 * Codec-level checks drive the sans-I/O MessageReader the core uses and assert its counters exactly;
 * wire-level checks assert the bytes our server sends back.
 */
import { describe, expect, it } from 'vitest';
import {
  MessageReader,
  Opcode,
  type ProtocolError,
  encodeFrame,
  encodeFrameHeader,
  type MessageReaderOptions,
} from '@wsmatrix/protocol';
import { RawClient, clientFrame, closeCodeOf, closePayload, echoServerFixture } from './helpers.js';

const fixture = echoServerFixture();
const start = fixture.start;

const MASK = Buffer.from([1, 2, 3, 4]);

/** A server-role reader that records what it delivered; `error` is the first protocol error. */
function reader(options: Partial<MessageReaderOptions> = {}) {
  const messages: Buffer[] = [];
  const pongs: Buffer[] = [];
  let closeCode: number | null | undefined;
  const r = new MessageReader(
    { role: 'server', ...options },
    {
      onMessage: (data) => messages.push(Buffer.from(data)),
      onPing: (data) => pongs.push(Buffer.from(data)),
      onPong: () => undefined,
      onClose: (code) => (closeCode = code),
    },
  );
  return { r, messages, pongs, closeCode: () => closeCode };
}

/** A masked frame header declaring `length` with no payload after it. */
const declare = (opcode: number, length: number, fin = true) =>
  encodeFrameHeader({ opcode, payloadLength: length, fin, mask: MASK });
const masked = (opcode: number, payload: Buffer | string = '', fin = true) =>
  encodeFrame({ opcode, payload: Buffer.from(payload), fin, mask: MASK });

/** Sends `bytes` after the upgrade and returns the one Close our server answers with. */
async function closeCodeFor(port: number, bytes: Buffer): Promise<number | null> {
  const c = await RawClient.connect(port);
  c.send(bytes);
  const close = await c.waitForClose();
  await c.waitForSocketClose(1500);
  expect(c.frames.filter((f) => f.opcode !== Opcode.Close)).toEqual([]);
  return closeCodeOf(close);
}

describe('F1/F4 lengths never drive allocation', () => {
  it('1 GiB and 2^62 declared with 10 bytes sent → 1009 before anything is allocated', () => {
    for (const length of [2 ** 30, 2 ** 62]) {
      const { r } = reader();
      const header =
        length < 2 ** 53
          ? declare(Opcode.Text, length)
          : encodeFrame({
              opcode: Opcode.Text,
              payload: Buffer.alloc(0),
              mask: MASK,
              lengthForm: 64,
              declaredLength: BigInt(length),
            });
      const error = r.push(Buffer.concat([header, Buffer.alloc(10)]));
      expect(error?.closeCode).toBe(1009);
      expect(r.largestAllocation).toBe(0);
      expect(r.retainedMessageBytes).toBe(0);
    }
  });
  it('over the wire: 1 GiB declared → Close 1009 and the socket is closed', async () => {
    const port = await start();
    expect(await closeCodeFor(port, Buffer.concat([declare(Opcode.Binary, 2 ** 30), Buffer.alloc(10)]))).toBe(1009);
  });
  it('F4: max - 1 declared, then silence: retained bytes grow only with bytes sent', () => {
    const { r } = reader({ maxMessageSize: 1 << 20 });
    expect(r.push(declare(Opcode.Binary, (1 << 20) - 1))).toBeNull();
    expect(r.retainedMessageBytes).toBe(0);
    r.push(Buffer.alloc(10));
    expect(r.retainedMessageBytes).toBe(10);
    expect(r.largestAllocation).toBe(0);
  });
});

describe('F2 64-bit length forms', () => {
  it(
    'MSB set → 1002; ' + 'a non-minimal 16-bit form carrying 100 is accepted by our server (documented choice)',
    async () => {
      const { r } = reader();
      const msb = encodeFrame({
        opcode: Opcode.Binary,
        payload: Buffer.alloc(0),
        mask: MASK,
        lengthForm: 64,
        declaredLength: 2n ** 63n,
      });
      expect(r.push(msb)?.closeCode).toBe(1002);
      const port = await start();
      const c = await RawClient.connect(port);
      c.send(encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(100, 7), mask: true, lengthForm: 16 }));
      const [echo] = await c.waitForFrames(1);
      expect(echo!.payload).toEqual(Buffer.alloc(100, 7));
      c.destroy();
    },
  );
});

describe('F3 the message limit, exactly', () => {
  it('exactly maxMessageSize → echoed; +1 → 1009; fragments crossing it on the last one → 1009', async () => {
    const port = await start({ maxMessageSize: 1000 });
    const c = await RawClient.connect(port);
    c.sendFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(1000, 1) });
    expect((await c.waitForFrames(1))[0]!.payload.length).toBe(1000);
    c.destroy();
    expect(await closeCodeFor(port, clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(1001) }))).toBe(1009);
    await fixture.server!.close();
    // Large parts so the 128 B per-part charge (M2) stays below the limit until the last fragment.
    const big = await start({ maxMessageSize: 100_000 });
    const parts = [
      clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(50_000), fin: false }),
      clientFrame({ opcode: Opcode.Continuation, payload: Buffer.alloc(49_000), fin: false }),
      clientFrame({ opcode: Opcode.Continuation, payload: Buffer.alloc(1001), fin: true }),
    ];
    expect(await closeCodeFor(big, Buffer.concat(parts))).toBe(1009);
  });
});

describe('F5/F6 framing violations → 1002', () => {
  it(
    'unmasked, RSV1-3, reserved opcodes, control frame of 126, ' +
      'fragmented ping, stray continuation, nested data frame',
    () => {
      const cases: Buffer[] = [
        encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('x') }),
        encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('x'), mask: MASK, rsv1: true }),
        encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('x'), mask: MASK, rsv2: true }),
        encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('x'), mask: MASK, rsv3: true }),
        ...[3, 4, 5, 6, 7, 11, 12, 13, 14, 15].map((opcode) => masked(opcode)),
        encodeFrame({ opcode: Opcode.Ping, payload: Buffer.alloc(126), mask: MASK }),
        masked(Opcode.Ping, 'a', false),
        masked(Opcode.Continuation, 'a'),
        Buffer.concat([masked(Opcode.Text, 'a', false), masked(Opcode.Text, 'b')]),
      ];
      for (const bytes of cases) {
        const { r } = reader();
        expect(r.push(bytes)?.closeCode, bytes.toString('hex')).toBe(1002);
      }
    },
  );
  it('a ping inside a fragmented message is answered and the message stays intact', () => {
    const { r, messages, pongs } = reader();
    r.push(
      Buffer.concat([masked(Opcode.Text, 'Hel', false), masked(Opcode.Ping, 'p'), masked(Opcode.Continuation, 'lo')]),
    );
    expect(pongs.map(String)).toEqual(['p']);
    expect(messages.map(String)).toEqual(['Hello']);
  });
});

describe('F7 after failing, input is discarded', () => {
  it('8 MiB more after a violation: exactly one Close, no echo, socket destroyed, nothing buffered', async () => {
    const port = await start({ closeLingerMs: 200 });
    const c = await RawClient.connect(port);
    c.send(masked(3));
    const junk = clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(64 * 1024, 9) });
    for (let i = 0; i < 128 && !c.socket.destroyed; i++) c.socket.write(junk);
    await c.waitForSocketClose(3000);
    expect(c.frames.map((f) => [f.opcode, closeCodeOf(f)])).toEqual([[Opcode.Close, 1002]]);
    await c.waitFor(() => fixture.server!.connections.size === 0, 1000, 'the server to drop the connection');
  });
});

describe('M1-M4 fragments and pieces are bounded by real memory', () => {
  it('M1: 4 MiB in 65 536 fragments of 64 bytes is echoed intact', async () => {
    const port = await start();
    const c = await RawClient.connect(port);
    const payload = Buffer.alloc(4 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
    const frames: Buffer[] = [];
    for (let off = 0; off < payload.length; off += 64) {
      frames.push(
        clientFrame({
          opcode: off === 0 ? Opcode.Binary : Opcode.Continuation,
          payload: payload.subarray(off, off + 64),
          fin: off + 64 >= payload.length,
        }),
      );
    }
    c.send(frames);
    const [echo] = await c.waitForFrames(1, 10_000);
    expect(echo!.payload.equals(payload)).toBe(true);
    c.destroy();
  }, 60_000);

  it('M2/M3: endless 1-byte or empty continuations → 1008 once 128 B per frame after the first pass the limit', () => {
    for (const size of [1, 0]) {
      const { r } = reader({ maxMessageSize: 64 * 1024 });
      r.push(masked(Opcode.Binary, 'x', false));
      let frames = 0;
      let error: ProtocolError | null = null;
      while (!error && frames < 10_000) {
        error = r.push(masked(Opcode.Continuation, Buffer.alloc(size), false));
        frames++;
        if (!error) expect(1 + frames * 128).toBeLessThanOrEqual(64 * 1024);
        // Tiny pieces are gathered into payload blocks: a few Buffers, not one per frame.
        expect(r.retainedParts).toBeLessThanOrEqual(2);
      }
      expect(error?.code).toBe('WS_ERR_TOO_MANY_PARTS');
      // 1 + 128 k > 65 536 first holds for k = 512.
      expect(frames).toBe(512);
    }
  });

  it(
    'M4: one frame trickled one byte per read is accepted (charged per frame, not per read), ' +
      'kept in a few Buffers',
    () => {
      const { r, messages } = reader({ maxMessageSize: 64 * 1024 });
      const payload = Buffer.alloc(64 * 1024, 9);
      const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
      let maxParts = 0;
      for (let pushed = 0; pushed < frame.length; pushed++) {
        expect(r.push(frame.subarray(pushed, pushed + 1))).toBeNull();
        maxParts = Math.max(maxParts, r.retainedParts);
      }
      expect(messages[0]!.equals(payload)).toBe(true);
      expect(maxParts).toBeLessThanOrEqual(2); // a view of the first piece, then one payload block
      expect(r.largestAllocation).toBe(64 * 1024);
      // One byte more than the limit is refused from its header.
      const over = reader({ maxMessageSize: 64 * 1024 - 1 });
      expect(over.r.push(frame.subarray(0, 10))?.closeCode).toBe(1009); // 64-bit length form, before the mask key
    },
  );
});

describe('U1 UTF-8 fails fast', () => {
  const invalid = ['c0af', 'eda080', 'f4908080', 'fe', 'e282'];
  it('overlong, surrogate, > U+10FFFF, invalid byte, truncated → 1007', () => {
    for (const hex of invalid) {
      const { r } = reader();
      expect(r.push(masked(Opcode.Text, Buffer.from(hex, 'hex')))?.closeCode, hex).toBe(1007);
    }
  });
  it('a bad byte in fragment 2 of 3 fails before fragment 3, also straddling frames and reads', () => {
    const { r } = reader();
    expect(r.push(masked(Opcode.Text, 'ok', false))).toBeNull();
    expect(r.push(masked(Opcode.Continuation, Buffer.from('c0', 'hex'), false))?.closeCode).toBe(1007);
    const straddle = reader();
    expect(straddle.r.push(masked(Opcode.Text, Buffer.from('f0', 'hex'), false))).toBeNull();
    const bad = masked(Opcode.Continuation, Buffer.from('28', 'hex'), false);
    expect(straddle.r.push(bad.subarray(0, 3))).toBeNull();
    expect(straddle.r.push(bad.subarray(3))?.closeCode).toBe(1007);
  });
});

describe('C1-C4 close handling on the wire', () => {
  const send = (payload: Buffer) => clientFrame({ opcode: Opcode.Close, payload });
  it('C1: payload of 1 byte → 1002; reason of 124 bytes → 1002; reason not UTF-8 → 1007', async () => {
    const port = await start();
    expect(await closeCodeFor(port, send(Buffer.from([3])))).toBe(1002);
    expect(
      await closeCodeFor(
        port,
        encodeFrame({ opcode: Opcode.Close, payload: closePayload(1000, 'r'.repeat(124)), mask: true }),
      ),
    ).toBe(1002);
    expect(await closeCodeFor(port, send(Buffer.concat([closePayload(1000), Buffer.from('ff', 'hex')])))).toBe(1007);
  });
  it('C2: forbidden codes → 1002; valid codes echoed (1010 → 1000)', async () => {
    const port = await start();
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
      expect(await closeCodeFor(port, send(closePayload(code))), String(code)).toBe(1002);
    }
    for (const code of [
      1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999,
    ]) {
      expect(await closeCodeFor(port, send(closePayload(code))), String(code)).toBe(code === 1010 ? 1000 : code);
    }
  });
  it(
    'C4: after a client close we end TCP first; ' + 'a silent peer after our close is destroyed at closeTimeoutMs',
    async () => {
      const port = await start({ closeTimeoutMs: 200 });
      const c = await RawClient.connect(port);
      c.send(send(closePayload(1000)));
      await c.waitForEnd(1000); // the server's FIN, without our side closing
      expect(c.frames.map(closeCodeOf)).toEqual([1000]);
      c.destroy();
      const silent = await RawClient.connect(port);
      const conn = [...fixture.server!.connections][0]!;
      conn.close(1001);
      await silent.waitForSocketClose(1500);
      expect(silent.frames.map(closeCodeOf)).toEqual([1001]);
    },
  );
});
