/**
 * Stored verdicts that still describe what a matrix run would measure. A release's verdict changes only when
 * the implementation, the way it is started, the catalogue or the runner changes; so a case stored by a run with
 * the same reuse key (the release, its declared options, the Node line and a fingerprint of wsmatrix's own code)
 * is taken from the store instead of being played again. `matrix --rerun` plays everything.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseDef } from '@wsmatrix/cases';
import { notRunResult, type CaseResult, type RepeatCounts } from '@wsmatrix/runner';
import { describeCounts, isTimingDependent, splitVerdict, type Role } from './report/index.js';
import { loadRunsIn, releaseDir, type StoredRun } from './results-store.js';

/**
 * The packages whose code decides a verdict: the catalogue, the runner and its codec, the targets' adapters,
 * and our own server. A change to any file of theirs makes every stored verdict stale. The targets' echo
 * programs and drivers are each column's own (its codeIdentity): a change to one makes only its columns stale.
 */
const VERDICT_PACKAGES = [
  '@wsmatrix/cases',
  '@wsmatrix/runner',
  '@wsmatrix/protocol',
  '@wsmatrix/targets',
  '@wsmatrix/core',
] as const;
/** Folders inside what a package ships that hold no code of its own. */
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__']);
/** Per package, shipped folders that belong to single columns (their codeIdentity covers them). */
const PER_COLUMN_DIRS: Readonly<Record<string, readonly string[]>> = { '@wsmatrix/targets': ['external', 'clients'] };
/** Code and data that can change a verdict; maps and build info cannot. */
const CODE_FILE = /\.(?:[cm]?js|json|py|c|h|sh)$/;

/** The folder holding a package's package.json, found from where its entry point resolves. */
function packageRoot(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    try {
      statSync(path.join(dir, 'package.json'));
      return dir;
    } catch {
      const up = path.dirname(dir);
      if (up === dir) throw new Error(`no package.json above the entry point of ${name}`);
      dir = up;
    }
  }
}

function hashTree(hash: ReturnType<typeof createHash>, root: string, dir: string): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIPPED_DIRS.has(e.name)) hashTree(hash, root, full);
    } else if (e.isFile() && CODE_FILE.test(e.name)) {
      hash.update(path.relative(root, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  }
}

/**
 * What a package ships (its package.json and the folders its "files" names: the build, drivers, echo programs),
 * so a checkout's sources, tests or stray files do not change the fingerprint, and a published install and a
 * built clone of the same commit agree.
 */
function hashPackage(hash: ReturnType<typeof createHash>, root: string, skipped: readonly string[]): void {
  const manifest = readFileSync(path.join(root, 'package.json'));
  hash.update(manifest).update('\0');
  const files = (JSON.parse(manifest.toString('utf8')) as { files?: string[] }).files ?? ['dist'];
  for (const entry of [...files].sort()) {
    if (skipped.includes(entry)) continue;
    const full = path.join(root, entry);
    let isDir = false;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      continue;
    }
    if (isDir) hashTree(hash, root, full);
  }
}

let cachedFingerprint: string | undefined;

/** sha256 (hex, 16 digits) over what VERDICT_PACKAGES ship but the per-column folders: their builds. */
export function codeFingerprint(): string {
  if (cachedFingerprint !== undefined) return cachedFingerprint;
  const hash = createHash('sha256');
  for (const name of VERDICT_PACKAGES) {
    const root = packageRoot(name);
    hash.update(name).update('\0');
    hashPackage(hash, root, PER_COLUMN_DIRS[name] ?? []);
  }
  cachedFingerprint = hash.digest('hex').slice(0, 16);
  return cachedFingerprint;
}

/** What must be equal for a stored verdict to be reused. */
export interface ReuseKeyParts {
  implementation: string;
  version: string;
  role: Role;
  /** The options the target declares (before it starts). */
  options: Record<string, unknown>;
  /** codeFingerprint() unless a test gives its own. */
  code?: string;
  /** The Node release line the runner (and embedded targets) run on: a verdict may depend on it. */
  nodeMajor?: string;
  /** The column's own code outside the packages' builds (an echo program or driver with its definition). */
  codeIdentity?: string;
}

