import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { Opcode } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import { buildCompressiblePayload } from '../src/compressible-payload.js';
import { buildMaskedMessage, buildPayload, deflateMessagePayload } from '../src/frames.js';
import { buildEchoMessage } from '../src/load/echo-message.js';
import { ReplyCounter } from '../src/reply-counter.js';
import { decodeMaskedFrames as decodeAll } from './decode-client-frames.js';
import { selectWorkloads, type EchoWorkload } from '../src/workloads.js';

/** What a receiver does (RFC 7692 §7.2.2): append 00 00 FF FF and inflate. */
function inflateMessage(compressed: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([compressed, Buffer.from([0, 0, 0xff, 0xff])]), {
    finishFlush: constants.Z_SYNC_FLUSH,
  });
}

describe('compressible payload', () => {
  it('is deterministic, exactly the size asked, ASCII, and different per seed', () => {
    const a = buildCompressiblePayload(70_000);
    expect(a).toHaveLength(70_000);
    expect(a.equals(buildCompressiblePayload(70_000))).toBe(true);
    expect(a.every((b) => b >= 0x0a && b < 0x7f)).toBe(true);
    expect(a.subarray(0, 1000).equals(buildCompressiblePayload(70_000, 2).subarray(0, 1000))).toBe(false);
    // Whole records, one per line, up to the cut.
    const lines = a.toString('latin1').split('\n').slice(0, -1);
    expect(lines.length).toBeGreaterThan(100);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('compresses like real JSON (random bytes would not)', () => {
    const ratio = deflateMessagePayload(buildCompressiblePayload(65_536)).length / 65_536;
    expect(ratio).toBeGreaterThan(0.05);
    expect(ratio).toBeLessThan(0.3);
    expect(deflateMessagePayload(buildPayload(Opcode.Binary, 65_536)).length).toBeGreaterThan(65_536);
  });
});

describe('pre-compressed frames', () => {
  /** How echo jobs frame a compressed message: the compressed bytes, RSV1 asked for. */
  const buildCompressedMessage = (opcode: number, payload: Buffer, fragmentSize?: number) => {
    const compressed = deflateMessagePayload(payload);
    return { frames: buildMaskedMessage(opcode, compressed, fragmentSize, true), compressedLength: compressed.length };
  };

  it('drops the sync-flush tail 00 00 FF FF (RFC 7692 §7.2.1)', () => {
    const payload = buildCompressiblePayload(10_000);
    const withTail = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
    const stripped = deflateMessagePayload(payload);
    expect([...withTail.subarray(-4)]).toEqual([0, 0, 0xff, 0xff]);
    expect(stripped.equals(withTail.subarray(0, -4))).toBe(true);
    expect(inflateMessage(stripped).equals(payload)).toBe(true);
  });

  it('one frame: RSV1 and FIN set, inflates back to the payload', () => {
    const payload = buildCompressiblePayload(65_536);
    const { frames, compressedLength } = buildCompressedMessage(Opcode.Binary, payload);
    const [frame, ...rest] = decodeAll(frames);
    expect(rest).toEqual([]);
    expect(frame).toMatchObject({ fin: true, rsv1: true, rsv23: 0, opcode: Opcode.Binary });
    expect(frame!.payload).toHaveLength(compressedLength);
    expect(compressedLength).toBeLessThan(payload.length / 3);
    expect(inflateMessage(frame!.payload).equals(payload)).toBe(true);
  });

  it('fragmented: the COMPRESSED bytes are cut, RSV1 on the first fragment only, FIN on the last', () => {
    const payload = buildCompressiblePayload(1 << 20);
    const { frames, compressedLength } = buildCompressedMessage(Opcode.Binary, payload, 4096);
    const decoded = decodeAll(frames);
    expect(decoded.length).toBe(Math.ceil(compressedLength / 4096));
    expect(decoded.length).toBeGreaterThan(2);
    expect(decoded.map((f) => f.rsv1)).toEqual(decoded.map((_, i) => i === 0));
    expect(decoded.map((f) => f.fin)).toEqual(decoded.map((_, i) => i === decoded.length - 1));
    expect(decoded.map((f) => f.opcode)).toEqual(
      decoded.map((_, i) => (i === 0 ? Opcode.Binary : Opcode.Continuation)),
    );
    expect(decoded.every((f) => f.rsv23 === 0)).toBe(true);
    expect(decoded.slice(0, -1).every((f) => f.payload.length === 4096)).toBe(true);
    expect(inflateMessage(Buffer.concat(decoded.map((f) => f.payload))).equals(payload)).toBe(true);
  });

  it('text messages keep their opcode', () => {
    const payload = buildCompressiblePayload(2000);
    const [frame] = decodeAll(buildCompressedMessage(Opcode.Text, payload).frames);
    expect(frame).toMatchObject({ opcode: Opcode.Text, rsv1: true });
    expect(inflateMessage(frame!.payload).toString('utf8')).toBe(payload.toString('latin1'));
  });
});

describe('echo message bytes', () => {
  const [large64k, , fragmented] = selectWorkloads(['large-64k', 'large-1m', 'fragmented-1m']) as EchoWorkload[];

  it('deflate jobs send compressed log records; the others keep their plain payload', () => {
    const plain = buildEchoMessage(large64k!, false);
    const compressed = buildEchoMessage(large64k!, true);
    expect(plain.wireBytes).toBe(65_536);
    expect(decodeAll(plain.unit)[0]!.rsv1).toBe(false);
    const [frame] = decodeAll(compressed.unit);
    expect(frame!.rsv1).toBe(true);
    expect(compressed.wireBytes).toBe(frame!.payload.length);
    expect(inflateMessage(frame!.payload).equals(buildCompressiblePayload(65_536))).toBe(true);
  });

  it('a batch of k compressed messages counts as k compressed messages', () => {
    const small = { ...large64k!, size: 600, inFlight: 8 };
    const { unit, batch } = buildEchoMessage(small, true);
    expect(batch).toHaveLength(unit.length * 8);
    const counter = new ReplyCounter();
    expect(counter.push(batch!.subarray(0, 3 * unit.length))).toBe(3);
    expect(counter.compressedMessages).toBe(3);
  });

  it('the fragmented workload fragments the compressed message', () => {
    const { unit, wireBytes } = buildEchoMessage(fragmented!, true);
    const decoded = decodeAll(unit);
    expect(decoded.length).toBe(Math.ceil(wireBytes / fragmented!.fragmentSize!));
    expect(decoded.filter((f) => f.rsv1)).toHaveLength(1);
  });
});
