import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface PackageInfo {
  /** Directory holding the package (as installed, e.g. node_modules/uWebSockets.js). */
  dir: string;
  /** The `name` field of its package.json (may differ from the install name for npm aliases). */
  name: string;
  version: string;
}

/**
 * Finds an installed package's directory and package.json the way Node's resolver walks
 * node_modules, but without going through the package's "exports" map (which often does
 * not export ./package.json) and without loading or requiring its entry file to exist.
 */
export function findPackage(installName: string): PackageInfo {
  const searched = require.resolve.paths(installName) ?? [];
  for (const base of searched) {
    const dir = join(base, installName);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
    if (typeof json.version !== 'string') {
      throw new Error(`${manifest} has no version field`);
    }
    return { dir, name: typeof json.name === 'string' ? json.name : installName, version: json.version };
  }
  throw new Error(`package "${installName}" is not installed (searched ${searched.length} node_modules folders)`);
}

/** The version from an installed package's own package.json. */
export function packageVersion(installName: string): string {
  return findPackage(installName).version;
}
