import { describe, expect, it } from 'vitest';
import {
  autobahnCaseIds as allCaseIds,
  autobahnCases as allCases,
  caseById,
  caseByPosition,
  casePosition,
  compareCaseIds,
  payloadBytes,
  payloadLength,
  type CaseDef,
  type PayloadSpec,
  type Step,
} from '../src/index.js';
import { scheduledSpanMs } from '../src/build.js';

/** These tests expand whole payloads and data sets: a safety net for a busy machine, not a figure they check. */
const EXPANDING_TEST_TIMEOUT_MS = 30_000;

function group(id: string): string {
  return id.split('.')[0] as string;
}

/** Every payload spec a case mentions, with where it was found. */
function payloadsOf(c: CaseDef): Array<[string, PayloadSpec]> {
  const out: Array<[string, PayloadSpec]> = [];
  c.steps.forEach((s: Step, i) => {
    if (s.kind === 'frame' && s.frame.payload !== undefined) out.push([`steps[${i}].frame.payload`, s.frame.payload]);
    if (s.kind === 'frameParts' && s.frame.payload !== undefined)
      out.push([`steps[${i}].frame.payload`, s.frame.payload]);
    if (s.kind === 'message') out.push([`steps[${i}].payload`, s.payload]);
    if (s.kind === 'close' && s.reason !== undefined) out.push([`steps[${i}].reason`, s.reason]);
  });
  for (const [k, evs] of Object.entries(c.expected)) {
    evs?.forEach((e, i) => {
      if (e.type !== 'timeout') out.push([`expected.${k}[${i}]`, e.payload]);
    });
  }
  if (c.echoTiming) out.push(['echoTiming.payload', c.echoTiming.payload]);
  return out;
}

describe('catalogue size and order', { timeout: EXPANDING_TEST_TIMEOUT_MS }, () => {
  it('has 517 cases (301 in groups 1-10, 216 in the compression groups 12 and 13)', () => {
    expect(allCases).toHaveLength(517);
    expect(allCaseIds).toHaveLength(517);
    expect(allCases.filter((c) => !c.compressedEcho)).toHaveLength(301);
  });

  it('has Autobahn per-group counts (no group 8)', () => {
    const counts: Record<string, number> = {};
    for (const c of allCases) counts[group(c.id)] = (counts[group(c.id)] ?? 0) + 1;
    expect(counts).toEqual({
      '1': 16,
      '2': 11,
      '3': 7,
      '4': 10,
      '5': 20,
      '6': 145,
      '7': 37,
      '9': 54,
      '10': 1,
      '12': 90,
      '13': 126,
    });
  });

  it('has unique ids, sorted numerically', () => {
    expect(new Set(allCaseIds).size).toBe(517);
    for (let i = 1; i < allCaseIds.length; i++) {
      expect(compareCaseIds(allCaseIds[i - 1]!, allCaseIds[i]!)).toBeLessThan(0);
    }
    // numeric, not lexical: 1.1.8 < 1.2.1, 2.9 < 2.10, 9.8.6 < 10.1.1
    expect(allCaseIds.indexOf('2.9')).toBeLessThan(allCaseIds.indexOf('2.10'));
    expect(allCaseIds.indexOf('7.9.9')).toBeLessThan(allCaseIds.indexOf('7.13.1'));
    expect(allCaseIds.at(-1)).toBe('13.7.18');
    expect(allCaseIds[0]).toBe('1.1.1');
  });

  it('gives ids the shape of dotted numbers with no leading zeros', () => {
    for (const id of allCaseIds) expect(id).toMatch(/^[1-9]\d*(\.[1-9]\d*)+$/);
  });

  it('numbers cases as Autobahn does (1-based position in numeric order)', () => {
    expect(casePosition('1.1.1')).toBe(1);
    expect(casePosition('1.2.8')).toBe(16);
    expect(casePosition('2.1')).toBe(17);
    expect(casePosition('3.1')).toBe(28);
    expect(casePosition('4.1.1')).toBe(35);
    expect(casePosition('5.1')).toBe(45);
    expect(casePosition('6.1.1')).toBe(65);
    expect(casePosition('6.4.1')).toBe(74);
    expect(casePosition('6.23.7')).toBe(209);
    expect(casePosition('7.1.1')).toBe(210);
    expect(casePosition('7.1.6')).toBe(215);
    expect(casePosition('7.13.1')).toBe(245);
    expect(casePosition('7.13.2')).toBe(246);
    expect(casePosition('9.1.1')).toBe(247);
    expect(casePosition('9.8.6')).toBe(300);
    expect(casePosition('10.1.1')).toBe(301);
    expect(casePosition('8.1')).toBeUndefined();
    expect(caseByPosition(74)?.id).toBe('6.4.1');
    expect(caseByPosition(0)).toBeUndefined();
    expect(casePosition('12.1.1')).toBe(302);
    expect(casePosition('13.1.1')).toBe(392);
    expect(casePosition('13.7.18')).toBe(517);
    expect(caseByPosition(518)).toBeUndefined();
    for (const [i, c] of allCases.entries()) expect(casePosition(c.id)).toBe(i + 1);
  });

  it('finds cases by id', () => {
    expect(caseById('6.4.1')?.id).toBe('6.4.1');
    expect(caseById('12.1.1')!.compressedEcho!.dataSet).toBe('json');
    expect(caseById('11.1.1')).toBeUndefined();
    expect(caseById('1.1')).toBeUndefined();
  });

  it('is deeply frozen', () => {
    const c = caseById('1.1.1')!;
    expect(Object.isFrozen(allCases)).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.steps[0])).toBe(true);
    expect(Object.isFrozen(c.expectedClose.closeCode)).toBe(true);
    expect(() => {
      (c.expectedClose.closeCode as number[]).push(1);
    }).toThrow();
  });
});

