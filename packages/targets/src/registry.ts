import { createCoreDeflateTarget, createCoreTarget } from './core-target.js';
import type { EchoTarget } from './types.js';
import { createUwsDeflateDedicatedTarget, createUwsDeflateTarget, createUwsTarget } from './uws-target.js';
import { createWs7Target, createWsDeflateTarget, createWsTarget } from './ws-target.js';

/**
 * The uncompressed targets decline permessage-deflate (groups 12/13 are UNIMPLEMENTED there); the
 * `+deflate` columns are the same servers with compression on.
 */
const factories = {
  core: createCoreTarget,
  ws: createWsTarget,
  ws7: createWs7Target,
  uws: () => createUwsTarget(),
  'core+deflate': createCoreDeflateTarget,
  'ws+deflate': createWsDeflateTarget,
  'uws+deflate': createUwsDeflateTarget,
  'uws+deflate-dedicated': createUwsDeflateDedicatedTarget,
} as const satisfies Record<string, () => EchoTarget>;

export type TargetName = keyof typeof factories;

/** Every target, in report order. */
export const targetNames: readonly TargetName[] = Object.freeze(Object.keys(factories) as TargetName[]);

export class UnknownTargetError extends Error {
  constructor(
    readonly target: string,
    readonly validNames: readonly string[] = targetNames,
  ) {
    super(`unknown target "${target}" (expected one of: ${validNames.join(', ')})`);
    this.name = 'UnknownTargetError';
  }
}

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(factories, name);
}

/** A fresh EchoTarget for `name`; throws UnknownTargetError for anything else. */
export function getTarget(name: string): EchoTarget {
  if (!isTargetName(name)) throw new UnknownTargetError(name);
  return factories[name]();
}
