import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Uws from 'uWebSockets.js';
import { findPackage, type PackageInfo } from './package-version.js';

const require = createRequire(import.meta.url);

export type UwsModule = typeof Uws;

/**
 * An installed package (an npm alias in package.json) that ships uWebSockets.js native builds, one
 * .node file per platform, arch and Node ABI. Listed in preference order: the first one with a build
 * for the running Node that loads is used.
 */
interface UwsBinaryPackage {
  installName: string;
  /** Folder of the .node files inside the package. */
  binaryDir: string;
  /** The uWebSockets.js version of its builds, from what the package itself says. */
  uwsVersion(dir: string, manifestVersion: string): string;
}

const UWS_BINARY_PACKAGES: readonly UwsBinaryPackage[] = [
  // A fork release of uWS 20.30 whose package version names it; builds up to ABI 115 (Node 20).
  { installName: 'uWebSockets.js', binaryDir: 'binaries', uwsVersion: (_dir, version) => version },
  // A copy of upstream's binaries branch (builds for Node 18 to 23 and ABI 137). Its package version
  // is its own numbering; the uWS release is the one its loader names in its error text.
  { installName: 'uws-binaries', binaryDir: '.', uwsVersion: loaderNamedVersion },
];

function loaderNamedVersion(dir: string): string {
  const loader = readFileSync(join(dir, 'uws.js'), 'utf8');
  const named = /uWS\.js \(v(\d+\.\d+\.\d+)\)/.exec(loader);
  if (!named) throw new Error(`${join(dir, 'uws.js')} names no uWS.js version`);
  return named[1]!;
}

export interface UwsNative {
  uws: UwsModule;
  /** Absolute path of the .node file that was loaded. */
  binaryPath: string;
  packageDir: string;
  /** The installed package the build came from, e.g. "@based/uws@6.0.1". */
  packageId: string;
  /** The uWebSockets.js release of that build. */
  uwsVersion: string;
}

/** Why no native build runs on this Node, as a column of the matrix says it (one line). */
export class UwsNativeLoadError extends Error {
  constructor(
    message: string,
    /** The .node file that failed to load, when one exists for this ABI. */
    readonly binaryPath?: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UwsNativeLoadError';
  }
}

/** What the host needs to know to pick and explain a build; injectable so tests can ask about any Node. */
export interface UwsHost {
  platform: string;
  arch: string;
  /** process.versions.modules */
  abi: string;
  /** Major version, for the message. */
  nodeMajor: number;
  /** glibc at run time (undefined off glibc). */
  glibc: string | undefined;
}

export function currentHost(): UwsHost {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return {
    platform: process.platform,
    arch: process.arch,
    abi: process.versions.modules,
    nodeMajor: Number(process.versions.node.split('.')[0]),
    glibc: header?.glibcVersionRuntime,
  };
}

export function binaryFileName(host: UwsHost): string {
  return `uws_${host.platform}_${host.arch}_${host.abi}.node`;
}

/** The one-line reason for a build that exists but does not load. */
export function loadFailureReason(host: UwsHost, err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const prefix = `unavailable on Node ${host.nodeMajor} (native build for ABI ${host.abi}`;
  const glibc = /GLIBC_(\d+(?:\.\d+)+)' not found/.exec(text);
  if (glibc) return `${prefix} needs glibc ≥ ${glibc[1]}; this system has ${host.glibc ?? 'no glibc'})`;
  const firstLine = text.split('\n')[0]!.trim();
  return `${prefix} does not load: ${firstLine})`;
}

export function noBuildReason(host: UwsHost): string {
  return `unavailable on Node ${host.nodeMajor} (no native build for ABI ${host.abi})`;
}

function installed(installName: string): PackageInfo | undefined {
  try {
    return findPackage(installName);
  } catch {
    return undefined;
  }
}

function isUwsModule(value: unknown): value is UwsModule {
  const m = value as Partial<UwsModule> | null;
  return typeof m?.App === 'function' && typeof m.us_socket_local_port === 'function';
}

/**
 * Finds and loads the native build for `host` by requiring the .node file itself. The packages'
 * entry files are never used: one of them silently falls back to a ws-based imitation when its
 * binary does not load. Throws UwsNativeLoadError with the reason a column shows.
 */
export function loadUwsNativeFor(host: UwsHost): UwsNative {
  const file = binaryFileName(host);
  let firstFailure: UwsNativeLoadError | undefined;
  for (const source of UWS_BINARY_PACKAGES) {
    const pkg = installed(source.installName);
    if (pkg === undefined) continue;
    const binaryPath = join(pkg.dir, source.binaryDir, file);
    if (!existsSync(binaryPath)) continue;
    let uws: unknown;
    try {
      uws = require(binaryPath);
    } catch (err) {
      firstFailure ??= new UwsNativeLoadError(loadFailureReason(host, err), binaryPath, err);
      continue;
    }
    if (!isUwsModule(uws)) {
      const notUws = new Error(`${binaryPath} does not look like uWebSockets.js`);
      firstFailure ??= new UwsNativeLoadError(loadFailureReason(host, notUws), binaryPath, notUws);
      continue;
    }
    return {
      uws,
      binaryPath,
      packageDir: pkg.dir,
      packageId: `${pkg.name}@${pkg.version}`,
      uwsVersion: source.uwsVersion(pkg.dir, pkg.version),
    };
  }
  throw firstFailure ?? new UwsNativeLoadError(noBuildReason(host));
}

let loaded: { native: UwsNative } | { error: UwsNativeLoadError } | undefined;

/** The native build for the running Node, loaded once per process. */
export function loadUwsNative(): UwsNative {
  if (loaded === undefined) {
    try {
      loaded = { native: loadUwsNativeFor(currentHost()) };
    } catch (err) {
      if (!(err instanceof UwsNativeLoadError)) throw err;
      loaded = { error: err };
    }
  }
  if ('error' in loaded) throw loaded.error;
  return loaded.native;
}

/** Undefined when a native build runs here, else the one-line reason it does not. */
export function uwsUnavailableReason(): string | undefined {
  try {
    loadUwsNative();
    return undefined;
  } catch (err) {
    if (err instanceof UwsNativeLoadError) return err.message;
    throw err;
  }
}
