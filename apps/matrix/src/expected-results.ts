/**
 * Expected results for CI: a committed index.json (Autobahn's or ours) that a run must reproduce. Durations
 * and report file names change from run to run and are ignored; every other field of every entry, and
 * which agents and cases are there, must be equal.
 *
 * Repeats (--repeat N): the counts in `repeats` change from run to run and are never compared, but the
 * verdicts are. A verdict that differs from the expected one matches only when both lie within the verdicts
 * one side's repeats saw (a timing-dependent flip, timing.ts's rule, as `wsmatrix diff` applies it); the
 * other fields of such an entry come from another run's record and are not compared either. A verdict
 * neither side's repeats saw is a difference, as without repeats.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { compareCaseIds } from '@wsmatrix/cases';
import { autobahnJson, type AutobahnIndex } from '@wsmatrix/runner';
import { UsageError } from './args.js';
import { isTimingFlip, verdictString } from './report/index.js';

/** An index entry without the fields that differ from run to run. */
type Entry = Record<string, unknown>;
export type ExpectedIndex = Record<string, Record<string, Entry>>;

const IGNORED = new Set(['duration', 'reportfile']);

function comparable(entry: Readonly<Record<string, unknown>>): Entry {
  return Object.fromEntries(Object.entries(entry).filter(([k]) => !IGNORED.has(k)));
}

/** The index as it is committed: every entry without duration and reportfile. */
export function toExpected(index: Readonly<AutobahnIndex> | Readonly<ExpectedIndex>): ExpectedIndex {
  const out: ExpectedIndex = {};
  for (const [agent, cases] of Object.entries(index)) {
    out[agent] = {};
    for (const [id, entry] of Object.entries(cases)) out[agent][id] = comparable(entry as Record<string, unknown>);
  }
  return out;
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/** One line per difference between what was expected and what the run produced, in agent and case order. */
export function expectedDifferences(expected: Readonly<ExpectedIndex>, actual: Readonly<ExpectedIndex>): string[] {
  const lines: string[] = [];
  const agents = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const agent of agents) {
    const want = expected[agent];
    const got = actual[agent];
    if (want === undefined) {
      lines.push(`${agent}: agent not expected (${Object.keys(got!).length} cases played)`);
      continue;
    }
    if (got === undefined) {
      lines.push(`${agent}: agent expected but not played (${Object.keys(want).length} cases expected)`);
      continue;
    }
    const ids = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort(compareCaseIds);
    for (const id of ids) {
      const w = want[id];
      const g = got[id];
      if (w === undefined) {
        lines.push(`${agent} ${id}: case not expected (got ${verdictPair(g!)})`);
        continue;
      }
      if (g === undefined) {
        lines.push(`${agent} ${id}: case expected (${verdictPair(w)}) but not played`);
        continue;
      }
      if (isTimingFlipOf(id, w, g)) continue;
      const a = comparable(w);
      const b = comparable(g);
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'repeats').sort();
      for (const key of keys) {
        if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
          lines.push(`${agent} ${id}: ${key} expected ${show(a[key])}, got ${show(b[key])}`);
        }
      }
    }
  }
  return lines;
}

/** The verdict string of an entry ("OK", "OK/UNCLEAN"). */
function verdictOf(entry: Entry): string {
  return verdictString({ behavior: String(entry.behavior), behaviorClose: String(entry.behaviorClose) } as Parameters<
    typeof verdictString
  >[0]);
}

/** The verdicts an entry's repeats saw, or its one verdict. */
function seenOf(entry: Entry): string[] {
  const verdicts = (entry.repeats as { verdicts?: unknown } | undefined)?.verdicts;
  return verdicts !== null && typeof verdicts === 'object' ? Object.keys(verdicts) : [verdictOf(entry)];
}

/** Expected and actual verdicts differ, and both lie within the verdicts one side's repeats saw. */
function isTimingFlipOf(caseId: string, expected: Entry, actual: Entry): boolean {
  const before = verdictOf(expected);
  const after = verdictOf(actual);
  return before !== after && isTimingFlip({ caseId, before, after }, seenOf(expected), seenOf(actual));
}

function verdictPair(entry: Entry): string {
  return `${String(entry.behavior)}/${String(entry.behaviorClose)}`;
}

function isIndex(raw: unknown): raw is ExpectedIndex {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return false;
  return Object.values(raw).every(
    (cases) =>
      cases !== null &&
      typeof cases === 'object' &&
      !Array.isArray(cases) &&
      Object.values(cases).every((e) => e !== null && typeof e === 'object' && !Array.isArray(e)),
  );
}

/** Reads an expected-results file; a missing or malformed one is a usage error. */
export async function readExpected(file: string): Promise<ExpectedIndex> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`cannot read expected results ${file}: ${code} (--update-expected writes it)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`expected results ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isIndex(raw)) throw new UsageError(`expected results ${file} is not an index.json (agent → case → entry)`);
  return toExpected(raw);
}

/** Writes the run's index as the expected results, in index.json's own format. */
export async function writeExpected(file: string, index: Readonly<AutobahnIndex>): Promise<void> {
  await writeFile(file, autobahnJson(toExpected(index)));
}
