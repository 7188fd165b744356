/**
 * An embedded target run in a Node process of its own instead of this one: the harness and the server
 * no longer share an event loop, and the server's CPU time can be read apart from the harness's. The
 * process is the compiled serve-entry (dist/, also inside the repository, where the build precedes the
 * tests), started as the leader of its own process group like the external targets: the live-children
 * registry stops it on an interrupt, the exit hook when the harness exits, and its stdin ending when the
 * harness is killed outright.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeExit, spawnGroup, tail, type ExitInfo } from '../external/process-group.js';
import { TargetUnavailableError } from '../external/unavailable.js';
import { lineSplitter } from '../line-splitter.js';
import { processCpuMs } from '../process-cpu.js';
import { isTargetName, UnknownTargetError } from '../registry.js';
import { resolveStartOptions, type EchoTarget, type RunningTarget, type StartOptions } from '../types.js';
import { decodeMessage, type ChildMessage } from './messages.js';

/** This package's folder, whether this module runs as src/child/*.ts (tests) or dist/child/*.js. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The child's entry: always the compiled one, so it runs with plain node wherever this package is. */
export const SERVE_ENTRY = join(PACKAGE_DIR, 'dist', 'child', 'serve-entry.js');

/** A safety net against a child that neither listens nor fails; a loaded machine starts node in well under it. */
const START_TIMEOUT_MS = 30_000;
/** After SIGTERM, how long the child may take to close its server before SIGKILL. */
const STOP_GRACE_MS = 2_000;
/** Once the child is gone, how long to wait for the last of its output to be read. */
const OUTPUT_SETTLE_MS = 1_000;
const STDERR_TAIL_BYTES = 8 * 1024;
/** The longest piece of the child's stderr an error message quotes. */
const STDERR_IN_ERRORS = 300;

export interface ChildProcessOptions {
  /** Node options for the child before the entry, e.g. ['--cpu-prof'] to profile the server alone. */
  nodeArgs?: readonly string[];
}

/** A target started in its own process. */
export interface RunningChildTarget extends RunningTarget {
  /** The child's pid, also its process group id. */
  pid: number;
  /**
   * Read from /proc while the child runs; after close(), what the child measured of itself as it was told
   * to stop; null where neither can be had.
   */
  cpuTime(): number | null;
}

/** Thrown when the child process does not get to listening; the message is one line. */
export class ChildTargetStartError extends Error {
  constructor(
    readonly target: string,
    problem: string,
    /** The last of what the child wrote on stderr. */
    readonly stderr: string,
  ) {
    super(`target "${target}" did not start in its own process: ${problem.replace(/\s*\n\s*/g, ' ')}`);
    this.name = 'ChildTargetStartError';
  }
}

/**
 * The line of a child's stderr that says what went wrong: the first naming an error (Node prints the
 * source line and a caret above it, the stack below), else the last; cut to STDERR_IN_ERRORS characters.
 */
export function stderrSummary(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const line = lines.find((l) => /^([A-Z]\w*)?Error\b/.test(l)) ?? lines.at(-1) ?? '';
  return line.length > STDERR_IN_ERRORS ? `${line.slice(0, STDERR_IN_ERRORS - 1)}…` : line;
}

/**
 * `target` (an embedded target of the registry) run in a child Node process: the same name,
 * implementation, version, options and not-applicable cases, but start() spawns the child, which starts
 * the registry's target of that name. Throws UnknownTargetError for any other target.
 */
export function inChildProcess(target: EchoTarget, options: ChildProcessOptions = {}): EchoTarget {
  const { name } = target;
  if (!isTargetName(name)) throw new UnknownTargetError(name);
  return {
    name,
    implementation: target.implementation,
    version: target.version,
    options: target.options,
    ...(target.notApplicable ? { notApplicable: target.notApplicable } : {}),
    start: (opts) => startInChild(name, options, opts),
  };
}

type FirstReply = Extract<ChildMessage, { kind: 'listening' | 'failed' }>;
type StartOutcome = FirstReply | { kind: 'exited'; exit: ExitInfo } | { kind: 'timeout' };

async function startInChild(
  name: string,
  childOptions: ChildProcessOptions,
  opts?: StartOptions,
): Promise<RunningChildTarget> {
  const { host, port } = resolveStartOptions(opts);
  if (!existsSync(SERVE_ENTRY)) {
    throw new ChildTargetStartError(name, `${SERVE_ENTRY} missing: build the package (\`npm run build\`)`, '');
  }
  let resolvedOptions: Record<string, unknown> | undefined;
  let cpuMsAtStop: number | undefined;
  let failure: Extract<ChildMessage, { kind: 'failed' }> | undefined;
  let answer: (reply: FirstReply) => void = () => {};
  const firstReply = new Promise<FirstReply>((resolve) => (answer = resolve));
  const onMessage = (message: ChildMessage): void => {
    switch (message.kind) {
      case 'listening':
        resolvedOptions = message.options;
        answer(message);
        break;
      case 'failed':
        failure = message;
        answer(message);
        break;
      case 'options':
        resolvedOptions = message.options;
        break;
      case 'stopping':
        resolvedOptions = message.options ?? resolvedOptions;
        cpuMsAtStop = message.cpuMs;
        break;
    }
  };

  const stdout = lineSplitter((line) => {
    const message = decodeMessage(line);
    if (message) onMessage(message);
  });
  const stderr = tail(STDERR_TAIL_BYTES);
  const argv = [process.execPath, ...(childOptions.nodeArgs ?? []), SERVE_ENTRY, name, host, String(port)];
  const child = spawnGroup(
    argv,
    PACKAGE_DIR,
    (stream, chunk) => (stream === 'stdout' ? stdout.push(chunk) : stderr.push(chunk)),
    { lifeline: true },
  );
  /** Stops the child (if still running) and reads the rest of its output. */
  const stopChild = async (): Promise<void> => {
    await child.terminate(STOP_GRACE_MS);
    await child.outputEnded(OUTPUT_SETTLE_MS);
    stdout.flush();
  };

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race<StartOutcome>([
    firstReply,
    child.exited.then((exit) => ({ kind: 'exited', exit })),
    new Promise((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), START_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);

  if (outcome.kind === 'listening') {
    let closing: Promise<void> | undefined;
    return {
      url: outcome.url,
      host: outcome.host,
      port: outcome.port,
      pid: child.pid,
      get options() {
        return resolvedOptions;
      },
      // The entry forks nothing: the process alone is the server.
      cpuTime: () => (child.exitSignal.aborted ? (cpuMsAtStop ?? null) : processCpuMs(child.pid)),
      close() {
        closing ??= stopChild();
        return closing;
      },
    };
  }

  await stopChild();
  // The exit may have been seen before the line saying why: read to the end first, then decide.
  if (failure?.unavailable !== undefined) throw new TargetUnavailableError(name, failure.unavailable);
  if (failure) throw new ChildTargetStartError(name, failure.message, stderr.text());
  const said = stderrSummary(stderr.text());
  const problem =
    outcome.kind === 'timeout'
      ? `not listening after ${START_TIMEOUT_MS / 1000} s`
      : `${describeExit(outcome.kind === 'exited' ? outcome.exit : await child.exited)} before listening`;
  throw new ChildTargetStartError(name, said ? `${problem}: ${said}` : problem, stderr.text());
}
