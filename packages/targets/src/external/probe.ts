import { spawnSync } from 'node:child_process';
import type { CommandTargetDefinition } from './definition.js';
import { expandArgv } from './placeholders.js';
import { firstLine } from './unavailable.js';

export type Availability = { available: true; version: string } | { available: false; reason: string };

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

/**
 * Whether a target can run here: every requirement command exits 0, then the version command
 * prints a version (picked out by `match` when given).
 */
export function probeAvailability(
  def: Pick<CommandTargetDefinition, 'requires' | 'version'>,
  dir: string,
): Availability {
  for (const req of def.requires) {
    if (!runProbe(expandArgv(req.run, { dir }), dir).ok) return { available: false, reason: req.missing };
  }
  const run = runProbe(expandArgv(def.version.run, { dir }), dir);
  if (!run.ok) return { available: false, reason: `cannot read its version (${run.failure})` };
  const printed = run.stdout.trim();
  const version = def.version.match
    ? (new RegExp(def.version.match, 'm').exec(printed)?.[0] ?? '')
    : firstLine(printed);
  if (!version) {
    return { available: false, reason: `cannot read its version (got ${JSON.stringify(firstLine(printed, 60))})` };
  }
  return { available: true, version };
}
