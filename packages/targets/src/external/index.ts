export {
  createCommandTarget,
  TargetStartError,
  type CommandTarget,
  type CommandTargetContext,
  type RunningCommandTarget,
} from './command-target.js';
export {
  InvalidTargetsFileError,
  parseClientsJson,
  parseTargetsJson,
  readTargetsFile,
  readTargetsFiles,
  type BuildSpec,
  type CommandTargetDefinition,
  type Requirement,
  type ShippedClientDefinition,
  type TargetsFile,
  type VersionCommand,
  type VersionSpec,
} from './definition.js';
export { defaultCacheDir } from './build.js';
export { SHIPPED_TARGETS_FILE, getCommandTarget, loadCommandTargets } from './shipped.js';
export { TargetUnavailableError } from './unavailable.js';
export { killLiveChildren, stopLiveChildren, trackChild, type TrackOptions } from './live-children.js';
export { createUrlTarget, UNVERSIONED, UrlTargetDownError, type UrlTargetSpec } from './url-target.js';
