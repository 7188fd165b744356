import { fileURLToPath } from 'node:url';
import { UnknownTargetError } from '../registry.js';
import { createCommandTarget, type CommandTarget } from './command-target.js';
import { readTargetsFiles } from './definition.js';

/** The targets file shipped with this package (wslay, python-websockets, and the files its `include` names). */
export const SHIPPED_TARGETS_FILE = fileURLToPath(new URL('../../external/targets.json', import.meta.url));

/**
 * One CommandTarget per definition in a targets file and the files it includes, in file order, each with
 * its own file's folder for relative paths and `{dir}`.
 */
export function loadCommandTargets(file: string = SHIPPED_TARGETS_FILE, cacheDir?: string): CommandTarget[] {
  return readTargetsFiles(file).flatMap(({ dir, definitions }) =>
    definitions.map((d) => createCommandTarget(d, cacheDir === undefined ? { dir } : { dir, cacheDir })),
  );
}

/** The external target called `name` from a targets file; UnknownTargetError if there is none. */
export function getCommandTarget(name: string, file: string = SHIPPED_TARGETS_FILE): CommandTarget {
  const targets = loadCommandTargets(file);
  const target = targets.find((t) => t.name === name);
  if (!target)
    throw new UnknownTargetError(
      name,
      targets.map((t) => t.name),
    );
  return target;
}
