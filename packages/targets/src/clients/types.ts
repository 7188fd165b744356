/** What a client driver is given: where the fuzzingserver is, the agent to report under, when to stop. */
export interface DriveOptions {
  /** The fuzzingserver's base URL, e.g. ws://127.0.0.1:9001 (the driver appends /getCaseCount etc.). */
  baseUrl: string;
  /** The agent name the driver sends with /runCase and /updateReports. */
  agent: string;
  /** Aborting it (a timeout, an interrupt) stops the driver and its whole process group. */
  signal?: AbortSignal;
  /** Each line the driver writes, as it writes it (its progress, its errors). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** How a driver run ended. */
export interface DriveResult {
  /** The driver's process id, which is also its process group's id (gone once drive() resolves). */
  pid: number;
  /** Its exit code; null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when drive() stopped it because `signal` aborted. */
  aborted: boolean;
  /** The last 8 KiB it wrote to stderr. */
  stderrTail: string;
}

/**
 * A WebSocket client implementation behind one interface: a driver (a child process, so a client that
 * crashes or hangs cannot take the harness down) that plays the client side of Autobahn's fuzzingserver
 * protocol with it: /getCaseCount, then /runCase?case=N&agent=A for N = 1..count one after the other,
 * echoing every message with its type, then /updateReports?agent=A. The shipped drivers ask /getCasePlan
 * instead and play its phases (plan-mode.ts); a command client plays as its driver does.
 */
export interface ClientTarget {
  /** Registry name, e.g. 'ws7'. */
  readonly name: string;
  /** The implementation's package name, e.g. 'ws' or 'undici'. */
  readonly implementation: string;
  /** Read from the implementation's own package.json (Python: its __version__) when first asked. */
  readonly version: string;
  /** How the driver runs it, shown in reports. */
  readonly options: Record<string, unknown>;
  /** Identifies the driver's code and how it is started (see EchoTargetInfo.codeIdentity). */
  readonly codeIdentity?: string;
  /** Null when it can run here, else the one line its matrix column shows instead of results. */
  unavailable(): Promise<string | null>;
  /**
   * Runs the driver against a fuzzingserver; resolves when the driver has exited and nothing of its process
   * group is left. Rejects with TargetUnavailableError when unavailable() gives a reason, and with the
   * abort reason when `signal` is already aborted (nothing was started).
   */
  drive(options: DriveOptions): Promise<DriveResult>;
}
