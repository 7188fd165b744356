#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx wsmatrix` works right after
// `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
await runCli(process.argv.slice(2));
