import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MaskArena,
  encodeFrame,
  MessageReader,
  Opcode,
  type MessageReaderOptions,
  type ProtocolError,
  type ProtocolErrorCode,
} from '../src/index.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, chop, propertyParams } from '../testing/index.js';

const MASK = Buffer.from('a1b2c3d4', 'hex');

/** What a reader handed out, kept as the very Buffers it passed (not copies). */
interface Seen {
  events: Array<[kind: string, data: Buffer | string]>;
  error: ProtocolErrorCode | null;
}

function newReader(options: Partial<MessageReaderOptions>, seen: Seen): MessageReader {
  return new MessageReader(
    { role: 'server', ...options },
    {
      onMessage: (data, binary) => void seen.events.push([binary ? 'binary' : 'text', data]),
      onPing: (data) => void seen.events.push(['ping', data]),
      onPong: (data) => void seen.events.push(['pong', data]),
      onClose: (code, reason) => void seen.events.push(['close', `${code}:${reason}`]),
    },
  );
}

/** A scratch read buffer big enough for every chunk: a mask arena (as the server's read buffer) or a plain Buffer. */
function scratchFor(chunks: Buffer[], arena: boolean): { scratch: Buffer; arena: MaskArena | null } {
  const size = Math.max(1, ...chunks.map((c) => c.length));
  if (!arena) return { scratch: Buffer.alloc(size), arena: null };
  const created = MaskArena.create(size)!;
  return { scratch: created.buffer, arena: created };
}

/**
 * Pushes each chunk through one scratch buffer that is scribbled over after every push, as a shared socket
 * read buffer is; a reader given the scratch's arena unmasks payload there with SIMD.
 */
function pushThroughScratch(
  reader: MessageReader,
  chunks: Buffer[],
  seen: Seen,
  scratch = scratchFor(chunks, false).scratch,
): void {
  for (const chunk of chunks) {
    chunk.copy(scratch);
    const error: ProtocolError | null = reader.push(scratch.subarray(0, chunk.length));
    scratch.fill(0xee);
    if (error) {
      seen.error = error.code;
      return;
    }
  }
}

function pushCopies(reader: MessageReader, chunks: Buffer[], seen: Seen): void {
  for (const chunk of chunks) {
    const error = reader.push(Buffer.from(chunk));
    if (error) {
      seen.error = error.code;
      return;
    }
  }
}

function snapshot(seen: Seen): Array<[string, string]> {
  return seen.events.map(([kind, data]) => [kind, typeof data === 'string' ? data : data.toString('hex')]);
}

/** A stream of messages (some fragmented, with pings between fragments), encoded and masked. */
const streamArb = fc
  .array(
    fc.record({
      binary: fc.boolean(),
      // Small pieces arrive in reads copied whole; big ones force reads over 64 KiB, copied piece by piece.
      fragments: fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 60_000, max: 140_000 })), {
        minLength: 1,
        maxLength: 4,
      }),
      pingAfterFirst: fc.boolean(),
      seed: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((messages) => {
    const frames: Buffer[] = [];
    for (const m of messages) {
      m.fragments.forEach((size, i) => {
        // ASCII payloads keep text messages valid UTF-8.
        const payload = Buffer.alloc(size);
        for (let j = 0; j < size; j++) payload[j] = 0x20 + ((m.seed + j * 13) % 90);
        const opcode = i === 0 ? (m.binary ? Opcode.Binary : Opcode.Text) : Opcode.Continuation;
        frames.push(encodeFrame({ opcode, fin: i === m.fragments.length - 1, payload, mask: MASK }));
        if (i === 0 && m.pingAfterFirst)
          frames.push(encodeFrame({ opcode: Opcode.Ping, payload: Buffer.from(`p${m.seed}`), mask: MASK }));
      });
    }
    frames.push(encodeFrame({ opcode: Opcode.Close, payload: Buffer.from([0x03, 0xe8, 0x6f, 0x6b]), mask: MASK }));
    return Buffer.concat(frames);
  });

/**
 * Random streams, randomly chopped: a transientInput reader fed through a reused scratch buffer sees what an owning
 * reader sees.
 */
function transientMatchesOwned(arena: boolean): void {
  fc.assert(
    fc.property(streamArb, fc.array(fc.nat(), { maxLength: 12 }), (stream, cuts) => {
      const chunks = chop(stream, cuts);
      const owned: Seen = { events: [], error: null };
      const transient: Seen = { events: [], error: null };
      pushCopies(newReader({}, owned), chunks, owned);
      const read = scratchFor(chunks, arena);
      pushThroughScratch(
        newReader({ transientInput: true, arena: read.arena }, transient),
        chunks,
        transient,
        read.scratch,
      );
      expect(transient.error).toBe(owned.error);
      // Compared only now, after the scratch buffer was overwritten many times.
      expect(snapshot(transient)).toEqual(snapshot(owned));
    }),
    propertyParams(150),
  );
}

