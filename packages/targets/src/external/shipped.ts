import { fileURLToPath } from 'node:url';
import { UnknownTargetError } from '../registry.js';
import { createCommandTarget, type CommandTarget } from './command-target.js';
import { readTargetsFile } from './definition.js';

/** The targets file shipped with this package: wslay and python-websockets. */
export const SHIPPED_TARGETS_FILE = fileURLToPath(new URL('../../external/targets.json', import.meta.url));

/** One CommandTarget per definition in a targets file, in file order. */
export function loadCommandTargets(file: string = SHIPPED_TARGETS_FILE, cacheDir?: string): CommandTarget[] {
  const { dir, definitions } = readTargetsFile(file);
  return definitions.map((d) => createCommandTarget(d, cacheDir === undefined ? { dir } : { dir, cacheDir }));
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
