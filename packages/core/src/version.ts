import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/version.ts and dist/version.js both sit one level below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('@wsmatrix/core package.json has no version');
  return manifest.version;
}

/** This package's version, read from its package.json. */
export const coreVersion: string = readVersion();
