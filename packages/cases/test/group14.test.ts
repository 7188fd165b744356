/**
 * Group 14: the DEFLATE writer against RFC 7692's own examples, every case's frames byte for byte, and each
 * case's claims checked by an independent inflater (node:zlib): valid sends inflate to their replies with
 * exactly the window the case says it needs, invalid ones do not inflate.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressedPayload, deflateBlocks, literals, syncFlushed, toHex } from '../src/deflate-blocks.js';
import { expectedReplies, isDeflateEdgeCase, type DeflateEdgeCaseDef } from '../src/deflate-edge-case.js';
import { group14 } from '../src/group14.js';
import {
  allCaseIds,
  autobahnCaseIds,
  caseById,
  casePosition,
  clientCaseIds,
  groupsOfCase,
  isAutobahnCaseId,
  payloadBytes,
  selectCaseIds,
  type FrameStep,
} from '../src/index.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

const edge = (id: string): DeflateEdgeCaseDef => {
  const def = caseById(id);
  if (!def || !isDeflateEdgeCase(def)) throw new Error(`no group 14 case ${id}`);
  return def;
};

function inflate(data: Buffer, dictionary?: Buffer, windowBits = 15): Buffer {
  return inflateRawSync(Buffer.concat([data, TAIL]), {
    finishFlush: constants.Z_SYNC_FLUSH,
    windowBits,
    ...(dictionary && dictionary.length > 0 ? { dictionary } : {}),
  });
}

const payloadOf = (frames: readonly FrameStep[]): Buffer =>
  Buffer.concat(frames.map((f) => payloadBytes(f.payload ?? '')));
const isCompressed = (frames: readonly FrameStep[]): boolean => ((frames[0]!.rsv ?? 0) & 4) !== 0;

/** A frame as "opcode[+rsv1][ more] hex", long payloads as their length, head and tail. */
function frameLine(f: FrameStep): string {
  const bytes = payloadBytes(f.payload ?? '');
  const hex =
    bytes.length <= 40
      ? bytes.toString('hex')
      : `${bytes.length}:${toHex(bytes.subarray(0, 5))}..${toHex(bytes.subarray(-3))}`;
  return `${f.opcode}${(f.rsv ?? 0) & 4 ? '+rsv1' : ''}${f.fin === false ? ' more' : ''} ${hex}`.trimEnd();
}

describe('the DEFLATE writer', () => {
  it("reproduces RFC 7692 §7.2.3's payloads", () => {
    // §7.2.3.1: "Hello" in one fixed-Huffman block, 00 00 ff ff removed.
    expect(toHex(compressedPayload([{ type: 'fixed', tokens: literals('Hello') }]))).toBe('f248cdc9c90700');
    // §7.2.3.3: a block with no compression.
    expect(toHex(compressedPayload([{ type: 'stored', data: Buffer.from('Hello') }]))).toBe('000500faff48656c6c6f00');
    // §7.2.3.4: BFINAL set, padded, then the header of the empty stored block.
    expect(
      toHex(compressedPayload([{ type: 'fixed', tokens: literals('Hello'), final: true }, { type: 'align' }])),
    ).toBe('f348cdc9c9070000');
    // §7.2.3.5: two blocks in one message.
    expect(
      toHex(
        compressedPayload([
          { type: 'fixed', tokens: literals('He') },
          { type: 'stored', data: new Uint8Array(0) },
          { type: 'fixed', tokens: literals('llo') },
        ]),
      ),
    ).toBe('f24805000000ffffcac9c90700');
    // §7.2.3.6: an empty message is the one octet 00.
    expect(toHex(compressedPayload([]))).toBe('00');
    expect(toHex(syncFlushed([{ type: 'fixed', tokens: literals('Hello') }]))).toBe('f248cdc9c907000000ffff');
  });

  it('writes back-references zlib reads back, at every distance code boundary', () => {
    const text = Buffer.from(Array.from({ length: 32768 }, (_, i) => 97 + ((i * 7 + (i >> 5)) % 26)));
    for (const distance of [1, 2, 4, 5, 256, 257, 512, 513, 1024, 24576, 24577, 32768]) {
      for (const length of [3, 10, 11, 226, 227, 257, 258]) {
        const data = deflateBlocks([
          { type: 'stored', data: text },
          { type: 'fixed', tokens: [{ length, distance }] },
        ]);
        const out = inflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
        const copied = Buffer.alloc(length);
        for (let i = 0; i < length; i++) copied[i] = text[text.length - distance + (i % distance)]!;
        expect(out.subarray(text.length), `${length}@${distance}`).toEqual(copied);
      }
    }
    expect(() => deflateBlocks([{ type: 'fixed', tokens: [{ length: 259, distance: 1 }] }])).toThrow(RangeError);
    expect(() => deflateBlocks([{ type: 'fixed', tokens: [{ length: 3, distance: 32769 }] }])).toThrow(RangeError);
  });
});

