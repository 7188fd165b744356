import { Opcode } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import { buildCloseFrame, buildMaskedMessage, buildPayload } from '../src/frames.js';
import { buildEchoMessage } from '../src/load/echo-message.js';
import { ReplyCounter } from '../src/reply-counter.js';
import { selectWorkloads, type EchoWorkload } from '../src/workloads.js';
import { decodeMaskedFrame as decode, decodeMaskedFrames } from './decode-client-frames.js';

describe('client frames', () => {
  for (const size of [0, 32, 125, 126, 65535, 65536, 1 << 20]) {
    it(`masks a ${size}-byte payload in one frame`, () => {
      const payload = buildPayload(Opcode.Binary, size);
      const frame = buildMaskedMessage(Opcode.Binary, payload);
      const d = decode(frame);
      expect(d).toMatchObject({ fin: true, rsv1: false, opcode: Opcode.Binary, next: frame.length });
      expect(d.payload.equals(payload)).toBe(true);
    });
  }

  it('never uses the zero mask key (a server could skip unmasking)', () => {
    for (let i = 0; i < 50; i++) expect(buildMaskedMessage(Opcode.Text, Buffer.alloc(4)).readUInt32BE(2)).not.toBe(0);
  });

  it('text payloads are valid UTF-8', () => {
    expect(Buffer.from(buildPayload(Opcode.Text, 32).toString('utf8')).length).toBe(32);
  });

  it('fragments a message: first frame carries the opcode and RSV1, continuations follow, FIN on the last', () => {
    const payload = buildPayload(Opcode.Binary, 10_000);
    const frames = decodeMaskedFrames(buildMaskedMessage(Opcode.Binary, payload, 4096, true));
    expect(frames.map((f) => [f.opcode, f.fin, f.rsv1, f.payload.length])).toEqual([
      [Opcode.Binary, false, true, 4096],
      [Opcode.Continuation, false, false, 4096],
      [Opcode.Continuation, true, false, 10_000 - 8192],
    ]);
    expect(Buffer.concat(frames.map((f) => f.payload)).equals(payload)).toBe(true);
  });

  it('an echo job batches its in-flight messages into one buffer, k messages a prefix', () => {
    const [small] = selectWorkloads(['small-c1-f32']) as EchoWorkload[];
    const { unit, batch } = buildEchoMessage(small!, false);
    expect(batch).toHaveLength(unit.length * 32);
    expect(new ReplyCounter().push(batch!.subarray(0, 5 * unit.length))).toBe(5);
  });

  it('builds a close frame with code 1000', () => {
    const d = decode(buildCloseFrame());
    expect(d).toMatchObject({ fin: true, opcode: Opcode.Close });
    expect(d.payload.readUInt16BE(0)).toBe(1000);
  });
});
