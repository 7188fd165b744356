import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../src/frame-decoder.js';
import { encodeFrame, encodeFrameHeader } from '../src/frame-encoder.js';
import { applyMask } from '../src/mask.js';
import { Opcode } from '../src/opcodes.js';
import { hex, patterned } from '../testing/index.js';

const MASK = hex('37fa213d');

describe('encodeFrameHeader: minimal length forms', () => {
  it.each([
    [0, '8200'],
    [1, '8201'],
    [125, '827d'],
    [126, '827e007e'],
    [127, '827e007f'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
    [0x7fffffff, '827f000000007fffffff'],
    [2 ** 32 + 5, '827f0000000100000005'],
    [Number.MAX_SAFE_INTEGER, '827f001fffffffffffff'],
  ])('payload %i → %s', (payloadLength, expected) => {
    expect(encodeFrameHeader({ opcode: Opcode.Binary, payloadLength }).toString('hex')).toBe(expected);
  });

  it('masked: MASK bit set and the 4 key bytes after the length', () => {
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 5, mask: MASK }).toString('hex')).toBe(
      '818537fa213d',
    );
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 126, mask: MASK }).toString('hex')).toBe(
      '81fe007e37fa213d',
    );
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 65536, mask: MASK }).toString('hex')).toBe(
      '81ff000000000001000037fa213d',
    );
  });

  it('only the first 4 bytes of a longer mask are used; a null mask means unmasked', () => {
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, mask: hex('0102030405') }).toString('hex')).toBe(
      '818001020304',
    );
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, mask: null }).toString('hex')).toBe('8100');
  });

  it('FIN defaults to true; FIN/RSV bits and the opcode go where §5.2 puts them', () => {
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, fin: false }).toString('hex')).toBe('0100');
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, rsv1: true }).toString('hex')).toBe('c100');
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, rsv2: true }).toString('hex')).toBe('a100');
    expect(encodeFrameHeader({ opcode: Opcode.Text, payloadLength: 0, rsv3: true }).toString('hex')).toBe('9100');
    expect(encodeFrameHeader({ opcode: Opcode.Pong, payloadLength: 0 }).toString('hex')).toBe('8a00');
  });
});

describe('encodeFrame: RFC 6455 §5.7 examples, byte for byte', () => {
  it('single-frame unmasked text "Hello"', () => {
    expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello') }).toString('hex')).toBe('810548656c6c6f');
  });

  it('single-frame masked text "Hello"', () => {
    expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: MASK }).toString('hex')).toBe(
      '818537fa213d7f9f4d5158',
    );
  });

  it('fragmented unmasked text "Hel" + "lo"', () => {
    expect(encodeFrame({ opcode: Opcode.Text, fin: false, payload: Buffer.from('Hel') }).toString('hex')).toBe(
      '010348656c',
    );
    expect(encodeFrame({ opcode: Opcode.Continuation, payload: Buffer.from('lo') }).toString('hex')).toBe('80026c6f');
  });

  it('unmasked Ping and masked Pong', () => {
    expect(encodeFrame({ opcode: Opcode.Ping, payload: Buffer.from('Hello') }).toString('hex')).toBe('890548656c6c6f');
    expect(encodeFrame({ opcode: Opcode.Pong, payload: Buffer.from('Hello'), mask: MASK }).toString('hex')).toBe(
      '8a8537fa213d7f9f4d5158',
    );
  });

  it('256-byte binary frame uses the 16-bit form, 64 KiB uses the 64-bit form', () => {
    const p256 = patterned(256);
    const f256 = encodeFrame({ opcode: Opcode.Binary, payload: p256 });
    expect(f256.subarray(0, 4).toString('hex')).toBe('827e0100');
    expect(f256.subarray(4).equals(p256)).toBe(true);
    const p64k = patterned(65536);
    const f64k = encodeFrame({ opcode: Opcode.Binary, payload: p64k });
    expect(f64k.subarray(0, 10).toString('hex')).toBe('827f0000000000010000');
    expect(f64k.subarray(10).equals(p64k)).toBe(true);
  });
});

