/**
 * Pass rules for CI: which verdict pairs (behavior, behaviorClose) of an index.json entry count as passed.
 * Each preset is the rule a family of WebSocket projects writes by hand around Autobahn's index.json; the
 * one a command uses decides its exit status (1 when a case fails under it).
 */
import type { IndexEntry } from '@wsmatrix/runner';

export type Verdicts = Pick<IndexEntry, 'behavior' | 'behaviorClose' | 'repeats'>;

export interface PassRule {
  name: string;
  /** One line for --help and the README. */
  summary: string;
  passes(v: Verdicts): boolean;
}

const GOOD = new Set(['OK', 'NON-STRICT', 'INFORMATIONAL']);
const BAD = new Set(['FAILED', 'WRONG CODE', 'UNCLEAN', 'FAILED BY CLIENT']);

export const PASS_RULES = {
  strict: {
    name: 'strict',
    summary: 'both verdicts OK, NON-STRICT or INFORMATIONAL; UNIMPLEMENTED fails (as uWebSockets)',
    passes: (v) => GOOD.has(v.behavior) && GOOD.has(v.behaviorClose),
  },
  'no-failures': {
    name: 'no-failures',
    summary: 'neither verdict FAILED, WRONG CODE, UNCLEAN or FAILED BY CLIENT; UNIMPLEMENTED passes (as undici)',
    passes: (v) => !BAD.has(v.behavior) && !BAD.has(v.behaviorClose),
  },
  'behavior-only': {
    name: 'behavior-only',
    summary: 'behavior OK, NON-STRICT or INFORMATIONAL, close not looked at; UNIMPLEMENTED fails (as Deno)',
    passes: (v) => GOOD.has(v.behavior),
  },
} as const satisfies Record<string, PassRule>;

export type PassRuleName = keyof typeof PASS_RULES;

/** The strictest preset that Autobahn's INFORMATIONAL and NON-STRICT verdicts still pass. */
export const DEFAULT_PASS_RULE: PassRuleName = 'strict';

export const PASS_RULE_NAMES = Object.keys(PASS_RULES) as PassRuleName[];

/** Help lines naming each preset, for a command's notes. */
export function passRuleNotes(): string[] {
  return [
    `Pass rules (--rule) [default: ${DEFAULT_PASS_RULE}]:`,
    ...PASS_RULE_NAMES.map((n) => `  ${n.padEnd(15)}${PASS_RULES[n].summary}`),
    'A server without permessage-deflate excludes 12.* and 13.* (UNIMPLEMENTED there) under strict, behavior-only.',
  ];
}

export interface RuleFailure {
  agent: string;
  caseId: string;
  behavior: string;
  behaviorClose: string;
}

/**
 * Whether an index entry passes `rule`. A timing-dependent entry (played with --repeat, verdicts that
 * differ) passes when any verdict it was seen with passes: the server showed it can, and which verdict a
 * run gets depends on how the server's reads fall against the runner's writes, not on its code.
 */
export function entryPasses(v: Verdicts, rule: PassRule): boolean {
  if (v.repeats === undefined || Object.keys(v.repeats.verdicts).length < 2) return rule.passes(v);
  return Object.keys(v.repeats.verdicts).some((seen) => {
    const slash = seen.indexOf('/');
    const behavior = (slash < 0 ? seen : seen.slice(0, slash)) as Verdicts['behavior'];
    const behaviorClose = (slash < 0 ? 'OK' : seen.slice(slash + 1)) as Verdicts['behaviorClose'];
    return rule.passes({ behavior, behaviorClose });
  });
}

/** Every entry of an index that fails `rule`, agents and cases in the index's order. */
export function ruleFailures(
  index: Readonly<Record<string, Readonly<Record<string, Verdicts>>>>,
  rule: PassRule,
): RuleFailure[] {
  const out: RuleFailure[] = [];
  for (const [agent, cases] of Object.entries(index)) {
    for (const [caseId, v] of Object.entries(cases)) {
      if (!entryPasses(v, rule)) out.push({ agent, caseId, behavior: v.behavior, behaviorClose: v.behaviorClose });
    }
  }
  return out;
}
