/**
 * Entry of a benchmark server process: `server-process <target|tcp>`. Runs one target alone (so its CPU
 * can be read and it can be pinned), prints one JSON line of ServerInfo on stdout, and stops on SIGTERM /
 * SIGINT or when the parent goes away. An external target runs as this process's child, pinned as it is; an
 * npm release is named by its exact version, which the parent installed into the cache (bench-targets.ts).
 */
import { resolveTarget } from '@wsmatrix/targets';
import { startTcpEcho, TCP_ECHO_STYLE } from './tcp-echo.js';

const HOST = '127.0.0.1';

/** Starts `name` listening on HOST: what it is, where it listens, and how to stop it. */
async function start(name: string): Promise<{ info: Record<string, unknown>; close: () => Promise<void> }> {
  if (name === 'tcp') {
    const { port, close } = await startTcpEcho({ host: HOST, port: 0 });
    const options = { echo: TCP_ECHO_STYLE };
    return { info: { name, implementation: 'node:net', version: process.version, options, port }, close };
  }
  const target = await resolveTarget(name);
  const running = await target.start({ host: HOST, port: 0 });
  const { implementation, version } = target;
  // The options in effect: the target's own, overridden by what it resolved at start (the core's socket layer).
  const options = { ...target.options, ...running.options };
  return { info: { name, implementation, version, options, port: running.port }, close: () => running.close() };
}

async function main(): Promise<void> {
  const [name] = process.argv.slice(2);
  if (!name) throw new Error('usage: server-process <target|tcp>');
  const server = await start(name);
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await server.close().catch(() => {});
    // process.exit() still writes a --cpu-prof profile.
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  // The parent holds our stdin open; its end means the parent is gone.
  process.stdin.on('end', stop).resume();
  process.stdout.write(`${JSON.stringify({ ...server.info, host: HOST, pid: process.pid })}\n`);
}

main().catch((err: unknown) => {
  // The whole stack: the parent shows all of stderr when a server cannot start.
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
