/**
 * Every matrix column: the embedded targets (in-process servers) followed by the external ones started
 * by command from the shipped targets file. Embedded names win if a targets file reuses one.
 */
import { loadCommandTargets } from './external/index.js';
import { getTarget, isTargetName, targetNames, UnknownTargetError } from './registry.js';
import type { EchoTarget } from './types.js';

/** Names of the external targets in the shipped targets file, in file order. */
export function externalTargetNames(): string[] {
  return loadCommandTargets()
    .map((t) => t.name)
    .filter((name) => !isTargetName(name));
}

/** Embedded then external target names: the default columns of the matrix. */
export function allTargetNames(): string[] {
  return [...targetNames, ...externalTargetNames()];
}

/** Any target by name, embedded or external; UnknownTargetError lists every valid name. */
export function getAnyTarget(name: string): EchoTarget {
  if (isTargetName(name)) return getTarget(name);
  const external = loadCommandTargets().find((t) => t.name === name);
  if (!external) throw new UnknownTargetError(name, allTargetNames());
  return external;
}
