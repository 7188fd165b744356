// The process around a client driver, under Node, Bun or Deno: arguments, the exit code and one line on stderr
// when the driver fails (2 for usage, 1 otherwise), and a line when the event loop runs dry before the driver is
// done (a connection that never reported its close would otherwise end the process quietly, cases unplayed).
import { createFuzzingDriver, parseDriverArgs, UsageError } from './fuzzing-driver.mjs';

const deno = globalThis.Deno;
const argv = () => (deno ? deno.args : process.argv.slice(2));
const exit = (code) => (deno ? deno.exit(code) : process.exit(code));

/**
 * Runs the driver `program` (its name in messages). `makeConnect({ packageDir })` returns the library's
 * `connect` (see createFuzzingDriver); it may load the library from packageDir, required when `needsPackage`.
 */
export async function runDriver(program, makeConnect, needsPackage = false) {
  let args;
  try {
    args = parseDriverArgs(argv(), program, needsPackage);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message);
    exit(2);
  }
  const connect = await makeConnect(args);
  const driver = createFuzzingDriver({ ...args, connect, print: (line) => console.log(line) });
  let settled = false;
  const onDrained = () => {
    if (settled) return;
    console.error(driver.stalled());
    exit(1);
  };
  if (deno) globalThis.addEventListener('beforeunload', onDrained);
  else process.on('beforeExit', onDrained);
  try {
    await driver.run();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    exit(1);
  }
  settled = true;
}