describe('encodeFrame: minimal length forms at the boundaries', () => {
  it.each([
    [0, 2],
    [125, 2],
    [126, 4],
    [65535, 4],
    [65536, 10],
  ])(
    'payload %i → header of %i bytes (unmasked) and +4 masked, same prefix as encodeFrameHeader',
    (length, headerLength) => {
      const payload = patterned(length);
      const plain = encodeFrame({ opcode: Opcode.Binary, payload });
      expect(plain.length).toBe(headerLength + length);
      expect(
        plain.subarray(0, headerLength).equals(encodeFrameHeader({ opcode: Opcode.Binary, payloadLength: length })),
      ).toBe(true);
      expect(plain.subarray(headerLength).equals(payload)).toBe(true);
      const masked = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
      expect(masked.length).toBe(headerLength + 4 + length);
      expect(
        masked
          .subarray(0, headerLength + 4)
          .equals(encodeFrameHeader({ opcode: Opcode.Binary, payloadLength: length, mask: MASK })),
      ).toBe(true);
      const [frame] = decodeFrames(masked, { role: 'server' });
      expect(frame!.payloadLength).toBe(length);
      expect(frame!.headerLength).toBe(headerLength + 4);
      expect(frame!.payload.equals(payload)).toBe(true);
    },
  );
});

describe('encodeFrame: masking', () => {
  it('masked output unmasks to the payload (given mask)', () => {
    const payload = patterned(1000);
    const out = encodeFrame({ opcode: Opcode.Binary, payload, mask: MASK });
    expect(out.subarray(0, 4).toString('hex')).toBe('82fe03e8');
    expect(out.subarray(4, 8).equals(MASK)).toBe(true);
    const body = Buffer.from(out.subarray(8));
    expect(body.equals(payload)).toBe(false);
    applyMask(body, MASK);
    expect(body.equals(payload)).toBe(true);
  });

  it('mask: true draws a fresh key, writes it after the length and masks with it', () => {
    const payload = patterned(300);
    const keys = new Set<string>();
    for (let i = 0; i < 32; i++) {
      const out = encodeFrame({ opcode: Opcode.Binary, payload, mask: true });
      expect(out[1]! & 0x80).toBe(0x80);
      const key = out.subarray(4, 8);
      keys.add(key.toString('hex'));
      const body = Buffer.from(out.subarray(8));
      applyMask(body, key);
      expect(body.equals(payload)).toBe(true);
    }
    expect(keys.size).toBe(32);
  });

  it('mask: false / null / absent → unmasked', () => {
    for (const mask of [false, null, undefined]) {
      expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hi'), mask }).toString('hex')).toBe('81024869');
    }
  });

  it("never mutates the caller's payload, nor the bytes around it, nor the mask", () => {
    const backing = patterned(64);
    const snapshot = Buffer.from(backing);
    const payload = backing.subarray(3, 50);
    const mask = Buffer.from(MASK);
    encodeFrame({ opcode: Opcode.Binary, payload, mask });
    encodeFrame({ opcode: Opcode.Binary, payload, mask: true });
    encodeFrame({ opcode: Opcode.Binary, payload, mask, lengthForm: 64, declaredLength: 3 });
    expect(backing.equals(snapshot)).toBe(true);
    expect(mask.equals(MASK)).toBe(true);
  });

  it('a mask given as a view at an odd offset works', () => {
    const backing = Buffer.concat([hex('ff'), MASK, hex('ff')]);
    const out = encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: backing.subarray(1, 5) });
    expect(out.toString('hex')).toBe('818537fa213d7f9f4d5158');
  });

  it('the output is a fresh buffer, not a view of the payload', () => {
    const payload = Buffer.from('abc');
    const out = encodeFrame({ opcode: Opcode.Text, payload });
    out[2] = 0x7a;
    expect(payload.toString()).toBe('abc');
  });
});