describe('group 14 frames', () => {
  it('are these bytes, case by case', () => {
    const table = Object.fromEntries(
      group14.map((c) => [c.id, c.deflateEdge.sends.map((s) => s.frames.map(frameLine))]),
    );
    const hello = ['1+rsv1 f248cdc9c90700'];
    const probe = ['1 77736d61747269782070726f6265'];
    const world = ['1+rsv1 0acf2fca490100'];
    const bfinal = ['1+rsv1 f348cdc9c9070000'];
    const peer = ['2 1200:cc09e8d68c..a07404'];
    expect(table).toEqual({
      '14.1.1': [hello, ['1+rsv1 more 0acf2f', '0+rsv1 ca490100'], probe],
      '14.1.2': [hello, ['1 more 576f72', '0+rsv1 6c64'], probe],
      '14.1.3': [hello, ['9+rsv1 f248cdc9c90700'], probe],
      '14.1.4': [hello, ['10+rsv1 77736d6174726978'], probe],
      '14.1.5': [hello, ['8+rsv1 03e8']],
      '14.2.1': [['1+rsv1 000500faff48656c6c6f00']],
      '14.2.2': [['1+rsv1 f24805000000ffffcac9c90700']],
      '14.2.3': [bfinal, world],
      '14.2.4': [bfinal, ['1+rsv1 02130a89e98999790000']],
      '14.2.5': [['1+rsv1 more f248cdc9c907000000ffff', '0 00']],
      '14.2.6': [['1+rsv1 more', '0 f248cdc9c90700']],
      '14.2.7': [['1+rsv1 00']],
      '14.2.8': [['1+rsv1 f248cdc9c907000000ffff'], world],
      '14.2.9': [['1+rsv1 f248cdc9c957009300'], world],
      '14.3.1': [['1+rsv1 32778:000080ff7f..ff1f00']],
      '14.3.2': [['1+rsv1 32774:000080ff7f..637300'], ['1+rsv1 1abdff1f00']],
      '14.3.3': [['1+rsv1 518:000002fffd..4a4100'], ['1+rsv1 1a8d7f0000']],
      '14.3.4': [['1+rsv1 262:000001fffe..675a00'], ['1+rsv1 1af53f00']],
      '14.3.5': [['1+rsv1 52:4acecf2d28..280100'], ['1 64:7878787878..787878'], ['1+rsv1 c2a50300']],
      '14.4.1': [peer, peer],
      '14.4.2': [peer, peer],
      '14.4.3': [peer, peer],
      '14.5.1': [hello, ['1+rsv1 06'], probe],
      '14.5.2': [hello, ['1+rsv1 000500000048656c6c6f00'], probe],
      '14.5.3': [['1+rsv1 02db0100'], probe],
      '14.5.4': [hello, ['1+rsv1 3ab7ebe1de9de79bcfed39b7f5ed8286d494cc92d4140000'], probe],
    });
  });

  it('inflate (node:zlib, RFC 7692 §7.2.2) to their replies, with exactly the window each case says it needs', () => {
    for (const c of group14) {
      const { sends, failAt, needs } = c.deflateEdge;
      let window = Buffer.alloc(0);
      const valid = failAt === undefined ? sends : sends.slice(0, failAt);
      for (const s of valid) {
        const data = payloadOf(s.frames);
        const got = isCompressed(s.frames) ? inflate(data, needs.contextTakeover ? window : undefined) : data;
        expect(s.reply?.type, `${c.id} ${s.label}`).toBe('message');
        expect(got.toString('hex'), `${c.id} ${s.label}`).toBe(payloadBytes(s.reply!.payload).toString('hex'));
        if (isCompressed(s.frames)) window = Buffer.concat([window, got]).subarray(-32768);
      }
    }
  });

  it('need the window they say: the referring message does not inflate without it, nor with a byte less', () => {
    const referring = (id: string): { dictionary: Buffer; data: Buffer } => {
      const { sends, needs } = edge(id).deflateEdge;
      const compressedSends = sends.filter((s) => isCompressed(s.frames));
      const first = inflate(payloadOf(compressedSends[0]!.frames));
      expect(needs.contextTakeover, id).toBe(true);
      return { dictionary: first, data: payloadOf(compressedSends.at(-1)!.frames) };
    };
    for (const [id, bits] of [
      ['14.2.4', 8],
      ['14.3.2', 15],
      ['14.3.3', 9],
      ['14.3.4', 8],
      ['14.3.5', 8],
    ] as const) {
      const { dictionary, data } = referring(id);
      expect(() => inflate(data), id).toThrow(/distance too far back/);
      expect(edge(id).deflateEdge.needs.windowBits, id).toBe(bits);
      const size = 2 ** bits;
      expect(() => inflate(data, dictionary.subarray(-size), bits), id).not.toThrow();
      if (dictionary.length >= size) {
        expect(() => inflate(data, dictionary.subarray(-(size - 1)), bits), id).toThrow(/distance too far back/);
      }
    }
  });

  it('put the violation where the case says: RSV1 on a control or continuation frame, bad data', () => {
    for (const id of ['14.1.1', '14.1.2', '14.1.3', '14.1.4', '14.1.5']) {
      const { sends, failAt } = edge(id).deflateEdge;
      const bad = sends[failAt!]!.frames.filter((f) => (f.rsv ?? 0) & 4 && (f.opcode === 0 || f.opcode >= 8));
      expect(bad, id).toHaveLength(1);
    }
    for (const id of ['14.5.1', '14.5.2', '14.5.3']) {
      const { sends, failAt } = edge(id).deflateEdge;
      expect(() => inflate(payloadOf(sends[failAt!]!.frames)), id).toThrow();
    }
    const { sends } = edge('14.5.4').deflateEdge;
    const text = inflate(payloadOf(sends[1]!.frames), inflate(payloadOf(sends[0]!.frames)));
    expect(text.toString('hex')).toContain('eda080');
    expect(new TextDecoder('utf-8', { fatal: false }).decode(text)).toContain('\ufffd');
  });

  it('14.2.8 and 14.2.9: message 1 inflates on its own, but one DEFLATE stream over both messages breaks', () => {
    for (const [id, first] of [
      ['14.2.8', 'Hello'],
      ['14.2.9', 'Hello Hello'],
    ] as const) {
      const [one, two] = edge(id).deflateEdge.sends.map((s) => payloadOf(s.frames));
      expect(inflate(one!).toString(), id).toBe(first);
      expect(() => inflate(Buffer.concat([one!, TAIL, two!])), id).toThrow(/invalid stored block lengths/);
    }
  });
});

