import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseInstallError } from './errors.js';
import { npmFailure, type NpmRunner } from './npm-runner.js';

/** Downloading a runtime (bun, deno: ~100 MB each) on a slow line; only stops a hung npm. */
const INSTALL_TIMEOUT_MS = 600_000;
/** The lifecycle scripts that make an installed package usable (bun and deno put their binary in place). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** `<cacheRoot>/<package>@<version>`: npm's prefix for one release (a scope's slash becomes a `+`). */
export function releaseFolder(cacheRoot: string, pkg: string, version: string): string {
  return join(cacheRoot, `${pkg.replace('/', '+')}@${version}`);
}

/** The package's own folder inside a release folder. */
function packageFolder(prefix: string, pkg: string): string {
  return join(prefix, 'node_modules', pkg);
}

function readManifest(packageDir: string): { version?: unknown; scripts?: Record<string, unknown> } | undefined {
  try {
    return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The package folder of a release installed in the cache, or undefined when it is not (completely) there. */
export function cachedRelease(cacheRoot: string, pkg: string, version: string): string | undefined {
  const dir = packageFolder(releaseFolder(cacheRoot, pkg, version), pkg);
  return readManifest(dir)?.version === version ? dir : undefined;
}

export interface InstallOptions {
  /** Where releases are kept (`<cache>/npm`). */
  cacheRoot: string;
  npm: NpmRunner;
  /** The spec as the user wrote it, for error messages. */
  spec: string;
  /** Told once, before npm starts downloading. */
  onInstall?: (line: string) => void;
}

const installing = new Map<string, Promise<string>>();

/**
 * Installs PACKAGE@VERSION (exact) into the cache once and returns its package folder. npm writes into a folder of
 * this call's own, renamed into place when complete: rename is atomic, so another process sees no release or a
 * whole one, and of two processes installing the same release the second to finish keeps the first one's.
 * Dependencies' install scripts do not run; the package's own do (`npm rebuild PACKAGE`), as bun and deno need
 * theirs to put their binary in place.
 */
export function installRelease(pkg: string, version: string, options: InstallOptions): Promise<string> {
  const prefix = releaseFolder(options.cacheRoot, pkg, version);
  let pending = installing.get(prefix);
  if (!pending) {
    pending = install(pkg, version, prefix, options);
    installing.set(prefix, pending);
    pending.catch(() => installing.delete(prefix)); // a failed install may be tried again
  }
  return pending;
}

async function install(pkg: string, version: string, prefix: string, options: InstallOptions): Promise<string> {
  const { cacheRoot, npm, spec } = options;
  const ready = cachedRelease(cacheRoot, pkg, version);
  if (ready !== undefined) return ready;
  mkdirSync(cacheRoot, { recursive: true });
  // A folder without a complete package (damaged by hand) would block the rename.
  if (existsSync(prefix)) {
    const finished = cachedRelease(cacheRoot, pkg, version);
    if (finished !== undefined) return finished;
    discard(prefix);
  }
  const base = `.installing-${pkg.replace('/', '+')}@${version}-`;
  removeAbandoned(cacheRoot, base);
  const temporary = join(cacheRoot, `${base}${process.pid}-${hex()}`);
  mkdirSync(temporary);
  try {
    options.onInstall?.(`installing ${pkg}@${version} from the npm registry into ${prefix}`);
    const npmIn = (args: string[]) => npm(args, { cwd: temporary, timeoutMs: INSTALL_TIMEOUT_MS });
    const installArgs = ['install', '--prefix', temporary, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts'];
    const installed = await npmIn([...installArgs, `${pkg}@${version}`]);
    if (installed.code !== 0 || installed.error !== undefined) {
      throw new ReleaseInstallError(spec, `npm install ${pkg}@${version} failed: ${npmFailure(installed)}`);
    }
    const manifest = readManifest(packageFolder(temporary, pkg));
    if (manifest?.version !== version) {
      throw new ReleaseInstallError(spec, `npm install did not put ${pkg}@${version} in ${temporary}`);
    }
    if (INSTALL_SCRIPTS.some((s) => typeof manifest.scripts?.[s] === 'string')) {
      const rebuilt = await npmIn(['rebuild', '--prefix', temporary, pkg]);
      if (rebuilt.code !== 0 || rebuilt.error !== undefined) {
        throw new ReleaseInstallError(spec, `the install script of ${pkg}@${version} failed: ${npmFailure(rebuilt)}`);
      }
    }
    try {
      renameSync(temporary, prefix);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process finished the same release first: keep its copy.
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  const done = cachedRelease(cacheRoot, pkg, version);
  if (done === undefined) throw new ReleaseInstallError(spec, `${prefix} holds no ${pkg}@${version} after the install`);
  return done;
}

/** Moves a folder out of the way first (atomic), then deletes it: a reader never sees it half deleted. */
function discard(dir: string): void {
  const aside = `${dir}.discarded-${process.pid}-${hex()}`;
  try {
    renameSync(dir, aside);
  } catch {
    return; // gone already, or replaced by another process's complete install
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Folders of installs whose process is gone (killed mid-install): `<base><pid>-<hex>`. */
function removeAbandoned(cacheRoot: string, base: string): void {
  for (const name of readdirSync(cacheRoot)) {
    if (!name.startsWith(base)) continue;
    const pid = Number(name.slice(base.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isRunning(pid))
      rmSync(join(cacheRoot, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function hex(): string {
  return randomBytes(4).toString('hex');
}