describe('MessageReader with transientInput', () => {
  it(`hands out the same events as a reader given owned chunks, and they survive ` +
    `the read buffer being reused (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    transientMatchesOwned(false);
  });

  it(`the same holds when the read buffer is a mask arena (payload unmasked ` +
    `in place with SIMD, then copied) (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    transientMatchesOwned(true);
  });

  it('without it, the same reuse corrupts what was handed out (the property above can fail)', () => {
    const payload = Buffer.alloc(64, 0x41);
    const chunks = [encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK })];
    const seen: Seen = { events: [], error: null };
    pushThroughScratch(newReader({}, seen), chunks, seen);
    expect((seen.events[0]![1] as Buffer).equals(payload)).toBe(false);
  });

  it('a 1 MiB frame read in two halves lands in one block that is the message (no reassembly copy)', () => {
    const payload = Buffer.alloc(1 << 20, 7);
    const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
    const seen: Seen = { events: [], error: null };
    const reader = newReader({ transientInput: true }, seen);
    const half = frame.length >> 1;
    pushThroughScratch(reader, [frame.subarray(0, half), frame.subarray(half)], seen);
    const data = seen.events[0]![1] as Buffer;
    expect(data.equals(payload)).toBe(true);
    expect(reader.largestAllocation).toBe(1 << 20);
    expect(data.buffer.byteLength).toBe(1 << 20);
  });

  it(`a declared length never sizes an allocation: room stays ` +
    `within twice the bytes received plus 64 KiB (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40000 }), { minLength: 1, maxLength: 8 }), (pieces) => {
        const declared = 8 << 20;
        const header = encodeFrame({
          opcode: Opcode.Binary,
          payload: Buffer.alloc(0),
          mask: MASK,
          declaredLength: BigInt(declared),
        });
        const seen: Seen = { events: [], error: null };
        const reader = newReader({ transientInput: true, maxMessageSize: 16 << 20 }, seen);
        let received = 0;
        pushThroughScratch(reader, [header], seen);
        for (const size of pieces) {
          pushThroughScratch(reader, [Buffer.alloc(size, 1)], seen);
          received += size;
          expect(reader.largestAllocation).toBeLessThanOrEqual(2 * received + 64 * 1024);
        }
        expect(reader.retainedMessageBytes).toBe(received);
      }),
      propertyParams(100),
    );
  });

  it('a short fragmented message is handed out tight, not inside the 64 KiB block it was gathered in', () => {
    const frames = Buffer.concat([
      // A read over 64 KiB, so its payload goes to blocks rather than being copied whole.
      encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(70_000), mask: MASK }),
      encodeFrame({ opcode: Opcode.Binary, fin: false, payload: Buffer.from('0123456789'), mask: MASK }),
      encodeFrame({ opcode: Opcode.Continuation, fin: true, payload: Buffer.from('abcdefghij'), mask: MASK }),
    ]);
    const seen: Seen = { events: [], error: null };
    const reader = newReader({ transientInput: true }, seen);
    pushThroughScratch(reader, [frames], seen);
    const data = seen.events[1]![1] as Buffer;
    expect(data.toString()).toBe('0123456789abcdefghij');
    expect(reader.largestAllocation).toBeGreaterThan(64 * 1024);
    // The tight copy is an ordinary small Buffer: it sits in Node's shared pool (8 KiB before Node 24,
    // 64 KiB since), where the next small allocation lands too, not in the block it was gathered in.
    expect(data.buffer).toBe(Buffer.allocUnsafe(1).buffer);
    if (Buffer.poolSize < 64 * 1024) expect(data.buffer.byteLength).toBeLessThan(64 * 1024);
  });

  it('directReadTarget: the rest of a large frame can be read straight into its block, no copy and no concat', () => {
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 13) & 0xff;
    const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
    const seen: Seen = { events: [], error: null };
    const reader = newReader({ transientInput: true }, seen);
    expect(reader.directReadTarget).toBeNull();
    const first = 600_000;
    pushThroughScratch(reader, [frame.subarray(0, first)], seen);
    let at = first;
    let direct = 0;
    for (let target = reader.directReadTarget; target !== null; target = reader.directReadTarget) {
      // Never past the frame: the target is at most what the frame still declares.
      expect(target.length).toBeLessThanOrEqual(frame.length - at);
      // A socket read of up to 100 000 bytes into the target, then the same view pushed.
      const n = Math.min(target.length, 100_000);
      frame.copy(target, 0, at, at + n);
      expect(reader.push(target.subarray(0, n))).toBeNull();
      at += n;
      direct++;
    }
    if (at < frame.length) pushThroughScratch(reader, [frame.subarray(at)], seen);
    expect(direct).toBeGreaterThan(3);
    const data = seen.events[0]![1] as Buffer;
    expect(data.equals(payload)).toBe(true);
    expect(reader.largestAllocation).toBe(1 << 20);
    expect(data.buffer.byteLength).toBe(1 << 20);
    expect(reader.directReadTarget).toBeNull();
  });

  it('directReadTarget stays null for small frames, between fragments and without transientInput', () => {
    const seen: Seen = { events: [], error: null };
    const reader = newReader({ transientInput: true }, seen);
    const big = encodeFrame({ opcode: Opcode.Binary, fin: false, payload: Buffer.alloc(200_000, 1), mask: MASK });
    pushThroughScratch(reader, [big.subarray(0, 150_000)], seen);
    expect(reader.directReadTarget!.length).toBe(big.length - 150_000);
    pushThroughScratch(reader, [big.subarray(150_000)], seen);
    expect(reader.directReadTarget).toBeNull(); // between fragments: the next bytes are a header
    const owned = newReader({}, { events: [], error: null });
    owned.push(Buffer.from(big.subarray(0, 150_000)));
    expect(owned.directReadTarget).toBeNull();
  });

  it('small reads are copied whole: one allocation per read, and every message still survives reuse', () => {
    const frames = Buffer.concat(
      Array.from({ length: 32 }, (_, i) =>
        encodeFrame({ opcode: Opcode.Text, payload: Buffer.from(`message ${i}`), mask: MASK }),
      ),
    );
    const seen: Seen = { events: [], error: null };
    pushThroughScratch(newReader({ transientInput: true }, seen), [frames], seen);
    const messages = seen.events.map(([, d]) => d as Buffer);
    expect(messages.map((m) => m.toString())).toEqual(Array.from({ length: 32 }, (_, i) => `message ${i}`));
    // All views of one copy of the read.
    expect(new Set(messages.map((m) => m.buffer)).size).toBe(1);
  });
});
