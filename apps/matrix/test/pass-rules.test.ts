import type { IndexEntry } from '@wsmatrix/runner';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASS_RULE, PASS_RULES, ruleFailures, type Verdicts } from '../src/pass-rules.js';

const BEHAVIORS: IndexEntry['behavior'][] = ['OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'];
const CLOSES: IndexEntry['behaviorClose'][] = [
  'OK',
  'INFORMATIONAL',
  'WRONG CODE',
  'UNCLEAN',
  'FAILED BY CLIENT',
  'FAILED',
];

/** Every verdict pair a preset passes, as "behavior/behaviorClose". */
function passing(name: keyof typeof PASS_RULES): string[] {
  return BEHAVIORS.flatMap((b) => CLOSES.map((c) => ({ behavior: b, behaviorClose: c }) as Verdicts))
    .filter((v) => PASS_RULES[name].passes(v))
    .map((v) => `${v.behavior}/${v.behaviorClose}`);
}

describe('pass rule presets', () => {
  it('strict (uWebSockets): both verdicts OK, NON-STRICT or INFORMATIONAL; UNIMPLEMENTED fails', () => {
    expect(passing('strict')).toEqual([
      'OK/OK',
      'OK/INFORMATIONAL',
      'NON-STRICT/OK',
      'NON-STRICT/INFORMATIONAL',
      'INFORMATIONAL/OK',
      'INFORMATIONAL/INFORMATIONAL',
    ]);
  });

  it('no-failures (undici): no FAILED, WRONG CODE, UNCLEAN or FAILED BY CLIENT on either; UNIMPLEMENTED passes', () => {
    expect(passing('no-failures')).toEqual([
      'OK/OK',
      'OK/INFORMATIONAL',
      'NON-STRICT/OK',
      'NON-STRICT/INFORMATIONAL',
      'INFORMATIONAL/OK',
      'INFORMATIONAL/INFORMATIONAL',
      'UNIMPLEMENTED/OK',
      'UNIMPLEMENTED/INFORMATIONAL',
    ]);
  });

  it('behavior-only (Deno, fastwebsockets): behavior alone decides', () => {
    const pairs = passing('behavior-only');
    expect(pairs).toHaveLength(3 * CLOSES.length);
    expect(pairs).toContain('OK/FAILED BY CLIENT');
    expect(pairs).toContain('NON-STRICT/UNCLEAN');
    expect(pairs.some((p) => p.startsWith('FAILED/') || p.startsWith('UNIMPLEMENTED/'))).toBe(false);
  });

  it('the default is the strictest preset that still passes INFORMATIONAL and NON-STRICT', () => {
    const strictest = (Object.keys(PASS_RULES) as (keyof typeof PASS_RULES)[]).filter((name) => {
      const pairs = passing(name);
      return pairs.includes('NON-STRICT/OK') && pairs.includes('INFORMATIONAL/INFORMATIONAL');
    });
    const sizes = strictest.map((n) => passing(n).length);
    expect(DEFAULT_PASS_RULE).toBe(strictest[sizes.indexOf(Math.min(...sizes))]);
    // Every pair the default passes, each other preset passes too.
    for (const name of Object.keys(PASS_RULES) as (keyof typeof PASS_RULES)[]) {
      expect(passing(name)).toEqual(expect.arrayContaining(passing(DEFAULT_PASS_RULE)));
    }
  });

  it('ruleFailures lists the failing entries of an index, agent by agent', () => {
    const index = {
      a: {
        '1.1.1': { behavior: 'OK', behaviorClose: 'OK' },
        '7.1.1': { behavior: 'OK', behaviorClose: 'WRONG CODE' },
      },
      b: { '12.1.1': { behavior: 'UNIMPLEMENTED', behaviorClose: 'OK' } },
    } as const;
    expect(ruleFailures(index, PASS_RULES.strict)).toEqual([
      { agent: 'a', caseId: '7.1.1', behavior: 'OK', behaviorClose: 'WRONG CODE' },
      { agent: 'b', caseId: '12.1.1', behavior: 'UNIMPLEMENTED', behaviorClose: 'OK' },
    ]);
    expect(ruleFailures(index, PASS_RULES['behavior-only']).map((f) => f.caseId)).toEqual(['12.1.1']);
    expect(ruleFailures(index, PASS_RULES['no-failures']).map((f) => f.caseId)).toEqual(['7.1.1']);
  });
});
