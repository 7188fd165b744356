import { describe, expect, it } from 'vitest';
import { applyMask, randomMask } from '../src/mask.js';
import { prng } from '../testing/index.js';

function randomBytes(next: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/** The definition from RFC 6455 §5.3: octet i of the payload is XORed with octet (i mod 4) of the key. */
function naiveMask(data: Uint8Array, mask: Uint8Array, phase: number): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ mask[(phase + i) & 3]!;
  return out;
}

describe('applyMask', () => {
  it(
    'equals a byte-loop XOR for every length 0..300, byteOffset 0..7 and phase 0..3, ' +
      'touching nothing outside the view',
    () => {
      const next = prng(0x5eed);
      let cases = 0;
      const failures: string[] = [];
      for (let length = 0; length <= 300; length++) {
        for (let offset = 0; offset < 8; offset++) {
          for (let phase = 0; phase < 4; phase++) {
            const mask = randomBytes(next, 4);
            // A larger backing buffer with guard bytes on both sides of the view.
            const backing = randomBytes(next, offset + length + 8);
            const before = backing.slice();
            const view = backing.subarray(offset, offset + length);
            const input = view.slice();
            applyMask(view, mask, phase);
            const ok =
              Buffer.from(view).equals(Buffer.from(naiveMask(input, mask, phase))) &&
              Buffer.from(backing.subarray(0, offset)).equals(Buffer.from(before.subarray(0, offset))) &&
              Buffer.from(backing.subarray(offset + length)).equals(Buffer.from(before.subarray(offset + length)));
            if (!ok) failures.push(`length ${length} offset ${offset} phase ${phase}`);
            cases++;
          }
        }
      }
      expect(failures).toEqual([]);
      expect(cases).toBe(301 * 8 * 4);
    },
  );

  it("works on Buffers carved from Node's shared pool (arbitrary byteOffset)", () => {
    const next = prng(7);
    for (let i = 0; i < 200; i++) {
      const length = next() % 64;
      const buf = Buffer.allocUnsafe(length); // small allocations come from the pool at any offset
      buf.set(randomBytes(next, length));
      const mask = randomBytes(next, 4);
      const phase = next() & 3;
      const expected = naiveMask(buf, mask, phase);
      applyMask(buf, mask, phase);
      expect(Buffer.from(buf).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('applying the same mask twice restores the input', () => {
    const next = prng(99);
    for (let length = 0; length <= 300; length += 7) {
      for (let offset = 0; offset < 8; offset++) {
        for (let phase = 0; phase < 4; phase++) {
          const backing = randomBytes(next, offset + length);
          const view = backing.subarray(offset);
          const original = view.slice();
          const mask = randomBytes(next, 4);
          applyMask(view, mask, phase);
          if (length >= 4 && mask.some((b) => b !== 0)) expect(view).not.toEqual(original);
          applyMask(view, mask, phase);
          expect(view).toEqual(original);
        }
      }
    }
  });

  it('masking in pieces with a running phase equals masking the whole payload (how the decoder uses it)', () => {
    const next = prng(1234);
    const mask = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
    const payload = randomBytes(next, 1000);
    const expected = naiveMask(payload, mask, 0);
    for (let trial = 0; trial < 50; trial++) {
      const work = payload.slice();
      let pos = 0;
      let phase = 0;
      while (pos < work.length) {
        const take = Math.min(work.length - pos, 1 + (next() % 37));
        applyMask(work.subarray(pos, pos + take), mask, phase);
        phase = (phase + take) & 3;
        pos += take;
      }
      expect(work).toEqual(expected);
    }
  });

  it('a 1 MiB payload at an odd offset matches the byte loop', () => {
    const next = prng(42);
    const backing = randomBytes(next, (1 << 20) + 3);
    const view = backing.subarray(3);
    const input = view.slice();
    const mask = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
    applyMask(view, mask, 2);
    expect(Buffer.from(view).equals(Buffer.from(naiveMask(input, mask, 2)))).toBe(true);
  });

  it('the RFC 6455 §5.7 example: "Hello" with key 37 fa 21 3d', () => {
    const data = Buffer.from('Hello');
    applyMask(data, Buffer.from('37fa213d', 'hex'));
    expect(data.toString('hex')).toBe('7f9f4d5158');
  });

  it('only the low two bits of phase count', () => {
    const mask = Uint8Array.of(1, 2, 4, 8);
    const a = new Uint8Array(9);
    const b = new Uint8Array(9);
    applyMask(a, mask, 1);
    applyMask(b, mask, 5);
    expect(a).toEqual(b);
    expect(Array.from(a)).toEqual([2, 4, 8, 1, 2, 4, 8, 1, 2]);
  });
});

describe('randomMask', () => {
  it('returns 4-byte masks that are distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) {
      const mask = randomMask();
      expect(mask.length).toBe(4);
      seen.add(mask.toString('hex'));
    }
    // 256 random 32-bit values collide with probability ~8e-6.
    expect(seen.size).toBe(256);
  });

  it('keeps masks distinct across pool refills, and earlier masks are not overwritten by later draws', () => {
    const first = randomMask();
    const firstCopy = Buffer.from(first);
    const all = new Set<string>();
    for (let i = 0; i < 5000; i++) all.add(randomMask().toString('hex')); // crosses several 4 KiB pools
    expect(first.equals(firstCopy)).toBe(true);
    // Expected collisions among 5000 random 32-bit values: ~0.003.
    expect(all.size).toBeGreaterThanOrEqual(4998);
  });

  it('consecutive masks do not share memory', () => {
    const a = randomMask();
    const b = randomMask();
    const bCopy = Buffer.from(b);
    a.fill(0);
    expect(b.equals(bCopy)).toBe(true);
  });
});
