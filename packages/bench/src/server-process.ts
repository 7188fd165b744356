/**
 * Entry of a benchmark server process: `server-process <target|tcp> [--tcp-echo STYLE]`. Runs one
 * target alone in its own process (so its CPU can be read and it can be pinned), prints one JSON line
 * {name, implementation, version, host, port, pid} on stdout, and stops on SIGTERM / SIGINT or when the
 * parent goes away.
 */
import { getAnyTarget } from '@wsmatrix/targets';
import { DEFAULT_TCP_ECHO_STYLE, startTcpEcho, TCP_ECHO_STYLES, type TcpEchoStyle } from './tcp-echo.js';

const HOST = '127.0.0.1';

async function start(name: string, tcpStyle: TcpEchoStyle): Promise<{ info: Record<string, unknown>; close: () => Promise<void> }> {
  if (name === 'tcp') {
    const echo = await startTcpEcho({ host: HOST, port: 0, style: tcpStyle });
    return { info: { name, implementation: 'node:net', version: process.version, options: { echo: tcpStyle }, port: echo.port }, close: echo.close };
  }
  const target = getAnyTarget(name);
  const running = await target.start({ host: HOST, port: 0 });
  return {
    // The options in effect: what the target declares, overridden by what it resolved at start (the core's socket layer).
    info: { name, implementation: target.implementation, version: target.version, options: { ...target.options, ...running.options }, port: running.port },
    close: () => running.close(),
  };
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name) throw new Error(`usage: server-process <target|tcp> [--tcp-echo ${TCP_ECHO_STYLES.join('|')}]`);
  const styleAt = rest.indexOf('--tcp-echo');
  const style = (styleAt >= 0 ? rest[styleAt + 1] : DEFAULT_TCP_ECHO_STYLE) as TcpEchoStyle;
  if (!TCP_ECHO_STYLES.includes(style)) throw new Error(`unknown --tcp-echo style "${style}" (expected one of: ${TCP_ECHO_STYLES.join(', ')})`);
  const server = await start(name, style);
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
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
