import { describe, expect, it } from 'vitest';
import {
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_TEXT,
  buildCloseFrame,
  buildMaskedFrame,
  buildMaskedMessage,
  buildPayload,
  maskedHeaderLength,
  repeatMessage,
} from '../src/frames.js';
import { ReplyCounter } from '../src/reply-counter.js';
import { decodeMaskedFrame as decode } from './decode-client-frames.js';


describe('frame builder', () => {
  for (const size of [0, 32, 125, 126, 65535, 65536, 1 << 20]) {
    it(`masks a ${size}-byte payload behind the right length form`, () => {
      const payload = buildPayload(OPCODE_BINARY, size);
      const frame = buildMaskedFrame(OPCODE_BINARY, payload);
      expect(frame.length).toBe(maskedHeaderLength(size) + size);
      const d = decode(frame);
      expect(d).toMatchObject({ fin: true, opcode: OPCODE_BINARY, next: frame.length });
      expect(d.payload.equals(payload)).toBe(true);
    });
  }

  it('never uses the zero mask key (a server could skip unmasking)', () => {
    for (let i = 0; i < 50; i++) expect(buildMaskedFrame(OPCODE_TEXT, Buffer.alloc(4)).readUInt32BE(2)).not.toBe(0);
  });

  it('text payloads are valid UTF-8', () => {
    expect(Buffer.from(buildPayload(OPCODE_TEXT, 32).toString('utf8')).length).toBe(32);
  });

  it('fragments a message: first frame carries the opcode, continuations follow, FIN on the last', () => {
    const payload = buildPayload(OPCODE_BINARY, 10_000);
    const message = buildMaskedMessage(OPCODE_BINARY, payload, 4096);
    const frames = [];
    for (let at = 0; at < message.length; ) {
      const d = decode(message, at);
      frames.push(d);
      at = d.next;
    }
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.length])).toEqual([
      [OPCODE_BINARY, false, 4096],
      [OPCODE_CONTINUATION, false, 4096],
      [OPCODE_CONTINUATION, true, 10_000 - 8192],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(payload)).toBe(true);
  });

  it('repeats a message so k messages are one prefix', () => {
    const one = buildMaskedMessage(OPCODE_TEXT, buildPayload(OPCODE_TEXT, 32));
    const batch = repeatMessage(one, 32);
    const counter = new ReplyCounter();
    expect(counter.push(batch.subarray(0, 5 * one.length))).toBe(5);
  });

  it('builds a close frame with code 1000', () => {
    const d = decode(buildCloseFrame());
    expect(d.opcode).toBe(OPCODE_CLOSE);
    expect(d.payload.readUInt16BE(0)).toBe(1000);
  });
});
