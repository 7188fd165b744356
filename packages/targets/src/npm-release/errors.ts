/**
 * Why an npm release asked for on demand (`--targets ws@6.2.2`) cannot run. The first two are the user's to fix
 * (a command-line tool exits 2 for them); ReleaseInstallError is the machine's or the network's.
 */

/** The spec is malformed, or no target definition runs the npm package it names. */
export class InvalidReleaseSpecError extends Error {
  constructor(
    readonly spec: string,
    problem: string,
  ) {
    super(`invalid release "${spec}": ${problem}`);
    this.name = 'InvalidReleaseSpecError';
  }
}

/** The registry has no such package, or no release of it matches the version, range or dist-tag. */
export class ReleaseNotFoundError extends Error {
  constructor(
    readonly spec: string,
    problem: string,
  ) {
    super(`no release "${spec}" in the npm registry: ${problem}`);
    this.name = 'ReleaseNotFoundError';
  }
}

/** npm could not look the release up or install it (no network, a registry error, a failed install script). */
export class ReleaseInstallError extends Error {
  constructor(
    readonly spec: string,
    /** One line: what failed and npm's first line of diagnostics. */
    readonly reason: string,
  ) {
    super(`cannot install "${spec}" with npm: ${reason}`);
    this.name = 'ReleaseInstallError';
  }
}