/** The stable JSON of a value: object keys sorted, so equal options give equal keys. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function reuseKey(parts: ReuseKeyParts): string {
  const text = stableJson({
    implementation: parts.implementation,
    version: parts.version,
    role: parts.role,
    options: parts.options,
    code: parts.code ?? codeFingerprint(),
    node: parts.nodeMajor ?? process.versions.node.split('.')[0],
    ...(parts.codeIdentity !== undefined ? { source: parts.codeIdentity } : {}),
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A stored verdict taken for a case instead of playing it. */
export interface ReusedVerdict {
  verdict: string;
  /** When the run that measured it started. */
  measuredAt: string;
  /** The run played the case more than once (--repeat): how many runs gave each verdict. */
  repeats?: RepeatCounts;
}

/**
 * The selected cases whose verdict a stored run of this release with the same reuse key measured; the newest
 * such run wins. Runs without a key (stored before reuse existed), interrupted or unreachable cases never count.
 * With `minRuns` (matrix --repeat N), only a case a run played at least that many times counts: a verdict
 * measured with fewer repeats could not have shown a timing-dependent flip the new run may see, so it is played.
 */
export async function findReusable(
  root: string,
  implementation: string,
  version: string,
  role: Role,
  key: string,
  ids: readonly string[],
  minRuns = 1,
): Promise<Map<string, ReusedVerdict>> {
  const found = new Map<string, ReusedVerdict>();
  if (version === 'unavailable' || version === '?') return found;
  let runsDir: string;
  try {
    runsDir = path.join(releaseDir(root, implementation, version, role), 'runs');
  } catch {
    return found; // a name that cannot be stored has nothing stored
  }
  // Only this release's folder is read; the key covers release, options, Node line and code.
  const runs: StoredRun[] = (await loadRunsIn(runsDir, role)).filter((r) => r.reuseKey === key);
  runs.sort((a, b) => b.runAt.localeCompare(a.runAt));
  const wanted = new Set(ids);
  for (const run of runs) {
    for (const [id, verdict] of Object.entries(run.verdicts)) {
      if (!wanted.has(id) || found.has(id)) continue;
      const repeats = run.repeats?.[id];
      if ((repeats?.runs ?? 1) < minRuns) continue;
      found.set(id, { verdict, measuredAt: run.runAt, ...(repeats ? { repeats } : {}) });
    }
    if (found.size === wanted.size) break;
  }
  return found;
}

/** The text a reused case shows where a played one shows what happened. */
export function reusedText(measuredAt: string, repeats?: RepeatCounts): string {
  let runs = '';
  if (repeats) runs = ` (the same in each of ${repeats.runs} runs)`;
  if (isTimingDependent(repeats)) runs = ` (timing-dependent: ${describeCounts(repeats)})`;
  return (
    `Stored verdict${runs}, measured ${measuredAt} by a run of the same release, options, catalogue and runner; ` +
    'not played again (matrix --rerun plays it).'
  );
}

/** The record of a reused case: its stored verdict, no traffic of this run. */
export function reusedResult(def: CaseDef, agent: string, reused: ReusedVerdict): CaseResult {
  const { behavior, close } = splitVerdict(reused.verdict);
  const text = reusedText(reused.measuredAt, reused.repeats);
  return {
    ...notRunResult(def, agent, '', text),
    ...(reused.repeats ? { repeats: reused.repeats } : {}),
    started: reused.measuredAt,
    behavior: behavior as CaseResult['behavior'],
    behaviorClose: close as CaseResult['behaviorClose'],
    result: text,
    resultClose: text,
    wasNotCleanReason: null,
    connectFailure: null,
    reusedFrom: reused.measuredAt,
  } as CaseResult;
}

/** The run time a reused record carries (absent on a played one). */
export function reusedFrom(r: CaseResult): string | undefined {
  const v = (r as CaseResult & { reusedFrom?: string }).reusedFrom;
  return typeof v === 'string' ? v : undefined;
}
