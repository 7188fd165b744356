import { UnknownTargetError } from '../registry.js';
import { embeddedClients } from './embedded.js';
import { createPythonWebsocketsClient } from './python.js';
import { loadShippedClients } from './shipped-clients.js';
import type { ClientTarget } from './types.js';

const factories = {
  ...embeddedClients,
  'python-websockets': () => createPythonWebsocketsClient(),
} as const satisfies Record<string, () => ClientTarget>;

export type ClientTargetName = keyof typeof factories;

/** The client drivers of the shipped targets files whose names no client above takes, in file order. */
function shippedClientNames(): string[] {
  return loadShippedClients()
    .map((c) => c.name)
    .filter((name) => !Object.hasOwn(factories, name));
}

/**
 * Every client target, in report order: the JavaScript clients of clients/, the Python one, then the drivers
 * the shipped targets files describe (Go, Python, C, C++, Java, Ruby, Perl and npm implementations).
 */
export const clientTargetNames: readonly string[] = Object.freeze([
  ...(Object.keys(factories) as ClientTargetName[]),
  ...shippedClientNames(),
]);

export function isClientTargetName(name: string): boolean {
  return clientTargetNames.includes(name);
}

/** A fresh ClientTarget for `name`; throws UnknownTargetError (listing the client names) for anything else. */
export function getClientTarget(name: string): ClientTarget {
  if (Object.hasOwn(factories, name)) return factories[name as ClientTargetName]();
  const shipped = loadShippedClients().find((c) => c.name === name);
  if (!shipped) throw new UnknownTargetError(name, clientTargetNames);
  return shipped;
}
