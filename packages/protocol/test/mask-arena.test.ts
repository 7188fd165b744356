import { describe, expect, it } from 'vitest';
import { applyMask } from '../src/mask.js';
import { MaskArena } from '../src/mask-arena.js';
import { prng } from '../testing/index.js';

const maskArena = MaskArena.create(256 * 1024);
const arena = maskArena?.buffer;

describe('mask arena (WebAssembly SIMD unmasking)', () => {
  it(
    'exists on this Node (WebAssembly SIMD), is the size asked for, ' +
      'and is a Buffer over memory that does not move',
    () => {
      expect(arena).not.toBeNull();
      expect(arena!.length).toBe(256 * 1024);
      expect(MaskArena.create(100)!.buffer.length).toBe(100);
    },
  );

  it(
    'unmasks exactly as applyMask for lengths 256..4 200 and 64 KiB, offsets 0..19, phases 0..3, ' +
      'touching nothing around',
    () => {
      const next = prng(0xa7e4a);
      const failures: string[] = [];
      const lengths = [256, 257, 271, 272, 1000, 4096, 4200, 65536];
      for (const length of lengths) {
        for (let offset = 0; offset < 20; offset++) {
          for (let phase = 0; phase < 4; phase++) {
            const mask = Uint8Array.from([next() & 0xff, next() & 0xff, next() & 0xff, next() & 0xff]);
            const region = arena!.subarray(0, offset + length + 16);
            for (let i = 0; i < region.length; i++) region[i] = next() & 0xff;
            const before = Buffer.from(region);
            const expected = Buffer.from(region.subarray(offset, offset + length));
            applyMask(expected, mask, phase);
            const view = arena!.subarray(offset, offset + length);
            expect(maskArena!.unmask(view, mask, phase)).toBe(true);
            const ok =
              Buffer.from(view).equals(expected) &&
              region.subarray(0, offset).equals(before.subarray(0, offset)) &&
              region.subarray(offset + length).equals(before.subarray(offset + length));
            if (!ok) failures.push(`length ${length} offset ${offset} phase ${phase}`);
          }
        }
      }
      expect(failures).toEqual([]);
    },
  );

  it('declines (and leaves untouched) buffers outside an arena and pieces too short to be worth a call', () => {
    const plain = Buffer.alloc(4096, 7);
    expect(maskArena!.unmask(plain, Uint8Array.from([1, 2, 3, 4]), 0)).toBe(false);
    expect(plain.every((b) => b === 7)).toBe(true);
    const short = arena!.subarray(0, 255).fill(9);
    expect(maskArena!.unmask(short, Uint8Array.from([1, 2, 3, 4]), 0)).toBe(false);
    expect(short.every((b) => b === 9)).toBe(true);
  });

  it('only unmasks views of its own memory, and nothing once released', () => {
    const other = MaskArena.create(4096)!;
    const view = other.buffer.subarray(0, 1024).fill(5);
    expect(maskArena!.unmask(view, Uint8Array.from([1, 2, 3, 4]), 0)).toBe(false);
    expect(view.every((b) => b === 5)).toBe(true);
    expect(other.holds(view)).toBe(true);
    expect(maskArena!.holds(view)).toBe(false);
    other.release();
    expect(other.unmask(view, Uint8Array.from([1, 2, 3, 4]), 0)).toBe(false);
    expect(view.every((b) => b === 5)).toBe(true);
  });
});
