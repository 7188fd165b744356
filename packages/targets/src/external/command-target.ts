import { formatUrl, resolveStartOptions, type EchoTarget, type RunningTarget, type StartOptions } from '../types.js';
import { BuildFailedError, buildOnce, defaultCacheDir } from './build.js';
import type { CommandTargetDefinition } from './definition.js';
import { expandArgv } from './placeholders.js';
import { definitionIdentity } from '../code-identity.js';
import { assertPortFree, pickFreePort } from './ports.js';
import { probeAvailability, type Availability } from './probe.js';
import { processTreeCpuMs } from '../process-cpu.js';
import { describeExit, spawnGroup, type GroupProcess } from './process-group.js';
import { waitUntilAccepting } from './readiness.js';
import { TargetUnavailableError } from './unavailable.js';

const DEFAULT_READY_TIMEOUT_MS = 10_000;
const DEFAULT_STOP_GRACE_MS = 2_000;
/** With port 0 the port we picked can be taken before the server binds it; try a few. */
const PORT_0_ATTEMPTS = 3;
/** How servers say that bind() failed (C strerror, Python OSError, Node EADDRINUSE). */
const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;
const OUTPUT_IN_ERRORS = 2_000;
/** After a failed start, how long to wait for the last output to be read from the pipes. */
const OUTPUT_SETTLE_MS = 500;

/** A started external server. */
export interface RunningCommandTarget extends RunningTarget {
  /** Pid of the server, which is also its process group id. */
  pid: number;
  /** The last output the server wrote (stdout and stderr). */
  output(): string;
  /** Null once the server has exited. */
  cpuTime(): number | null;
}

/** An external server started by command, behind the EchoTarget interface. */
export interface CommandTarget extends EchoTarget {
  readonly definition: CommandTargetDefinition;
  /** 'unavailable' when unavailableReason() is set (checked once, on first use). */
  readonly version: string;
  /** The largest message the server accepts as configured (its definition's maxMessageSize); absent: no limit. */
  readonly maxMessageSize?: number;
  /** Why start() would throw TargetUnavailableError; undefined when the target can run here. */
  unavailableReason(): string | undefined;
  start(opts?: StartOptions): Promise<RunningCommandTarget>;
}

export interface CommandTargetContext {
  /** Folder the definition's relative paths and `{dir}` refer to (the targets file's folder). */
  dir: string;
  /** Where builds are cached; default: defaultCacheDir(). */
  cacheDir?: string;
  /** What `{package}` stands for when it is not the installed npm package (a release installed on demand). */
  packageDir?: string;
}

/** Thrown when the server process exits or never accepts connections. */
export class TargetStartError extends Error {
  constructor(
    readonly target: string,
    problem: string,
    readonly output: string,
  ) {
    const shown = output.trim().slice(-OUTPUT_IN_ERRORS);
    super(`target "${target}" did not start: ${problem}${shown ? `\n--- server output ---\n${shown}` : ''}`);
    this.name = 'TargetStartError';
  }
}

export function createCommandTarget(definition: CommandTargetDefinition, context: CommandTargetContext): CommandTarget {
  const { dir } = context;
  const cacheDir = context.cacheDir ?? defaultCacheDir();
  let availability: Availability | undefined;
  const availabilityOnce = (): Availability =>
    (availability ??= probeAvailability(definition, dir, context.packageDir));

  /** The checks, the build if any, and the command line for a port. */
  async function prepare(): Promise<(host: string, port: number) => string[]> {
    const a = availabilityOnce();
    if (!a.available) throw new TargetUnavailableError(definition.name, a.reason);
    const { packageDir } = a;
    let build: string | undefined;
    if (definition.build) {
      try {
        build = await buildOnce(definition.build, dir, cacheDir, packageDir);
      } catch (err) {
        if (err instanceof BuildFailedError) throw new TargetUnavailableError(definition.name, err.message);
        throw err;
      }
    }
    const values = { dir, ...(build ? { build } : {}), ...(packageDir ? { package: packageDir } : {}) };
    return (host, port) => expandArgv(definition.command, { host, port, ...values });
  }

  /** Spawns the server and waits until it accepts TCP; on failure nothing is left running. */
  async function launch(argv: string[], host: string, port: number): Promise<GroupProcess> {
    const server = spawnGroup(argv, dir);
    try {
      await waitUntilAccepting(host, port, definition.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, server.exitSignal);
      return server;
    } catch (err) {
      const exitedOnItsOwn = server.exitSignal.aborted;
      await server.terminate(0);
      await server.outputEnded(OUTPUT_SETTLE_MS);
      if (!exitedOnItsOwn) throw new TargetStartError(definition.name, (err as Error).message, server.output());
      const exit = await server.exited;
      if (exit.error?.code === 'ENOENT') throw new TargetUnavailableError(definition.name, `${argv[0]} not found`);
      const problem = `${describeExit(exit)} before accepting connections on ${host}:${port}`;
      throw new TargetStartError(definition.name, problem, server.output());
    }
  }

  async function start(opts?: StartOptions): Promise<RunningCommandTarget> {
    const { host, port } = resolveStartOptions(opts);
    const commandFor = await prepare();
    if (port !== 0) await assertPortFree(host, port);

    let server: GroupProcess | undefined;
    let bound = port;
    for (let attempt = 1; !server; attempt++) {
      bound = port === 0 ? await pickFreePort(host) : port;
      try {
        server = await launch(commandFor(host, bound), host, bound);
      } catch (err) {
        const lostRace = err instanceof TargetStartError && ADDRESS_IN_USE.test(err.output);
        const retry = port === 0 && attempt < PORT_0_ATTEMPTS && lostRace;
        if (!retry) throw err;
      }
    }
    const running = server;
    let closing: Promise<void> | undefined;
    return {
      url: formatUrl(host, bound),
      host,
      port: bound,
      pid: running.pid,
      output: () => running.output(),
      // The server and what it forked (see processTreeCpuMs). Never read once it has exited: its pid may
      // since name another process.
      cpuTime: () => (running.exitSignal.aborted ? null : processTreeCpuMs(running.pid)),
      close() {
        closing ??= running.terminate(definition.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
        return closing;
      },
    };
  }

  return {
    name: definition.name,
    implementation: definition.implementation,
    get version() {
      const a = availabilityOnce();
      return a.available ? a.version : 'unavailable';
    },
    options: { ...definition.options },
    ...(definition.notApplicable ? { notApplicable: definition.notApplicable } : {}),
    ...(definition.maxMessageSize !== undefined ? { maxMessageSize: definition.maxMessageSize } : {}),
    definition,
    get codeIdentity() {
      return definitionIdentity(definition, dir);
    },
    unavailableReason() {
      const a = availabilityOnce();
      return a.available ? undefined : a.reason;
    },
    start,
  };
}
