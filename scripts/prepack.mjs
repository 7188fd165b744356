#!/usr/bin/env node
// Runs before `npm pack` / `npm publish` of a workspace package (cwd: that package). The licence has one
// source, the repository's LICENSE, copied into the package so its tarball carries it (the copies are
// gitignored); a package without its build would ship nothing that runs, so that stops the pack.
import { copyFileSync, existsSync } from 'node:fs';

const ROOT_LICENSE = new URL('../LICENSE', import.meta.url);
if (!existsSync('dist/index.js')) {
  console.error(`${process.cwd()}: dist/index.js missing; run \`npm run build\` at the repository root first`);
  process.exit(1);
}
copyFileSync(ROOT_LICENSE, 'LICENSE');
