/**
 * What decides a run's exit status in CI: a pass rule (pass-rules.ts), expected results (expected-results.ts),
 * or both. Shared by `run` and `wstest`: the same flags, read before any case is played (a bad file is a usage
 * error at once), then applied to the run's index.
 */
import type { AutobahnIndex } from '@wsmatrix/runner';
import { UsageError, type BooleanFlag, type StringFlag } from './args.js';
import {
  expectedDifferences,
  readExpected,
  toExpected,
  writeExpected,
  type ExpectedIndex,
} from './expected-results.js';
import { DEFAULT_PASS_RULE, PASS_RULE_NAMES, PASS_RULES, ruleFailures, type PassRule } from './pass-rules.js';

export const CI_FLAGS = {
  rule: {
    type: 'string',
    choices: PASS_RULE_NAMES,
    placeholder: 'PRESET',
    description: `Pass rule, see below [default: ${DEFAULT_PASS_RULE}; none with --expected]`,
  } satisfies StringFlag,
  expected: {
    type: 'string',
    placeholder: 'FILE',
    description: 'Committed index.json to compare with (durations, file names ignored); exit 1 on a difference',
  } satisfies StringFlag,
  'update-expected': {
    type: 'boolean',
    description: "Write the run's results to the --expected FILE instead of comparing",
  } satisfies BooleanFlag,
} as const;

export const CI_NOTES = [
  'With --expected, the pass rule applies only when --rule is given too (known failures live in the file).',
  '--expected never compares the counts of "repeats" (--repeat); a verdict that differs passes when both lie',
  'within the verdicts one side saw across its repeats (a timing-dependent flip), as in wsmatrix diff.',
] as const;

export interface CiChecks {
  rule: PassRule | undefined;
  expectedFile: string | undefined;
  /** The committed results, unless they are being written. */
  expected: ExpectedIndex | undefined;
  updateExpected: boolean;
}

export async function loadCiChecks(flags: {
  rule?: string | undefined;
  expected?: string | undefined;
  'update-expected': boolean;
}): Promise<CiChecks> {
  if (flags['update-expected'] && flags.expected === undefined) {
    throw new UsageError('--update-expected needs --expected FILE (the file it writes)');
  }
  const ruleName = (flags.rule ?? (flags.expected === undefined ? DEFAULT_PASS_RULE : undefined)) as
    | keyof typeof PASS_RULES
    | undefined;
  const expected =
    flags.expected !== undefined && !flags['update-expected'] ? await readExpected(flags.expected) : undefined;
  return {
    rule: ruleName === undefined ? undefined : PASS_RULES[ruleName],
    expectedFile: flags.expected,
    expected,
    updateExpected: flags['update-expected'],
  };
}

/**
 * Prints each case failing the rule and each difference from the expected results; true when any.
 * `detail` gives a failing case's result text for its line, or null to count it without a line (the cases
 * of a server that could not be reached all say the same, and are counted once by the caller).
 */
export async function applyCiChecks(
  index: Readonly<AutobahnIndex>,
  checks: CiChecks,
  write: (text: string) => void,
  detail: (agent: string, caseId: string) => string | null = () => '',
): Promise<boolean> {
  let failed = false;
  if (checks.rule !== undefined) {
    const failures = ruleFailures(index, checks.rule);
    for (const f of failures) {
      const why = detail(f.agent, f.caseId);
      if (why === null) continue;
      write(`FAIL ${f.agent} ${f.caseId}: ${f.behavior}/${f.behaviorClose}${why ? ` — ${why}` : ''}\n`);
    }
    const cases = Object.values(index).reduce((n, c) => n + Object.keys(c).length, 0);
    write(`rule ${checks.rule.name}: ${cases - failures.length} of ${cases} case runs pass\n`);
    failed ||= failures.length > 0;
  }
  if (checks.updateExpected && checks.expectedFile !== undefined) {
    await writeExpected(checks.expectedFile, index);
    write(`expected results written to ${checks.expectedFile}\n`);
  } else if (checks.expected !== undefined) {
    const differences = expectedDifferences(checks.expected, toExpected(index));
    for (const d of differences) write(`DIFF ${d}\n`);
    write(
      differences.length === 0
        ? `results match ${checks.expectedFile}\n`
        : `${differences.length} difference(s) from ${checks.expectedFile}\n`,
    );
    failed ||= differences.length > 0;
  }
  return failed;
}
