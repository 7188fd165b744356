import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameCollector, Opcode, encodeFrame, type Frame, type FrameSpec } from '../src/index.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, chop, propertyParams } from '../testing/index.js';

const DATA_OPCODES = [Opcode.Continuation, Opcode.Text, Opcode.Binary];
const CONTROL_OPCODES = [Opcode.Close, Opcode.Ping, Opcode.Pong];

/** Payload sizes that cross every length-encoding boundary, plus random ones. */
const payloadSize = fc.oneof(
  fc.constantFrom(0, 1, 125, 126, 127, 65535, 65536, 70000),
  fc.integer({ min: 0, max: 2000 }),
);

interface Drawn {
  spec: FrameSpec;
  payload: Buffer;
}

/** Any frame a peer may legally send in `role`'s direction: data or control, any FIN (control: final). */
function frameArb(maskedByPeer: boolean, allowRsv1: boolean): fc.Arbitrary<Drawn> {
  return fc
    .record({
      control: fc.boolean(),
      dataOpcode: fc.constantFrom(...DATA_OPCODES),
      controlOpcode: fc.constantFrom(...CONTROL_OPCODES),
      fin: fc.boolean(),
      rsv1: allowRsv1 ? fc.boolean() : fc.constant(false),
      size: payloadSize,
      controlSize: fc.integer({ min: 0, max: 125 }),
      seed: fc.integer({ min: 0, max: 255 }),
      mask: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    })
    .map((r) => {
      const size = r.control ? r.controlSize : r.size;
      const payload = Buffer.alloc(size);
      for (let i = 0; i < size; i++) payload[i] = (r.seed + i * 7) & 0xff;
      const spec: FrameSpec = {
        opcode: r.control ? r.controlOpcode : r.dataOpcode,
        fin: r.control ? true : r.fin,
        rsv1: r.control ? false : r.rsv1,
        payload,
        mask: maskedByPeer ? Buffer.from(r.mask) : null,
      };
      return { spec, payload };
    });
}

describe('property: encode → chop anywhere → decode gives back every frame', () => {
  for (const role of ['server', 'client'] as const) {
    it(`${role} role (seed ${PROPERTY_SEED})`, { timeout: PROPERTY_TIMEOUT_MS }, () => {
      fc.assert(
        fc.property(
          fc.array(frameArb(role === 'server', true), { minLength: 1, maxLength: 8 }),
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
          fc.boolean(),
          (frames, fractions, byteAtATimeHead) => {
            const stream = Buffer.concat(frames.map((f) => encodeFrame(f.spec)));
            const cuts = fractions.map((f) => Math.floor(f * stream.length));
            // Sometimes feed the first 20 bytes one at a time, the worst case for header gathering.
            if (byteAtATimeHead) cuts.push(...Array.from({ length: Math.min(20, stream.length) }, (_, i) => i + 1));
            // chop copies: the decoder unmasks in place and must not see shared memory.
            const collector = new FrameCollector({ role, allowedRsv: 4 });
            const decoded: Frame[] = [];
            for (const chunk of chop(stream, cuts)) {
              const { frames: got, error } = collector.push(chunk);
              expect(error).toBeNull();
              decoded.push(...got);
            }
            expect(decoded).toHaveLength(frames.length);
            decoded.forEach((got, i) => {
              const want = frames[i]!;
              expect(got.opcode).toBe(want.spec.opcode);
              expect(got.fin).toBe(want.spec.fin);
              expect(got.rsv1).toBe(want.spec.rsv1);
              expect(got.masked).toBe(role === 'server');
              expect(got.payloadLength).toBe(want.payload.length);
              expect(got.payload.equals(want.payload)).toBe(true);
            });
          },
        ),
        propertyParams(300),
      );
    });
  }
});

describe('requireMinimalLength (the fuzzing client checks what servers send)', () => {
  it.each([
    [16, 100],
    [64, 100],
    [64, 65535],
  ] as const)('%i-bit form carrying %i bytes → 1002', (lengthForm, length) => {
    const frame = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(length), lengthForm });
    const strict = new FrameCollector({ role: 'client', requireMinimalLength: true }).push(frame);
    expect(strict.error?.code).toBe('WS_ERR_NON_MINIMAL_PAYLOAD_LENGTH');
    expect(strict.frames).toHaveLength(0);
    const lenient = new FrameCollector({ role: 'client' }).push(frame);
    expect(lenient.error).toBeNull();
  });

  it('minimal forms pass at every boundary', () => {
    for (const length of [0, 125, 126, 65535, 65536]) {
      const frame = encodeFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(length) });
      expect(new FrameCollector({ role: 'client', requireMinimalLength: true }).push(frame).error).toBeNull();
    }
  });
});
