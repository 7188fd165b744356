// What every bin does: run the compiled CLI with plain node. Inside the repository, `npm run build`
// (or `npm test`, `npm run matrix`) compiles it first.
export async function launch(name, argv) {
  let cli;
  try {
    cli = await import('../dist/cli.js');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
    console.error(`${name}: not built (dist/cli.js missing); run \`npm run build\` at the repository root`);
    process.exit(1);
  }
  await cli.runCli(argv);
}
