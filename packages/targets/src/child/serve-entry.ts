/**
 * Entry of a target's own process: `serve-entry <target> <host> <port>`. Starts the embedded target of
 * that registry name alone in this Node process (so its CPU time is its own and the harness's event loop
 * is not shared), reports on stdout in the lines of messages.ts, and stops on SIGTERM / SIGINT or when
 * its stdin ends (the parent holds it open: its end means the parent is gone).
 */
import { TargetUnavailableError } from '../external/unavailable.js';
import { getTarget } from '../registry.js';
import type { RunningTarget } from '../types.js';
import { encodeMessage, type ChildMessage } from './messages.js';

/**
 * How often the server's resolved settings are compared with what was last reported. They change at
 * most once or twice (the core's socket layer falls back on its first connection); the final value is
 * reported on stop whatever this interval.
 */
const OPTIONS_CHECK_MS = 100;

/** Resolves once the line has been handed to the pipe, so an exit right after does not lose it. */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.stdout.write(encodeMessage(message), () => resolve()));
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Where this process is; every stop request (signal, stdin's end) goes through it. */
type Phase =
  | { kind: 'starting' }
  | { kind: 'serving'; running: RunningTarget; check: NodeJS.Timeout }
  | { kind: 'stopping' };
let phase: Phase = { kind: 'starting' };

async function stop(): Promise<void> {
  const was = phase;
  if (was.kind === 'stopping') return;
  phase = { kind: 'stopping' };
  // No line has said it listens: a server half started goes with this process.
  if (was.kind === 'starting') process.exit(0);
  clearInterval(was.check);
  const { options } = was.running;
  await send({ kind: 'stopping', cpuMs: ownCpuMs(), ...(options ? { options } : {}) });
  await was.running.close().catch(() => {});
  process.exit(0);
}

/** Reports the server's resolved settings whenever they differ from the last report. */
function watchOptions(running: RunningTarget): NodeJS.Timeout {
  let reported = JSON.stringify(running.options ?? null);
  const check = setInterval(() => {
    const { options } = running;
    const now = JSON.stringify(options ?? null);
    if (now === reported || options === undefined) return;
    reported = now;
    void send({ kind: 'options', options });
  }, OPTIONS_CHECK_MS);
  check.unref();
  return check;
}

async function main(): Promise<void> {
  const [name, host, portText] = process.argv.slice(2);
  if (name === undefined || host === undefined || portText === undefined || !/^\d+$/.test(portText)) {
    process.stderr.write('usage: serve-entry <target> <host> <port>\n');
    process.exit(2);
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop).on('error', stop).resume();
  let running: RunningTarget;
  try {
    running = await getTarget(name).start({ host, port: Number(portText) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const unavailable = err instanceof TargetUnavailableError ? { unavailable: err.reason } : {};
    await send({ kind: 'failed', message, ...unavailable });
    process.exit(1);
  }
  phase = { kind: 'serving', running, check: watchOptions(running) };
  const { url, port, options } = running;
  await send({ kind: 'listening', url, host: running.host, port, ...(options ? { options } : {}) });
}

void main();
