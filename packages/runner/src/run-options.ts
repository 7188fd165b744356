import type { ConnectionTimeouts } from './fuzzing-connection.js';

/** How runCase plays a case in the client role (run-case.ts; handshake-runner.ts for group 0). */
export interface RunCaseOptions {
  /** The agent name written into the report (default: "server"). */
  agent?: string;
  /** User-Agent of the opening handshake (default: "wsmatrix-runner/<version>"). */
  userAgent?: string;
  timeouts?: Partial<ConnectionTimeouts>;
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

/** How playCaseAsServer plays a case in the server role, against a client that connected to us. */
export interface ServerCaseOptions {
  /** The client's agent name (the `agent` of /runCase), written into the report. */
  agent: string;
  /**
   * The case's number in this run (the fuzzingserver's /runCase?case=N, counted in the spec's selection),
   * written as the result's `case`. Default: the case's position in Autobahn's catalogue.
   */
  caseNumber?: number;
  /**
   * AutobahnPython's failByDrop option (a fuzzingserver spec's "options"): on a violation the runner drops
   * TCP at once instead of sending a Close. Default false, as its fuzzingserver.
   */
  failByDrop?: boolean;
  /**
   * closeHandshakeMs (default 1000, AutobahnPython's) and drainMs apply in the server role; a client group 0
   * case takes closeHandshakeMs only.
   */
  timeouts?: Partial<Pick<ConnectionTimeouts, 'closeHandshakeMs' | 'drainMs'>>;
  /** Largest message the runner accepts from the client (default 64 MiB). */
  maxMessageSize?: number;
  /** Hard limit for the case after the 101, in ms (default as for RunCaseOptions.hardLimitMs). */
  hardLimitMs?: number;
  /** The Server header of our 101 (default "wsmatrix-runner/<version>"). */
  serverName?: string;
}
