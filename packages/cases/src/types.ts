/**
 * The case schema. A case is data: what to send, when, and what the runner must see for each verdict.
 * One engine (packages/runner) interprets every case; nothing here is code that talks to a socket.
 */

/** Verdicts for `behavior` (Autobahn's vocabulary). */
export type Behavior = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';
/** Verdicts for `behaviorClose`. */
export type BehaviorClose = 'OK' | 'FAILED' | 'WRONG CODE' | 'UNCLEAN' | 'FAILED BY CLIENT' | 'INFORMATIONAL';

/**
 * Bytes, described rather than stored, so a 16 MiB payload costs a few bytes in the catalogue.
 * - a plain string: its UTF-8 bytes;
 * - `{ hex }`: raw bytes given in hex (for invalid UTF-8 and binary payloads);
 * - `{ repeat, length }`: the pattern's bytes repeated and cut to exactly `length` bytes
 *   (Autobahn's `payload_len`; the pattern may be text or `{ hex }`).
 */
export type PayloadSpec = string | { hex: string } | { repeat: string | { hex: string }; length: number };

/** One frame on the wire, valid or deliberately not. */
export interface FrameStep {
  /** 0..15, reserved opcodes included. */
  opcode: number;
  /** Default: empty. */
  payload?: PayloadSpec;
  /** Default: true. */
  fin?: boolean;
  /** RSV bits as Autobahn's integer: 4 = RSV1, 2 = RSV2, 1 = RSV3. Default 0. */
  rsv?: number;
}

export type Step =
  /**
   * Send one frame (masked, as a client must). `chop`: write the encoded frame in pieces of this many
   * octets, one socket write each (Autobahn's chopsize). `sync`: let the bytes reach the wire before the
   * next step (Autobahn's sync=True: each write goes out on its own).
   */
  | { kind: 'frame'; frame: FrameStep; chop?: number; sync?: boolean }
  /**
   * Send a whole message as the client library would (Autobahn's sendMessage): one frame, or fragments of
   * `fragmentSize` octets when given (the first with the message opcode, then continuations, FIN on the last).
   */
  | { kind: 'message'; binary: boolean; payload: PayloadSpec; fragmentSize?: number }
  /**
   * Start the closing handshake (Autobahn's sendClose / sendCloseFrame): a Close frame whose payload is the
   * 2-byte `code` (if given) followed by `reason` (if given), unvalidated, so invalid codes and 1-byte
   * payloads can be sent. The runner becomes "closed by me" and stops sending data.
   */
  | { kind: 'close'; code?: number; reason?: PayloadSpec }
  /**
   * Pause `ms`. Afterwards, if the connection is still open, record `("timeout", marker)` when a marker is
   * given and go on with the next step; if it is no longer open, the remaining steps are skipped
   * (Autobahn's continueLater).
   */
  | { kind: 'wait'; ms: number; marker?: string }
  /** Arm a timer: after `ms`, if the connection is not closed yet, the runner drops TCP (Autobahn's killAfter). Does not block. */
  | { kind: 'killAfter'; ms: number }
  /** Arm a timer: after `ms`, if the connection is not closed yet, the runner starts a close with 1000 (closeAfter). Does not block. */
  | { kind: 'closeAfter'; ms: number };

/** An event the runner observed (or a marker it recorded), compared for exact equality. */
export type ExpectedEvent =
  | { type: 'message'; payload: PayloadSpec; binary: boolean }
  | { type: 'ping'; payload: PayloadSpec }
  | { type: 'pong'; payload: PayloadSpec }
  | { type: 'timeout'; marker: string };

export interface ExpectedClose {
  /** true when the runner (client) is expected to start the close. */
  closedByMe: boolean;
  /** Close codes accepted from the server; a Close with no code also passes. */
  closeCode: number[];
  /** The close must be clean (handshake completed both ways, server dropped TCP in time). */
  requireClean: boolean;
  /** UTF-8 cases: if the wrong endpoint closed, `behavior` is FAILED even when the events matched. */
  closedByWrongEndpointIsFatal?: boolean;
}

/**
 * Echo-timing cases (group 9): send `count` messages one at a time, each after the echo of the previous one;
 * OK when all echoes (right type, right length; content not compared, as in Autobahn) arrive within
 * `timeoutMs` of the start; then the runner closes with 1000. FAILED otherwise.
 */
export interface EchoTiming {
  binary: boolean;
  payload: PayloadSpec;
  count: number;
  /** Send as fragments of this many octets (9.3, 9.4). */
  fragmentSize?: number;
  /** Write the single frame in chops of this many octets (9.5, 9.6). */
  chop?: number;
  timeoutMs: number;
}

export interface CaseDef {
  /** Autobahn's id, e.g. "6.4.1". */
  id: string;
  /** Our own words. May contain no HTML. */
  description: string;
  /** Our own words. */
  expectation: string;
  /** What the runner does after the opening handshake, in order. Ignored when `echoTiming` is set. */
  steps: Step[];
  /** Event sequences per outcome; the first that equals what was observed gives `behavior`. */
  expected: { OK?: ExpectedEvent[]; 'NON-STRICT'?: ExpectedEvent[] };
  expectedClose: ExpectedClose;
  echoTiming?: EchoTiming;
  /** Do not start the close automatically when the observed events match every expected sequence (7.1.6, 7.3.x). */
  suppressClose?: boolean;
  /** When behaviorClose is WRONG CODE, behavior becomes FAILED too (7.1.1–7.1.5, 7.3.x, 7.5.1, 7.7.x, 7.9.x). */
  wrongCodeFails?: boolean;
  /** Both verdicts are INFORMATIONAL whatever happens (7.1.6, 7.13.x). */
  informational?: boolean;
  /** The runner checks its own transmitted frame counts by opcode (10.1.1): { opcode: count }. */
  expectTxFrames?: Record<number, number>;
  /** Report the case duration as the result (9.x). */
  reportTime?: boolean;
  /** Hard limit for the whole case in ms (observation window); the runner adds close budgets on top. */
  timeLimitMs?: number;
}

/** A named group of cases, for listings and the report ("1 Framing", "1.1 Text Messages", ...). */
export interface CaseGroup {
  /** "1", "1.1", "6.4", ... */
  id: string;
  title: string;
}
