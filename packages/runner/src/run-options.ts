import type { ClientTimeouts } from './fuzzing-client.js';

/** How runCase plays a case; shared by its two engines (run-case.ts, handshake-runner.ts for group 0). */
export interface RunCaseOptions {
  /** The agent name written into the report (default: "server"). */
  agent?: string;
  /** User-Agent of the opening handshake (default: "wsmatrix-runner/<version>"). */
  userAgent?: string;
  timeouts?: Partial<ClientTimeouts>;
  /** Largest message the runner accepts from the server (default 64 MiB). */
  maxMessageSize?: number;
  /**
   * Hard limit for the whole case after the opening handshake, in ms. Default: the case's own window
   * (its timers, or its echo timeout) plus the close handshake and server drop budgets plus 5 s.
   */
  hardLimitMs?: number;
  /**
   * AutobahnPython's failByDrop option: when the runner fails the connection (a protocol violation, a
   * case's kill timer) it drops TCP at once instead of sending a Close. Default false, as its fuzzingclient.
   */
  failByDrop?: boolean;
}
