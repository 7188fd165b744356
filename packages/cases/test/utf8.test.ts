import { describe, expect, it } from 'vitest';
import { UTF8_SEQUENCE_GROUPS, allCases, caseById, groupTitle, payloadBytes, type Step } from '../src/index.js';
import { decodesAsUtf8 } from '../src/utf8-sequences.js';

describe('UTF-8 test sequence table (6.5-6.23)', () => {
  it('has 19 groups with Autobahn sizes (132 sequences)', () => {
    expect(UTF8_SEQUENCE_GROUPS.map((g) => g.sequences.length)).toEqual([
      5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7,
    ]);
  });

  it('agrees with a strict decoder on every sequence (non-characters are valid)', () => {
    for (const g of UTF8_SEQUENCE_GROUPS) {
      for (const s of g.sequences) expect(decodesAsUtf8(s.hex), `${g.title}: ${s.hex}`).toBe(s.valid);
    }
    expect(decodesAsUtf8('efbfbe')).toBe(true); // U+FFFE
    expect(decodesAsUtf8('f48fbfbf')).toBe(true); // U+10FFFF
    expect(decodesAsUtf8('f4908080')).toBe(false); // beyond U+10FFFF
    expect(decodesAsUtf8('eda080')).toBe(false); // surrogate
  });

  it('marks the prefixes of the Greek word valid only on code point boundaries', () => {
    expect(UTF8_SEQUENCE_GROUPS[1]!.sequences.map((s) => s.valid)).toEqual([
      false,
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });

  it('builds the generated runs as Autobahn does', () => {
    const cont = UTF8_SEQUENCE_GROUPS[7]!.sequences.at(-1)!;
    const bytes = Buffer.from(cont.hex, 'hex');
    expect(bytes.length).toBe(63); // 0x80..0xbe
    expect(bytes[0]).toBe(0x80);
    expect(bytes.at(-1)).toBe(0xbe);
    const lonely = UTF8_SEQUENCE_GROUPS[8]!.sequences.map((s) => Buffer.from(s.hex, 'hex'));
    expect(lonely.map((b) => b.length)).toEqual([62, 30, 14, 6, 2]);
    expect(lonely[0]!.subarray(0, 4).toString('hex')).toBe('c020c120');
    expect(lonely[4]!.toString('hex')).toBe('fc20');
    expect(UTF8_SEQUENCE_GROUPS[10]!.sequences[0]!.hex).toBe(
      'c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf',
    );
    const nonChars = UTF8_SEQUENCE_GROUPS[17]!.sequences.map((s) => s.hex);
    expect(nonChars.slice(0, 4)).toEqual(['efbfbe', 'efbfbf', 'f09fbfbe', 'f09fbfbf']);
    expect(nonChars).not.toContain('f08fbfbe');
    expect(nonChars.slice(-2)).toEqual(['f48fbfbe', 'f48fbfbf']);
    expect(nonChars.every((h) => decodesAsUtf8(h))).toBe(true);
  });

  it('turns every sequence into case 6.N.M with the sub-category title', () => {
    UTF8_SEQUENCE_GROUPS.forEach((g, gi) => {
      expect(groupTitle(`6.${gi + 5}`)).toBe(g.title);
      g.sequences.forEach((s, si) => {
        const c = caseById(`6.${gi + 5}.${si + 1}`)!;
        expect(c, `6.${gi + 5}.${si + 1}`).toBeDefined();
        const m = c.steps[0] as Extract<Step, { kind: 'message' }>;
        expect(payloadBytes(m.payload).toString('hex')).toBe(s.hex);
        if (s.valid) {
          expect(c.expectedClose.closedByMe).toBe(true);
          expect(c.expectedClose.closedByWrongEndpointIsFatal).toBeUndefined();
        } else {
          expect(c.expectedClose).toEqual({
            closedByMe: false,
            closeCode: [1007],
            requireClean: false,
            closedByWrongEndpointIsFatal: true,
          });
        }
      });
      expect(caseById(`6.${gi + 5}.${g.sequences.length + 1}`)).toBeUndefined();
    });
    expect(caseById('6.24.1')).toBeUndefined();
  });

  it('spot checks: 6.5.1 is "hello$world", 6.11.5 is f4908080 (invalid), 6.22.34 is f48fbfbf (valid)', () => {
    const payloadOf = (id: string) =>
      payloadBytes((caseById(id)!.steps[0] as Extract<Step, { kind: 'message' }>).payload);
    const payloadHex = (id: string) => payloadOf(id).toString('hex');
    expect(payloadOf('6.5.1').toString()).toBe('hello$world');
    expect(payloadHex('6.11.5')).toBe('f4908080');
    expect(caseById('6.11.5')!.expectedClose.closeCode).toEqual([1007]);
    expect(payloadHex('6.22.34')).toBe('f48fbfbf');
    expect(caseById('6.22.34')!.expectedClose.closeCode).toEqual([1000]);
    expect(payloadHex('6.6.1')).toBe('ce');
    expect(payloadHex('6.6.11')).toBe('cebae1bdb9cf83cebcceb5');
  });

  it('every text payload of a case that expects an echo is valid UTF-8', () => {
    for (const c of allCases) {
      for (const e of c.expected.OK ?? []) {
        if (e.type === 'message' && !e.binary)
          expect(decodesAsUtf8(payloadBytes(e.payload).toString('hex')), c.id).toBe(true);
      }
    }
  });
});
