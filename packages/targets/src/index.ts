export type { EchoTarget, EchoTargetInfo, RunningTarget, StartOptions } from './types.js';
export { DEFAULT_HOST, MAX_MESSAGE_SIZE } from './types.js';
export { getTarget, isTargetName, targetNames, UnknownTargetError, type TargetName } from './registry.js';
export { loadUwsNative, UwsNativeLoadError, uwsUnavailableReason, type UwsNative } from './uws-native.js';
export { findPackage, packageVersion, type PackageInfo } from './package-version.js';
export * from './external/index.js';
export { inChildProcess, type ChildProcessOptions } from './child/child-target.js';
export { allTargetNames, externalTargetNames, getAnyTarget } from './all-targets.js';
export * from './clients/index.js';
