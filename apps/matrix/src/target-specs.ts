/**
 * The targets `--targets` (and serve's argument) name: embedded and shipped external targets by name, and npm
 * releases on demand, NAME@VERSION (`ws@6.2.2`, `ws@6`, `bun@latest`), installed into the cache before anything is
 * played, so a bad spec or a release the registry lacks stops the command at once.
 */
import {
  InvalidReleaseSpecError,
  isReleaseSpec,
  ReleaseNotFoundError,
  resolveTarget,
  type EchoTarget,
} from '@wsmatrix/targets';
import { UsageError } from './args.js';
import { startableTarget } from './startable-target.js';
import type { ColumnSource } from './user-targets.js';

/**
 * A release's target, installed if the cache lacks it (`say` is told so). A malformed spec, a name no target runs
 * on, or a release the registry does not have is a UsageError (exit 2); npm failing (no network) stays an Error.
 */
export async function resolveRelease(spec: string, say: (text: string) => void): Promise<EchoTarget> {
  try {
    return await resolveTarget(spec, { onInstall: (line) => say(`${line}\n`) });
  } catch (err) {
    if (err instanceof InvalidReleaseSpecError || err instanceof ReleaseNotFoundError) {
      throw new UsageError(err.message);
    }
    throw err;
  }
}

/**
 * One source per named target, in order: a name is made when its column starts (as before), a release is resolved
 * now and named after its exact version (`ws@6` runs as `ws@6.2.7`); two specs of one release give one column.
 */
export async function targetSources(names: readonly string[], say: (text: string) => void): Promise<ColumnSource[]> {
  const sources: ColumnSource[] = [];
  for (const name of names) {
    if (!isReleaseSpec(name)) {
      sources.push({ name, make: () => startableTarget(name) });
      continue;
    }
    const target = await resolveRelease(name, say);
    if (!sources.some((s) => s.name === target.name)) sources.push({ name: target.name, make: () => target });
  }
  return sources;
}

/** What help says about NAME@VERSION. */
export const RELEASE_NOTES: readonly string[] = [
  'NAME@VERSION (ws@6.2.2, ws@6, bun@latest): that release of the npm package the target NAME runs on (or of the npm',
  'package NAME), installed once with npm into the cache; a range or dist-tag runs the newest release it matches.',
];
