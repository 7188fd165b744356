// The command line every echo program of this folder takes (they run under Node, Bun or Deno, so this module
// uses nothing of any runtime):
//   --host HOST --port PORT [--package DIR] [--deflate]
// --package is the folder of the npm package to load (never a bare name: an on-demand release lives in a
// cache, not in node_modules); --deflate turns the library's permessage-deflate on.

const USAGE = '--host HOST --port PORT [--package DIR] [--deflate]';

/**
 * { host, port, packageDir, deflate }, or { error } with one line to print before exiting with 2.
 * `program` names the script in that line; `needsPackage` makes --package required.
 */
export function parseEchoArgs(argv, program, needsPackage = false) {
  const usage = (why) => ({ error: `${program}: ${why} (usage: ${program} ${USAGE})` });
  const parsed = { host: '127.0.0.1', port: undefined, packageDir: undefined, deflate: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--deflate') {
      parsed.deflate = true;
      continue;
    }
    if (arg !== '--host' && arg !== '--port' && arg !== '--package') return usage(`unknown argument "${arg}"`);
    const value = argv[++i];
    if (value === undefined || value === '') return usage(`${arg} needs a value`);
    if (arg === '--host') parsed.host = value;
    else if (arg === '--package') parsed.packageDir = value;
    else {
      if (!/^\d+$/.test(value) || Number(value) > 65535) return usage(`--port "${value}" is not a port number`);
      parsed.port = Number(value);
    }
  }
  if (parsed.port === undefined) return usage('--port is required');
  if (needsPackage && parsed.packageDir === undefined) return usage('--package is required');
  return parsed;
}