describe('encodeFrame: invalid frames on demand', () => {
  it('any FIN/RSV/opcode combination, reserved opcodes included', () => {
    expect(encodeFrame({ opcode: 0x3 }).toString('hex')).toBe('8300');
    expect(encodeFrame({ opcode: 0xb }).toString('hex')).toBe('8b00');
    expect(encodeFrame({ opcode: 0xf, fin: false, rsv1: true, rsv2: true, rsv3: true }).toString('hex')).toBe('7f00');
    expect(encodeFrame({ opcode: Opcode.Ping, fin: false }).toString('hex')).toBe('0900');
    expect(encodeFrame({ opcode: Opcode.Text, rsv2: true, payload: Buffer.from('a') }).toString('hex')).toBe('a10161');
    expect(encodeFrame({ opcode: 0x1f }).toString('hex')).toBe('8f00'); // only 4 bits of opcode exist
  });

  it('forced 16-bit and 64-bit forms for a small payload (non-minimal encodings)', () => {
    expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hi'), lengthForm: 16 }).toString('hex')).toBe(
      '817e00024869',
    );
    expect(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hi'), lengthForm: 64 }).toString('hex')).toBe(
      '817f00000000000000024869',
    );
    expect(
      encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hi'), lengthForm: 16, mask: MASK }).toString('hex'),
    ).toBe('81fe000237fa213d' + '7f93');
  });

  it('a forced 7-bit form writes only the low 7 bits of the length', () => {
    expect(
      encodeFrame({ opcode: Opcode.Binary, payload: patterned(3), lengthForm: 7, declaredLength: 126 })
        .subarray(0, 2)
        .toString('hex'),
    ).toBe('827e');
    expect(
      encodeFrame({ opcode: Opcode.Binary, payload: patterned(3), lengthForm: 7, declaredLength: 200 })
        .subarray(0, 2)
        .toString('hex'),
    ).toBe('8248');
  });

  it('declaredLength lies about the length; the real payload follows', () => {
    expect(encodeFrame({ opcode: Opcode.Binary, payload: hex('010203'), declaredLength: 10 }).toString('hex')).toBe(
      '820a010203',
    );
    expect(encodeFrame({ opcode: Opcode.Binary, payload: hex('010203'), declaredLength: 0 }).toString('hex')).toBe(
      '8200010203',
    );
    // The form follows the declared length, not the real one.
    expect(encodeFrame({ opcode: Opcode.Binary, payload: hex('01'), declaredLength: 300 }).toString('hex')).toBe(
      '827e012c01',
    );
    expect(encodeFrame({ opcode: Opcode.Ping, declaredLength: 126 }).toString('hex')).toBe('897e007e');
  });

  it('64-bit declared lengths beyond 2^53, including the MSB, as a number or a bigint', () => {
    expect(encodeFrame({ opcode: Opcode.Binary, declaredLength: 2 ** 62 }).toString('hex')).toBe(
      '827f4000000000000000',
    );
    expect(encodeFrame({ opcode: Opcode.Binary, declaredLength: 2n ** 63n }).toString('hex')).toBe(
      '827f8000000000000000',
    );
    expect(encodeFrame({ opcode: Opcode.Binary, declaredLength: 2n ** 64n - 1n }).toString('hex')).toBe(
      '827fffffffffffffffff',
    );
    expect(encodeFrame({ opcode: Opcode.Binary, declaredLength: 2n ** 53n + 1n }).toString('hex')).toBe(
      '827f0020000000000001',
    );
  });

  it('a 16-bit form with a declared length over 65535 keeps the low 16 bits', () => {
    expect(encodeFrame({ opcode: Opcode.Binary, lengthForm: 16, declaredLength: 0x12345 }).toString('hex')).toBe(
      '827e2345',
    );
  });

  it('maskBit lies: set without a key, or clear with a key', () => {
    // MASK bit set but no key and the payload in clear.
    expect(encodeFrame({ opcode: Opcode.Binary, payload: hex('010203'), maskBit: true }).toString('hex')).toBe(
      '8283010203',
    );
    // MASK bit clear but the key is written and the payload masked with it.
    expect(
      encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: MASK, maskBit: false }).toString('hex'),
    ).toBe('810537fa213d7f9f4d5158');
    // Agreeing maskBit changes nothing.
    expect(
      encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: MASK, maskBit: true }).toString('hex'),
    ).toBe('818537fa213d7f9f4d5158');
  });

  it('lies combine: fragmented ping, RSV1, masked, 64-bit form, declared 1', () => {
    expect(
      encodeFrame({
        opcode: Opcode.Ping,
        fin: false,
        rsv1: true,
        payload: Buffer.from('Hello'),
        mask: MASK,
        lengthForm: 64,
        declaredLength: 1,
      }).toString('hex'),
    ).toBe('49ff0000000000000001' + '37fa213d' + '7f9f4d5158');
  });
});
