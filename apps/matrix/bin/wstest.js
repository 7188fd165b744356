#!/usr/bin/env node
// Autobahn's wstest as a drop-in: `wstest -m fuzzingclient -s spec.json` is `wsmatrix wstest …`. Runs the
// compiled CLI with plain node; inside the repository, `npm run build` compiles it first.
let cli;
try {
  cli = await import('../dist/cli.js');
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
  console.error('wstest: not built (dist/cli.js missing); run `npm run build` at the repository root');
  process.exit(1);
}
await cli.runCli(['wstest', ...process.argv.slice(2)]);
