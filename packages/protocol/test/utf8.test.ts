import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Validator, isValidUtf8 } from '../src/utf8.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, hex, propertyParams } from '../testing/index.js';

/** The reference: WHATWG's fatal UTF-8 decoder. */
function referenceValid(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Independent oracle for "can these bytes still become valid UTF-8?": some completion by at most 3
 * continuation bytes makes them valid. 0x80, 0x90 and 0xA0 between them hit every first-continuation range
 * (80–BF, A0–BF after E0, 80–9F after ED, 90–BF after F0, 80–8F after F4).
 */
const COMPLETIONS: number[][] = (() => {
  const out: number[][] = [[]];
  const cont = [0x80, 0x90, 0xa0];
  for (const a of cont) {
    out.push([a]);
    for (const b of cont) {
      out.push([a, b]);
      for (const c of cont) out.push([a, b, c]);
    }
  }
  return out;
})();

function isValidPrefix(bytes: Uint8Array): boolean {
  return COMPLETIONS.some((suffix) => referenceValid(Buffer.concat([bytes, Uint8Array.from(suffix)])));
}

/** Index of the first byte at which the input stops being a prefix of valid UTF-8, or -1. */
function firstBadIndex(bytes: Uint8Array): number {
  // Prefix validity is monotone, so binary search on the prefix length.
  if (isValidPrefix(bytes)) return -1;
  let lo = 0; // bytes[0..lo) is a valid prefix
  let hi = bytes.length; // bytes[0..hi) is not
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (isValidPrefix(bytes.subarray(0, mid))) lo = mid;
    else hi = mid;
  }
  return hi - 1;
}

function validateInChunks(bytes: Uint8Array, cuts: number[]): { verdicts: boolean[]; end: boolean } {
  const v = new Utf8Validator();
  const verdicts: boolean[] = [];
  let prev = 0;
  for (const cut of [...cuts, bytes.length]) {
    verdicts.push(v.push(bytes.subarray(prev, cut)));
    prev = cut;
  }
  return { verdicts, end: v.end() };
}

// Markus Kuhn's UTF-8 decoder stress test, the cases that matter to a validator.
const KUHN_CASES: [string, string, boolean][] = [
  ['empty', '', true],
  ['ASCII', '48656c6c6f', true],
  ['κόσμε', 'cebae1bdb9cf83cebcceb5', true],
  ['first 1-byte U+0000', '00', true],
  ['first 2-byte U+0080', 'c280', true],
  ['first 3-byte U+0800', 'e0a080', true],
  ['first 4-byte U+10000', 'f0908080', true],
  ['last 1-byte U+007F', '7f', true],
  ['last 2-byte U+07FF', 'dfbf', true],
  ['last 3-byte U+FFFF', 'efbfbf', true],
  ['U+D7FF', 'ed9fbf', true],
  ['U+E000', 'ee8080', true],
  ['U+FFFD', 'efbfbd', true],
  ['U+10FFFF', 'f48fbfbf', true],
  ['non-character U+FFFE', 'efbfbe', true],
  ['non-character U+FDD0', 'efb790', true],
  ['non-character U+1FFFF', 'f09fbfbf', true],
  ['BOM', 'efbbbf41', true],
  ['> U+10FFFF: F4 90 80 80', 'f4908080', false],
  ['5-byte form F8 88 80 80 80', 'f888808080', false],
  ['6-byte form FC 84 80 80 80 80', 'fc8480808080', false],
  ['lone continuation 80', '80', false],
  ['lone continuation BF', 'bf', false],
  ['two continuations', '80bf', false],
  ['continuation after ASCII', '4180', false],
  ['continuation after complete 2-byte', 'c28080', false],
  ['lone start C2 followed by space', 'c220', false],
  ['lone start E1 followed by space', 'e120', false],
  ['lone start F1 followed by space', 'f120', false],
  ['truncated 2-byte', 'c2', false],
  ['truncated 3-byte (1 of 2)', 'e2', false],
  ['truncated 3-byte (2 of 2)', 'e282', false],
  ['truncated 4-byte (3 of 3)', 'f09f98', false],
  ['truncated sequences concatenated', 'c2e282f09f98', false],
  ['overlong / C0 AF', 'c0af', false],
  ['overlong / E0 80 AF', 'e080af', false],
  ['overlong / F0 80 80 AF', 'f08080af', false],
  ['overlong NUL C0 80', 'c080', false],
  ['overlong NUL E0 80 80', 'e08080', false],
  ['overlong NUL F0 80 80 80', 'f0808080', false],
  ['maximal overlong C1 BF', 'c1bf', false],
  ['maximal overlong E0 9F BF', 'e09fbf', false],
  ['maximal overlong F0 8F BF BF', 'f08fbfbf', false],
  ['surrogate ED A0 80 (U+D800)', 'eda080', false],
  ['surrogate ED AD BF (U+DB7F)', 'edadbf', false],
  ['surrogate ED AE 80 (U+DB80)', 'edae80', false],
  ['surrogate ED AF BF (U+DBFF)', 'edafbf', false],
  ['surrogate ED B0 80 (U+DC00)', 'edb080', false],
  ['surrogate ED BE 80 (U+DF80)', 'edbe80', false],
  ['surrogate ED BF BF (U+DFFF)', 'edbfbf', false],
  ['surrogate pair ED A0 80 ED B0 80', 'eda080edb080', false],
  ['surrogate pair ED AF BF ED BF BF', 'edafbfedbfbf', false],
  ['F5', 'f5', false],
  ['F5 80 80 80', 'f5808080', false],
  ['F7 BF BF BF', 'f7bfbfbf', false],
  ['FE', 'fe', false],
  ['FF', 'ff', false],
  ['FE FE FF FF', 'fefeffff', false],
  ['Autobahn 6.4.1 κόσμε + F4 90 80 80 + edited', 'cebae1bdb9cf83cebcceb5f4908080656469746564', false],
];

