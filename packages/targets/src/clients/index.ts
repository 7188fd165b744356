export type { ClientTarget, DriveOptions, DriveResult } from './types.js';
export { clientTargetNames, getClientTarget, isClientTargetName, type ClientTargetName } from './registry.js';
export {
  createCommandClient,
  InvalidClientCommandError,
  parseClientCommand,
  type CommandClientDefinition,
} from './command-client.js';
export { loadShippedClients } from './shipped-clients.js';
