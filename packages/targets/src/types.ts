/** What a report shows about a target: which implementation, which version, which options. */
export interface EchoTargetInfo {
  /** Registry name: 'core' | 'ws' | 'uws'. */
  name: string;
  /** The implementation's package name, e.g. 'ws' or 'uWebSockets.js'. */
  implementation: string;
  /** Read from the implementation's own package.json at runtime. */
  version: string;
  /** The options the target runs with, shown in reports. */
  options: Record<string, unknown>;
  /**
   * Cases whose verdict would not describe this implementation (Autobahn patterns), with why: e.g. the
   * handshake cases for a frame-only library whose HTTP upgrade is our own harness. The matrix leaves
   * them out of the column rather than credit or blame the implementation for them.
   */
  notApplicable?: { cases: readonly string[]; reason: string };
  /**
   * Identifies the code it runs outside this package's build (an external target's echo program and
   * definition); absent for the embedded targets, whose code is the build.
   */
  readonly codeIdentity?: string;
}

/** A started echo server. */
export interface RunningTarget {
  /** ws://HOST:PORT/ */
  url: string;
  host: string;
  port: number;
  /**
   * Settings resolved when the server started, overriding the declared `options` where they differ (the
   * core's `socketLayer` in effect, which a fallback can change); absent when there are none.
   */
  options?: Record<string, unknown>;
  /**
   * CPU milliseconds (user + system, every thread) the server's own process has used since it started;
   * differences between two readings give a stretch of work. Absent, or null, where it cannot be told:
   * a server inside this process, one behind a URL, a platform without /proc.
   */
  cpuTime?(): number | null;
  /** Stops listening, terminates open connections, frees the port. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Port to bind; 0 (the default) picks any free port. */
  port?: number;
}

/** A WebSocket echo server implementation behind one interface. */
export interface EchoTarget extends EchoTargetInfo {
  start(opts?: StartOptions): Promise<RunningTarget>;
}

export const DEFAULT_HOST = '127.0.0.1';

/** Largest message every target accepts (Autobahn 9.1.6 / 9.2.6 send 16 MiB). */
export const MAX_MESSAGE_SIZE = 32 * 1024 * 1024;

/** Resolves host/port defaults and validates the port. */
export function resolveStartOptions(opts: StartOptions = {}): { host: string; port: number } {
  const host = opts.host ?? DEFAULT_HOST;
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`invalid port ${String(port)} (expected an integer 0-65535)`);
  }
  return { host, port };
}

/** ws://host:port/ with IPv6 hosts bracketed. */
export function formatUrl(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `ws://${h}:${port}/`;
}
