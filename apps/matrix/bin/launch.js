// What every bin does: run the compiled CLI with plain node. In a clone of the repository whose packages are not
// built yet (a fresh `npm ci`), it builds them first with the repository's own build (turbo, cached), so the
// first command works as the README shows it; a published install always ships dist/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = new URL('../dist/cli.js', import.meta.url);
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function buildRepository(name) {
  console.error(`${name}: not built yet; building the packages first (npm run build, once)`);
  // The build's own output goes to stderr, so a command's stdout (--json) stays what it prints.
  const built = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (built.status !== 0) {
    console.error(`${name}: the build failed (npm run build at ${REPOSITORY_ROOT}); see its output above`);
    process.exit(1);
  }
}

export async function launch(name, argv) {
  if (!existsSync(CLI) && existsSync(new URL('../../../turbo.json', import.meta.url))) buildRepository(name);
  let cli;
  try {
    cli = await import(CLI.href);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
    console.error(`${name}: not built (dist/cli.js missing); run \`npm run build\` at the repository root`);
    process.exit(1);
  }
  await cli.runCli(argv);
}