describe('group 14 in the catalogue', () => {
  it("holds 26 cases, ids 14.x.y, in both the server and the client lists, none of them Autobahn's", () => {
    const ids = group14.map((c) => c.id);
    expect(ids).toHaveLength(26);
    for (const id of ids) {
      expect(id).toMatch(/^14\.[1-5]\.[1-9]$/);
      expect(allCaseIds).toContain(id);
      expect(clientCaseIds).toContain(id);
      expect(autobahnCaseIds).not.toContain(id);
      expect(isAutobahnCaseId(id)).toBe(false);
      expect(casePosition(id)).toBeUndefined();
    }
    expect(selectCaseIds(allCaseIds, ['14.*'], [])).toEqual(ids);
    expect(selectCaseIds(clientCaseIds, ['*'], [])).toEqual(expect.arrayContaining(ids));
    expect(groupsOfCase('14.3.2').map((g) => g.id)).toEqual(['14', '14.3']);
  });

  it('states the RFC rule with its section in every description and expectation, and the verdicts', () => {
    for (const c of group14) {
      expect(c.description, c.id).toMatch(/RFC (7692|6455) §\d+(\.\d+)*/);
      expect(c.description, c.id).toContain(c.deflateEdge.rule);
      expect(c.expectation, c.id).toContain(`Rule: ${c.deflateEdge.rule}`);
      expect(c.expectation, c.id).toContain('UNIMPLEMENTED');
      expect(c.expectation, c.id).toMatch(/\bOK\b.*\bFAILED\b/);
      expect(c.deflateOffers, c.id).toHaveLength(1);
      expect(c.timeLimitMs, c.id).toBe(c.deflateEdge.windowMs);
    }
  });

  it('gives every outcome a verdict: one per count of replies before a failure', () => {
    for (const c of group14) {
      const spec = c.deflateEdge;
      const replies = expectedReplies(spec).length;
      expect(spec.failVerdicts, c.id).toHaveLength(spec.failAt === undefined ? replies : replies + 1);
      if (spec.failAt !== undefined) expect(spec.failVerdicts.at(-1), c.id).toBe('OK');
      // A case is short: a few messages.
      expect(spec.sends.length, c.id).toBeLessThanOrEqual(3);
    }
  });

  it('is deeply frozen', () => {
    const c = edge('14.1.1');
    expect(Object.isFrozen(c.deflateEdge.sends[1]!.frames[0])).toBe(true);
  });
});
