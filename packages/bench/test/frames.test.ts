import { Opcode } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import {
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
      const payload = buildPayload(Opcode.Binary, size);
      const frame = buildMaskedFrame(Opcode.Binary, payload);
      expect(frame.length).toBe(maskedHeaderLength(size) + size);
      const d = decode(frame);
      expect(d).toMatchObject({ fin: true, opcode: Opcode.Binary, next: frame.length });
      expect(d.payload.equals(payload)).toBe(true);
    });
  }

  it('never uses the zero mask key (a server could skip unmasking)', () => {
    for (let i = 0; i < 50; i++) expect(buildMaskedFrame(Opcode.Text, Buffer.alloc(4)).readUInt32BE(2)).not.toBe(0);
  });

  it('text payloads are valid UTF-8', () => {
    expect(Buffer.from(buildPayload(Opcode.Text, 32).toString('utf8')).length).toBe(32);
  });

  it('fragments a message: first frame carries the opcode, continuations follow, FIN on the last', () => {
    const payload = buildPayload(Opcode.Binary, 10_000);
    const message = buildMaskedMessage(Opcode.Binary, payload, 4096);
    const frames = [];
    for (let at = 0; at < message.length; ) {
      const d = decode(message, at);
      frames.push(d);
      at = d.next;
    }
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.length])).toEqual([
      [Opcode.Binary, false, 4096],
      [Opcode.Continuation, false, 4096],
      [Opcode.Continuation, true, 10_000 - 8192],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(payload)).toBe(true);
  });

  it('repeats a message so k messages are one prefix', () => {
    const one = buildMaskedMessage(Opcode.Text, buildPayload(Opcode.Text, 32));
    const batch = repeatMessage(one, 32);
    const counter = new ReplyCounter();
    expect(counter.push(batch.subarray(0, 5 * one.length))).toBe(5);
  });

  it('builds a close frame with code 1000', () => {
    const d = decode(buildCloseFrame());
    expect(d.opcode).toBe(Opcode.Close);
    expect(d.payload.readUInt16BE(0)).toBe(1000);
  });
});
