import { UnknownTargetError } from '../registry.js';
import { embeddedClients } from './embedded.js';
import { createPythonWebsocketsClient } from './python.js';
import type { ClientTarget } from './types.js';

const factories = {
  ...embeddedClients,
  'python-websockets': () => createPythonWebsocketsClient(),
} as const satisfies Record<string, () => ClientTarget>;

export type ClientTargetName = keyof typeof factories;

/** Every client target, in report order: the JavaScript clients, then the Python one. */
export const clientTargetNames: readonly ClientTargetName[] = Object.freeze(
  Object.keys(factories) as ClientTargetName[],
);

export function isClientTargetName(name: string): name is ClientTargetName {
  return Object.hasOwn(factories, name);
}

/** A fresh ClientTarget for `name`; throws UnknownTargetError (listing the client names) for anything else. */
export function getClientTarget(name: string): ClientTarget {
  if (!isClientTargetName(name)) throw new UnknownTargetError(name, clientTargetNames);
  return factories[name]();
}
