import { Opcode } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import { buildMaskedMessage, buildPayload } from '../src/frames.js';
import { ReplyCounter, headerSize } from '../src/reply-counter.js';

/** An unmasked server frame; `rsv1` marks a compressed message's first frame. */
function serverFrame(opcode: number, payload: Buffer, fin = true, rsv1 = false): Buffer {
  const len = payload.length;
  const head =
    len < 126 ? Buffer.from([0, len]) : len <= 0xffff ? Buffer.from([0, 126, len >> 8, len & 0xff]) : Buffer.alloc(10);
  if (len > 0xffff) {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  return Buffer.concat([head, payload]);
}

/** Feeds `bytes` in pieces cut at `cuts` and returns the counts per piece. */
function feed(counter: ReplyCounter, bytes: Buffer, cuts: number[]): number[] {
  const edges = [0, ...cuts, bytes.length];
  return edges.slice(1).map((end, i) => counter.push(bytes, edges[i]!, end));
}

const small = serverFrame(Opcode.Text, Buffer.alloc(32, 0x61));
const stream = Buffer.concat([
  small,
  serverFrame(0x9, Buffer.from('ping')), // a control frame: not a message
  serverFrame(Opcode.Binary, Buffer.alloc(300, 1)), // 16-bit length
  serverFrame(Opcode.Binary, Buffer.alloc(70_000, 2)), // 64-bit length
  serverFrame(Opcode.Binary, Buffer.alloc(10, 3), false), // fragmented message...
  serverFrame(0x0, Buffer.alloc(0), false),
  serverFrame(0x0, Buffer.alloc(5, 3), true), // ...ends here
  serverFrame(Opcode.Text, Buffer.alloc(0)), // empty message
  serverFrame(0x8, Buffer.from([0x03, 0xe8])),
]);
const MESSAGES = 5;
const PAYLOAD = 32 + 300 + 70_000 + 15;

describe('reply counter', () => {
  it('counts whole messages, not frames, and skips control frames', () => {
    const c = new ReplyCounter();
    expect(c.push(stream)).toBe(MESSAGES);
    expect(c).toMatchObject({ messages: MESSAGES, payloadBytes: PAYLOAD, closeFrames: 1 });
    expect(c.atFrameBoundary).toBe(true);
  });

  it('gives the same counts whatever the chunking: every single cut point', () => {
    // Every cut through the first 400 bytes (headers split at every offset) and through the last frames.
    const cuts = [
      ...Array.from({ length: 400 }, (_, i) => i + 1),
      ...Array.from({ length: 60 }, (_, i) => stream.length - 60 + i),
    ];
    for (const cut of cuts) {
      const c = new ReplyCounter();
      const counts = feed(c, stream, [cut]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(MESSAGES);
      expect(c).toMatchObject({ messages: MESSAGES, payloadBytes: PAYLOAD, closeFrames: 1 });
    }
  });

  it('handles one byte at a time (every header arrives in pieces)', () => {
    const c = new ReplyCounter();
    let total = 0;
    for (let i = 0; i < stream.length; i++) total += c.push(stream, i, i + 1);
    expect(total).toBe(MESSAGES);
    expect(c.payloadBytes).toBe(PAYLOAD);
  });

  it('reports a message in the chunk where its last byte arrives', () => {
    const c = new ReplyCounter();
    const two = Buffer.concat([small, small]);
    expect(feed(c, two, [small.length - 1, small.length + 1])).toEqual([0, 1, 1]);
  });

  it('walks masked frames too (the raw TCP echo returns the client frames)', () => {
    const msg = buildMaskedMessage(Opcode.Binary, buildPayload(Opcode.Binary, 1 << 20), 4096);
    const bytes = Buffer.concat([msg, msg, buildMaskedMessage(Opcode.Text, buildPayload(Opcode.Text, 32))]);
    const c = new ReplyCounter();
    const counts = feed(c, bytes, [7, 65_536, 1_048_579, 2 * msg.length + 3]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(c.payloadBytes).toBe(2 * (1 << 20) + 32);
  });

  it('header size needs only the first two bytes', () => {
    expect(headerSize(Buffer.from([0x81]), 0, 1)).toBe(0);
    expect(headerSize(Buffer.from([0x81, 0x20]), 0, 2)).toBe(2);
    expect(headerSize(Buffer.from([0x82, 0xfe]), 0, 2)).toBe(8);
    expect(headerSize(Buffer.from([0x82, 0x7f]), 0, 2)).toBe(10);
    expect(headerSize(Buffer.from([0x82, 0xff]), 0, 2)).toBe(14);
  });
});

describe('reply counter: compressed replies (RSV1)', () => {
  const compressed = (size: number): Buffer => serverFrame(Opcode.Binary, Buffer.alloc(size, 7), true, true);
  // Compressed, plain, a compressed message in three fragments (RSV1 on the first only) with a ping in
  // between, a plain fragmented one, then a compressed one with a 64-bit length.
  const mixed = Buffer.concat([
    compressed(40),
    serverFrame(Opcode.Text, Buffer.alloc(20, 0x61)),
    serverFrame(Opcode.Binary, Buffer.alloc(300, 1), false, true),
    serverFrame(0x0, Buffer.alloc(200, 1), false),
    serverFrame(0x9, Buffer.from('ping')),
    serverFrame(0x0, Buffer.alloc(10, 1), true),
    serverFrame(Opcode.Binary, Buffer.alloc(10, 1), false),
    serverFrame(0x0, Buffer.alloc(10, 1), true),
    compressed(70_000),
  ]);

  it('counts messages whose FIRST frame has RSV1, whatever the fragmentation', () => {
    const c = new ReplyCounter();
    expect(c.push(mixed)).toBe(5);
    expect(c).toMatchObject({ messages: 5, compressedMessages: 3, payloadBytes: 40 + 20 + 510 + 20 + 70_000 });
  });

  it('gives the same count one byte at a time (headers split everywhere)', () => {
    const c = new ReplyCounter();
    for (let i = 0; i < mixed.length; i++) c.push(mixed, i, i + 1);
    expect(c).toMatchObject({ messages: 5, compressedMessages: 3 });
  });

  it('counts a compressed message only once it is complete', () => {
    const c = new ReplyCounter();
    const first = serverFrame(Opcode.Binary, Buffer.alloc(5), false, true);
    c.push(first);
    expect(c.compressedMessages).toBe(0);
    c.push(serverFrame(0x0, Buffer.alloc(5), true));
    expect(c.compressedMessages).toBe(1);
  });

  it('plain traffic counts no compressed message, not even from RSV1 on a continuation or a control frame', () => {
    const c = new ReplyCounter();
    c.push(stream);
    expect(c.compressedMessages).toBe(0);
    // RSV1 on a continuation is not a compressed message (RFC 7692 §6.1); a control frame cannot start one.
    c.push(
      Buffer.concat([
        serverFrame(Opcode.Binary, Buffer.alloc(3), false),
        serverFrame(0x0, Buffer.alloc(3), true, true),
        serverFrame(0x9, Buffer.alloc(1), true, true),
      ]),
    );
    expect(c).toMatchObject({ messages: MESSAGES + 1, compressedMessages: 0 });
  });
});