describe('payloads', { timeout: EXPANDING_TEST_TIMEOUT_MS }, () => {
  it('every payload spec expands to its declared length', () => {
    let checked = 0;
    for (const c of allCases) {
      for (const [where, spec] of payloadsOf(c)) {
        const n = payloadLength(spec);
        expect(payloadBytes(spec).length, `${c.id} ${where}`).toBe(n);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('stores no literal large payloads (anything over 256 octets is a repeat spec)', () => {
    for (const c of allCases) {
      for (const [where, spec] of payloadsOf(c)) {
        if (typeof spec === 'string' || 'hex' in spec) {
          expect(payloadLength(spec), `${c.id} ${where}`).toBeLessThanOrEqual(256);
        }
      }
    }
  });
});

describe('schema invariants', { timeout: EXPANDING_TEST_TIMEOUT_MS }, () => {
  it('has plain-text, non-empty descriptions and expectations', () => {
    for (const c of allCases) {
      for (const text of [c.description, c.expectation]) {
        expect(text.trim().length, c.id).toBeGreaterThan(10);
        expect(text, c.id).not.toMatch(/<[a-z/][^>]*>/i);
      }
    }
  });

  it('uses valid step shapes', () => {
    for (const c of allCases) {
      for (const s of c.steps) {
        if (s.kind === 'frame' || s.kind === 'frameParts') {
          expect(s.frame.opcode).toBeGreaterThanOrEqual(0);
          expect(s.frame.opcode).toBeLessThanOrEqual(15);
          expect(s.frame.rsv ?? 0).toBeGreaterThanOrEqual(0);
          expect(s.frame.rsv ?? 0).toBeLessThanOrEqual(7);
        }
        if (s.kind === 'frame' && s.chop !== undefined) expect(s.chop).toBeGreaterThan(0);
        if (s.kind === 'frameParts') {
          expect(s.waits).toHaveLength(s.parts.length - 1);
          expect(s.parts.reduce((a, b) => a + b, 0)).toBe(payloadLength(s.frame.payload ?? ''));
          for (const n of s.parts) expect(n).toBeGreaterThan(0);
        }
        if (s.kind === 'wait' || s.kind === 'killAfter' || s.kind === 'closeAfter') expect(s.ms).toBeGreaterThan(0);
      }
    }
  });

  it('echo-timing cases have no steps and no expected events; all others have steps and an OK sequence', () => {
    for (const c of allCases) {
      if (c.echoTiming || c.compressedEcho) {
        expect(c.steps, c.id).toEqual([]);
        expect(c.expected, c.id).toEqual({});
        expect(c.reportTime, c.id).toBe(true);
      } else {
        expect(c.steps.length, c.id).toBeGreaterThan(0);
        expect(c.expected.OK, c.id).toBeDefined();
        expect(c.reportTime, c.id).toBeUndefined();
      }
    }
    expect(allCases.filter((c) => c.echoTiming).map((c) => group(c.id))).toEqual(new Array(54).fill('9'));
    expect(allCases.filter((c) => c.compressedEcho).map((c) => group(c.id))).toEqual([
      ...new Array(90).fill('12'),
      ...new Array(126).fill('13'),
    ]);
  });

  it('arms a kill or close timer in every step-driven case, as the last step', () => {
    for (const c of allCases) {
      if (c.echoTiming || c.compressedEcho) continue;
      const last = c.steps.at(-1)!;
      expect(['killAfter', 'closeAfter'], c.id).toContain(last.kind);
    }
  });

  it('only cases where the server must fail the connection have closedByMe false', () => {
    for (const c of allCases) {
      const ec = c.expectedClose;
      if (!ec.closedByMe) {
        expect(ec.requireClean, c.id).toBe(false);
        expect(ec.closeCode.length, c.id).toBe(1);
        expect([1002, 1007], c.id).toContain(ec.closeCode[0]);
      }
    }
  });

  it('NON-STRICT alternatives exist exactly where Autobahn defines them', () => {
    const withNonStrict = allCases.filter((c) => c.expected['NON-STRICT'] !== undefined).map((c) => c.id);
    expect(withNonStrict).toEqual([
      '3.2',
      '3.3',
      '3.4',
      '4.1.3',
      '4.1.4',
      '4.1.5',
      '4.2.3',
      '4.2.4',
      '4.2.5',
      '5.15',
      '6.4.1',
      '6.4.2',
      '6.4.3',
      '6.4.4',
      '7.1.6',
    ]);
  });

  it('sets timeLimitMs on every case from the schedule', () => {
    for (const c of allCases) {
      const want = c.echoTiming
        ? c.echoTiming.timeoutMs
        : c.compressedEcho
          ? c.compressedEcho.timeoutMs
          : scheduledSpanMs(c.steps);
      expect(c.timeLimitMs, c.id).toBe(want);
    }
    expect(caseById('1.1.1')!.timeLimitMs).toBe(1000);
    expect(caseById('2.10')!.timeLimitMs).toBe(3000);
    expect(caseById('5.19')!.timeLimitMs).toBe(2000);
    expect(caseById('6.4.1')!.timeLimitMs).toBe(3000);
    expect(caseById('6.4.3')!.timeLimitMs).toBe(3000);
    expect(caseById('6.5.1')!.timeLimitMs).toBe(500);
    expect(caseById('9.1.6')!.timeLimitMs).toBe(100_000);
    expect(caseById('10.1.1')!.timeLimitMs).toBe(10_000);
  });
});
