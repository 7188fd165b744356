import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackage } from '../package-version.js';
import type { CommandTargetDefinition } from './definition.js';
import { expandArgv, type PlaceholderValues } from './placeholders.js';
import { firstLine } from './unavailable.js';

/** `packageDir`: the folder `{package}` stands for, when the target names an npm package. */
export type Availability =
  | { available: true; version: string; packageDir?: string }
  | { available: false; reason: string };

const PROBE_TIMEOUT_MS = 15_000;

interface ProbeRun {
  ok: boolean;
  stdout: string;
  /** Why it failed, in one line. */
  failure: string;
}

/** Runs a short command synchronously (version and requirement checks take milliseconds). */
function runProbe(argv: string[], cwd: string): ProbeRun {
  const [file, ...args] = argv as [string, ...string[]];
  const r = spawnSync(file, args, {
    cwd,
    encoding: 'utf8',
    timeout: PROBE_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const failure =
      code === 'ENOENT' ? `${file} not found` : code === 'ETIMEDOUT' ? `${file} timed out` : r.error.message;
    return { ok: false, stdout: '', failure };
  }
  if (r.status !== 0) {
    const why = firstLine(r.stderr) || firstLine(r.stdout);
    const how = r.signal ? `killed by ${r.signal}` : `exited with ${r.status}`;
    return { ok: false, stdout: r.stdout, failure: why ? `${file} ${how}: ${why}` : `${file} ${how}` };
  }
  return { ok: true, stdout: r.stdout, failure: '' };
}

/** The folder of an npm package as this package's node_modules resolve it, or why there is none. */
function installedPackageDir(name: string): { dir: string } | { missing: string } {
  try {
    return { dir: findPackage(name).dir };
  } catch {
    return { missing: `npm package "${name}" is not installed (npm ci installs it)` };
  }
}

/** The `version` field of {package}/package.json. */
function manifestVersion(packageDir: string): ProbeRun {
  const manifest = join(packageDir, 'package.json');
  try {
    const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
    if (typeof version === 'string' && version !== '') return { ok: true, stdout: version, failure: '' };
    return { ok: false, stdout: '', failure: `${manifest} has no version field` };
  } catch (err) {
    return { ok: false, stdout: '', failure: `cannot read ${manifest}: ${(err as Error).message}` };
  }
}

/**
 * Whether a target can run here: its npm package (if it names one) is there, every requirement command exits 0,
 * then the version command prints a version (picked out by `match` when given), or the package's manifest has one.
 * `packageDir` is the npm package's folder when it is not the installed one (a release from the cache).
 */
export function probeAvailability(
  def: Pick<CommandTargetDefinition, 'requires' | 'version' | 'npm'>,
  dir: string,
  packageDir?: string,
): Availability {
  const values: PlaceholderValues = { dir };
  if (def.npm !== undefined) {
    const found = packageDir === undefined ? installedPackageDir(def.npm) : { dir: packageDir };
    if ('missing' in found) return { available: false, reason: found.missing };
    values.package = found.dir;
  }
  for (const req of def.requires) {
    if (!runProbe(expandArgv(req.run, values), dir).ok) return { available: false, reason: req.missing };
  }
  const run =
    'npm' in def.version ? manifestVersion(values.package!) : runProbe(expandArgv(def.version.run, values), dir);
  if (!run.ok) return { available: false, reason: `cannot read its version (${run.failure})` };
  const printed = run.stdout.trim();
  const match = 'match' in def.version ? def.version.match : undefined;
  const version = match ? (new RegExp(match, 'm').exec(printed)?.[0] ?? '') : firstLine(printed);
  if (!version) {
    return { available: false, reason: `cannot read its version (got ${JSON.stringify(firstLine(printed, 60))})` };
  }
  return { available: true, version, ...(values.package !== undefined ? { packageDir: values.package } : {}) };
}
