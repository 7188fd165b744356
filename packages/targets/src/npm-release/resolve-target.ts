import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCacheDir } from '../external/build.js';
import { createCommandTarget } from '../external/command-target.js';
import { readTargetsFiles, type CommandTargetDefinition } from '../external/definition.js';
import { loadCommandTargets, SHIPPED_TARGETS_FILE } from '../external/shipped.js';
import { getTarget, isTargetName, targetNames, UnknownTargetError } from '../registry.js';
import type { EchoTarget } from '../types.js';
import { InvalidReleaseSpecError } from './errors.js';
import { runNpm, type NpmRunner } from './npm-runner.js';
import { resolveReleaseVersion } from './registry-lookup.js';
import { cachedRelease, installRelease } from './release-cache.js';
import { isReleaseSpec, parseReleaseSpec } from './release-spec.js';

export interface ResolveTargetOptions {
  /** The targets file (and what it includes) defining the external targets; default: the shipped one. */
  targetsFile?: string;
  /** The cache root, as for builds (default: defaultCacheDir()); releases are installed under `<cacheDir>/npm/`. */
  cacheDir?: string;
  /** How npm is run (default: the npm on PATH). */
  npm?: NpmRunner;
  /** Told, one line, when a release is downloaded (it takes seconds to minutes). */
  onInstall?: (line: string) => void;
}

interface Located {
  definition: CommandTargetDefinition;
  dir: string;
}

function definitionsOf(file: string): Located[] {
  return readTargetsFiles(file).flatMap(({ dir, definitions }) =>
    definitions.map((definition) => ({ definition, dir })),
  );
}

/** The names `NAME@VERSION` accepts: each target that runs on an npm package, and that package's name. */
export function npmReleaseNames(targetsFile: string = SHIPPED_TARGETS_FILE): string[] {
  const names = definitionsOf(targetsFile).flatMap(({ definition: d }) => (d.npm ? [d.name, d.npm] : []));
  return [...new Set(names)];
}

/**
 * The target a `--targets` value names: an embedded target, an external one of the targets file, or `NAME@VERSION`:
 * the release of the npm package of the target NAME (or of the target running the npm package NAME) that VERSION (an
 * exact version, a range or a dist-tag; npm resolves the last two to the newest matching release) names, installed
 * into the cache once, run by that target's definition with `{package}` its folder. Its name is
 * `NAME@<exact version>`, its implementation the definition's, so its results sit beside the other releases'.
 *
 * Throws UnknownTargetError (no such name), InvalidReleaseSpecError (a malformed spec, a name no target runs),
 * ReleaseNotFoundError (no such release in the registry) or ReleaseInstallError (npm failed).
 */
export async function resolveTarget(spec: string, options: ResolveTargetOptions = {}): Promise<EchoTarget> {
  const file = options.targetsFile ?? SHIPPED_TARGETS_FILE;
  if (!isReleaseSpec(spec)) {
    if (isTargetName(spec)) return getTarget(spec);
    // Embedded names win over a targets file's (as in the matrix's columns).
    const external = loadCommandTargets(file, options.cacheDir).filter((t) => !isTargetName(t.name));
    const found = external.find((t) => t.name === spec);
    if (!found) throw new UnknownTargetError(spec, [...targetNames, ...external.map((t) => t.name)]);
    return found;
  }
  const release = parseReleaseSpec(spec);
  const located = definitionsOf(file);
  const onNpm = located.filter(({ definition }) => definition.npm !== undefined);
  const chosen =
    onNpm.find(({ definition }) => definition.name === release.name) ??
    onNpm.find(({ definition }) => definition.npm === release.name);
  if (!chosen) {
    const onDemand = npmReleaseNames(file).join(', ') || 'none';
    const whatItIs = located.some(({ definition }) => definition.name === release.name)
      ? `target "${release.name}" does not run on an npm package`
      : `no target runs the npm package "${release.name}"`;
    throw new InvalidReleaseSpecError(spec, `${whatItIs} (releases on demand: ${onDemand})`);
  }
  const pkg = chosen.definition.npm!;
  const cacheRoot = join(options.cacheDir ?? defaultCacheDir(), 'npm');
  const npm = options.npm ?? runNpm;
  // An exact release already in the cache needs no registry: it runs offline.
  let version = release.version;
  let packageDir = release.exact ? cachedRelease(cacheRoot, pkg, version) : undefined;
  if (packageDir === undefined) {
    mkdirSync(cacheRoot, { recursive: true });
    version = await resolveReleaseVersion(spec, pkg, release.version, npm, cacheRoot);
    packageDir = await installRelease(pkg, version, {
      cacheRoot,
      npm,
      spec,
      ...(options.onInstall ? { onInstall: options.onInstall } : {}),
    });
  }
  const definition = { ...chosen.definition, name: `${chosen.definition.name}@${version}` };
  return createCommandTarget(definition, {
    dir: chosen.dir,
    packageDir,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
}
