/**
 * The data of the Releases view: per implementation, the stored verdict of every case in each of its releases,
 * and what changed from one release to the next.
 * A release's verdicts are those of its index.json (ReportInput.releases); without them, merged from its stored
 * runs, oldest first, each case keeping the verdict of the newest run that played it, as a run merges into the
 * index (results-store.ts).
 * A configured variant ('ws+deflate') is stored as an implementation of its own; here it joins its base ('ws')
 * as separate columns of the same release, and each variant is compared with its own previous release only.
 */
import { compareCaseIds } from '@wsmatrix/cases';
import { compareVersions } from './history.js';
import { ROLES, roleOf, type Role } from './parts.js';
import { isTimingFlip } from './timing.js';
import type { HistoryPoint, StoredRelease } from './types.js';
import { verdictRank } from './verdicts.js';

/** One stored release (of one variant) with the verdict of each case it holds; role and seen always set. */
export type ReleaseVerdicts = Required<StoredRelease>;

/** The releases as given, their role and repeats filled in; a release given twice counts as its last. */
export function givenReleases(releases: readonly StoredRelease[]): ReleaseVerdicts[] {
  const byRelease = new Map<string, ReleaseVerdicts>();
  for (const r of releases) {
    const role = roleOf(r);
    byRelease.set(JSON.stringify([role, r.implementation, r.version]), { ...r, role, seen: r.seen ?? {} });
  }
  return [...byRelease.values()];
}

export type ChangeKind = 'regression' | 'fix' | 'other' | 'timing';

/** A case whose verdict differs from the one it had in the column's previous release. */
export interface CellChange {
  before: string;
  after: string;
  /** Worse, better, neither (an unknown verdict word), or within what one side's repeats saw: not a change. */
  kind: ChangeKind;
}

export interface ReleaseColumn {
  release: ReleaseVerdicts;
  /** '' for the plain implementation, else the variant's suffix as stored ('+deflate'). */
  variant: string;
  /** The same variant's release before this one; undefined for its first. */
  previous?: ReleaseVerdicts;
  /** Case id -> its change since `previous` (timing-dependent flips included, with kind 'timing'). */
  changes: Map<string, CellChange>;
  /** Changes that count: every kind but 'timing'. */
  changed: number;
}

export interface ReleaseFamily {
  role: Role;
  /** The implementation without any variant suffix. */
  name: string;
  /** In version order, a release's plain column before its variants (alphabetical). */
  columns: ReleaseColumn[];
  /** Every case any column has a verdict for, in case order. */
  caseIds: string[];
  /** Distinct versions, in order. */
  versions: string[];
}

/** Each stored release's verdicts, merged from its runs (given in any order). */
export function releasesFromRuns(points: readonly HistoryPoint[]): ReleaseVerdicts[] {
  const byRelease = new Map<string, ReleaseVerdicts>();
  const ordered = [...points].sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  for (const point of ordered) {
    const role = roleOf(point);
    const key = JSON.stringify([role, point.implementation, point.version]);
    let release = byRelease.get(key);
    if (!release) {
      release = { role, implementation: point.implementation, version: point.version, verdicts: {}, seen: {} };
      byRelease.set(key, release);
    }
    for (const [caseId, verdict] of Object.entries(point.verdicts)) {
      release.verdicts[caseId] = verdict;
      const repeats = point.repeats?.[caseId];
      if (repeats) release.seen[caseId] = Object.keys(repeats.verdicts);
      else delete release.seen[caseId];
    }
  }
  return [...byRelease.values()];
}

/** 'ws+deflate' -> { base: 'ws', variant: '+deflate' }; a name that starts with '+' has no base to join. */
export function splitVariant(implementation: string): { base: string; variant: string } {
  const plus = implementation.indexOf('+');
  return plus <= 0
    ? { base: implementation, variant: '' }
    : { base: implementation.slice(0, plus), variant: implementation.slice(plus) };
}

/** The verdicts a release saw for a case: its repeats', else its one verdict. */
function seenIn(release: ReleaseVerdicts, caseId: string): string[] {
  return release.seen[caseId] ?? [release.verdicts[caseId]!];
}

/** The changes of `after` since `before`: cases both have, whose verdicts differ. */
export function changesBetween(before: ReleaseVerdicts, after: ReleaseVerdicts): Map<string, CellChange> {
  const changes = new Map<string, CellChange>();
  for (const caseId of Object.keys(after.verdicts).sort(compareCaseIds)) {
    const was = before.verdicts[caseId];
    const now = after.verdicts[caseId]!;
    if (was === undefined || was === now) continue;
    const flip = isTimingFlip({ caseId, before: was, after: now }, seenIn(before, caseId), seenIn(after, caseId));
    const delta = verdictRank(now) - verdictRank(was);
    const kind: ChangeKind = flip ? 'timing' : delta < 0 ? 'regression' : delta > 0 ? 'fix' : 'other';
    changes.set(caseId, { before: was, after: now, kind });
  }
  return changes;
}

/**
 * The implementations with stored results of more than one release, servers' then clients' (each role's in name
 * order), their variants joined to them; an implementation with a single release has nothing to compare.
 */
export function releaseFamilies(stored: readonly ReleaseVerdicts[]): ReleaseFamily[] {
  const groups = new Map<string, { role: Role; name: string; releases: ReleaseVerdicts[] }>();
  for (const release of stored) {
    const { base } = splitVariant(release.implementation);
    const key = JSON.stringify([release.role, base]);
    if (!groups.has(key)) groups.set(key, { role: release.role, name: base, releases: [] });
    groups.get(key)!.releases.push(release);
  }
  const families: ReleaseFamily[] = [];
  for (const role of ROLES) {
    const ofRole = [...groups.values()].filter((g) => g.role === role).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const { name, releases } of ofRole) {
      const versions = [...new Set(releases.map((r) => r.version))].sort(
        (a, b) => compareVersions(a, b) || (a < b ? -1 : a > b ? 1 : 0),
      );
      if (versions.length < 2) continue;
      const ordered = [...releases].sort((a, b) => {
        const byVersion = versions.indexOf(a.version) - versions.indexOf(b.version);
        const [va, vb] = [splitVariant(a.implementation).variant, splitVariant(b.implementation).variant];
        return byVersion || (va < vb ? -1 : va > vb ? 1 : 0);
      });
      const lastOfVariant = new Map<string, ReleaseVerdicts>();
      const columns = ordered.map((release): ReleaseColumn => {
        const { variant } = splitVariant(release.implementation);
        const previous = lastOfVariant.get(variant);
        lastOfVariant.set(variant, release);
        const changes = previous ? changesBetween(previous, release) : new Map<string, CellChange>();
        const changed = [...changes.values()].filter((c) => c.kind !== 'timing').length;
        return { release, variant, ...(previous ? { previous } : {}), changes, changed };
      });
      const caseIds = [...new Set(releases.flatMap((r) => Object.keys(r.verdicts)))].sort(compareCaseIds);
      families.push({ role, name, columns, caseIds, versions });
    }
  }
  return families;
}
