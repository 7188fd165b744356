export { InvalidReleaseSpecError, ReleaseInstallError, ReleaseNotFoundError } from './errors.js';
export type { NpmResult, NpmRunner } from './npm-runner.js';
export { isReleaseSpec, parseReleaseSpec, type ReleaseSpec } from './release-spec.js';
export { npmReleaseNames, resolveTarget, type ResolveTargetOptions } from './resolve-target.js';