describe('Utf8Validator: Markus Kuhn edge cases', () => {
  it.each(KUHN_CASES)('%s', (_name, hexBytes, valid) => {
    const bytes = hex(hexBytes);
    expect(referenceValid(bytes)).toBe(valid); // the table itself agrees with TextDecoder
    expect(isValidUtf8(bytes)).toBe(valid);
    const whole = new Utf8Validator();
    const pushed = whole.push(bytes);
    expect(pushed && whole.end()).toBe(valid);
    // Byte by byte the verdict is the same, and push fails exactly at the first impossible byte.
    const bad = firstBadIndex(bytes);
    const v = new Utf8Validator();
    for (const [i, b] of bytes.entries()) expect(v.push(Uint8Array.of(b))).toBe(bad === -1 || i < bad);
    expect(v.end()).toBe(valid);
  });
});

describe('Utf8Validator: fail-fast', () => {
  it("6.4.2's split: push(ce ba f4) is still a valid prefix, push(90) fails immediately", () => {
    const v = new Utf8Validator();
    expect(v.push(hex('ce ba f4'))).toBe(true);
    expect(v.push(hex('90'))).toBe(false);
    expect(v.end()).toBe(false);
  });

  it('f4 90 80 80 byte by byte fails at the 0x90 byte', () => {
    const v = new Utf8Validator();
    expect(v.push(hex('f4'))).toBe(true);
    expect(v.push(hex('90'))).toBe(false);
  });

  it.each([
    ['overlong E0 80', 'e0', '80'],
    ['overlong F0 80', 'f0', '8f'],
    ['surrogate ED A0', 'ed', 'a0'],
    ['> U+10FFFF F4 90', 'f4', '90'],
    ['ASCII where a continuation is needed', 'e282', '41'],
    ['new lead where a continuation is needed', 'f09f', 'c2'],
  ])('%s fails at the second chunk', (_name, first, second) => {
    const v = new Utf8Validator();
    expect(v.push(hex(first))).toBe(true);
    expect(v.push(hex(second))).toBe(false);
  });

  it('a bad byte at the end of a chunk whose bulk is valid fails that chunk (not the next one)', () => {
    const v = new Utf8Validator();
    expect(v.push(Buffer.concat([Buffer.from('x'.repeat(100)), hex('ed a0')]))).toBe(false);
  });

  it('a truncated sequence at the end of a chunk is accepted until the message ends', () => {
    const v = new Utf8Validator();
    expect(v.push(Buffer.concat([Buffer.from('a'.repeat(50)), hex('f0 9f')]))).toBe(true);
    expect(v.end()).toBe(false);
    expect(v.push(hex('98 80'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('failure is sticky until reset()', () => {
    const v = new Utf8Validator();
    expect(v.push(hex('ff'))).toBe(false);
    expect(v.push(Buffer.from('fine'))).toBe(false);
    expect(v.end()).toBe(false);
    v.reset();
    expect(v.push(Buffer.from('fine'))).toBe(true);
    expect(v.end()).toBe(true);
  });

  it('reset() also forgets a sequence left open', () => {
    const v = new Utf8Validator();
    expect(v.push(hex('e2 82'))).toBe(true);
    v.reset();
    expect(v.end()).toBe(true);
    expect(v.push(Buffer.from('A'))).toBe(true); // would be rejected if E2 82 were still pending
  });

  it('empty pushes are neutral', () => {
    const v = new Utf8Validator();
    expect(v.end()).toBe(true);
    expect(v.push(new Uint8Array(0))).toBe(true);
    expect(v.push(hex('e2'))).toBe(true);
    expect(v.push(new Uint8Array(0))).toBe(true);
    expect(v.end()).toBe(false);
    expect(v.push(hex('82 ac'))).toBe(true);
    expect(v.end()).toBe(true);
  });
});

// ---- properties --------------------------------------------------------------------------------------

/** Code points at the edges of each encoding length and of the surrogate range. */
const edgeCodePoint = fc.constantFrom(
  0x00,
  0x7f,
  0x80,
  0x7ff,
  0x800,
  0xd7ff,
  0xe000,
  0xfffd,
  0xfffe,
  0xffff,
  0x10000,
  0x10ffff,
);
const validChunk = fc
  .oneof(
    edgeCodePoint,
    fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff),
  )
  .map((cp) => Buffer.from(String.fromCodePoint(cp), 'utf8'));
const evilByte = fc.constantFrom(
  0x80,
  0x8f,
  0x90,
  0x9f,
  0xa0,
  0xbf,
  0xc0,
  0xc1,
  0xc2,
  0xdf,
  0xe0,
  0xed,
  0xef,
  0xf0,
  0xf4,
  0xf5,
  0xff,
);
const piece = fc.oneof(
  { weight: 6, arbitrary: validChunk },
  { weight: 1, arbitrary: evilByte.map((b) => Buffer.of(b)) },
  // A valid multi-byte sequence cut short.
  {
    weight: 1,
    arbitrary: validChunk
      .filter((b) => b.length > 1)
      .chain((b) => fc.integer({ min: 1, max: b.length - 1 }).map((n) => b.subarray(0, n))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((u) => Buffer.from(u)) },
);
/** Mostly UTF-8-shaped byte strings, valid or broken in the interesting ways. */
const utf8ish = fc.array(piece, { maxLength: 40 }).map((parts) => Buffer.concat(parts));
const anyBytes = fc.oneof(
  utf8ish,
  fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
);

/** Sorted cut points inside [0, length]. */
function cutsFor(length: number, raw: number[]): number[] {
  return raw.map((r) => r % (length + 1)).sort((a, b) => a - b);
}

describe('Utf8Validator: properties', () => {
  it(`whole-input verdict agrees with TextDecoder({fatal:true}) and isValidUtf8 (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        const expected = referenceValid(bytes);
        const v = new Utf8Validator();
        expect(v.push(bytes) && v.end()).toBe(expected);
        expect(isValidUtf8(bytes)).toBe(expected);
      }),
      propertyParams(2000),
    );
  });

  it(`under any chunking: earlier chunks pass, the chunk holding the first impossible byte fails, ` +
    `end() agrees with TextDecoder (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(anyBytes, fc.array(fc.nat(), { maxLength: 12 }), (bytes, raw) => {
        const cuts = cutsFor(bytes.length, raw);
        const bad = firstBadIndex(bytes);
        const { verdicts, end } = validateInChunks(bytes, cuts);
        expect(end).toBe(referenceValid(bytes));
        const bounds = [0, ...cuts, bytes.length];
        verdicts.forEach((verdict, k) => {
          const chunkEnd = bounds[k + 1]!;
          // The chunk is accepted iff it ends before the first bad byte.
          expect(verdict).toBe(bad === -1 || chunkEnd <= bad);
        });
      }),
      propertyParams(1000),
    );
  });

  it(`byte by byte, push first fails exactly at the first byte ` +
    `that no valid UTF-8 can continue with (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(utf8ish, (bytes) => {
        const bad = firstBadIndex(bytes);
        const v = new Utf8Validator();
        let firstFalse = -1;
        for (let i = 0; i < bytes.length; i++) {
          if (!v.push(bytes.subarray(i, i + 1)) && firstFalse < 0) firstFalse = i;
        }
        expect(firstFalse).toBe(bad);
      }),
      propertyParams(500),
    );
  });
});
