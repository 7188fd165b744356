/**
 * The case schema. A case is data: what to send, when, and what the runner must see for each verdict.
 * One engine (packages/runner) interprets every case; nothing here is code that talks to a socket.
 *
 * The semantics below reproduce Autobahn|Testsuite's fuzzingclient running on AutobahnPython 0.10.9
 * (the library it is built on). Terms used throughout:
 *
 * - Connection state of the runner (AutobahnPython's `state`):
 *   OPEN    after the opening handshake, before any Close frame was sent by the runner's close logic or
 *           received from the server;
 *   CLOSING the runner's close logic sent a Close (a `close` step, a timer, the auto-close rule), or the
 *           runner received the server's Close and answered it; the closing handshake is under way;
 *   CLOSED  the TCP connection is gone.
 * - "closed by me": the runner sent the first Close of the connection (not as a reply to the server's).
 * - Close handshake timeout: when the runner starts a close, it waits 1 s for the server's Close, then
 *   drops TCP (unclean). After the handshake completes the server must drop TCP within 1 s, or the
 *   runner drops it (unclean, "dropped by me"). See docs/verdicts.md#timing.
 *
 * Auto-close rule (Autobahn's `Case.finishWhenDone`): after every received data message or Pong (never
 * after a `wait` marker; Pings from the server are answered but, as in Autobahn's fuzzing protocol, not
 * recorded as events), if the events recorded so far equal EVERY sequence listed in
 * `CaseDef.expected` (vacuously true when `expected` is empty), and `expectedClose.closedByMe` is true,
 * and `suppressClose` is not set, the runner starts a close exactly like a `close` step with code
 * `expectedClose.closeCode[0]` and no reason. (Cases listing both OK and NON-STRICT sequences therefore
 * never auto-close; cases with an empty `expected`, i.e. the echo-timing cases, auto-close on any Pong
 * from the server.)
 */

/** Verdicts for `behavior` (Autobahn's vocabulary). */
export type Behavior = 'OK' | 'NON-STRICT' | 'INFORMATIONAL' | 'UNIMPLEMENTED' | 'FAILED';
/** Verdicts for `behaviorClose`. */
export type BehaviorClose = 'OK' | 'FAILED' | 'WRONG CODE' | 'UNCLEAN' | 'FAILED BY CLIENT' | 'INFORMATIONAL';

/**
 * Bytes, described rather than stored, so a 16 MiB payload costs a few bytes in the catalogue.
 * - a plain string: its UTF-8 bytes;
 * - `{ hex }`: raw bytes given in hex (lower or upper case, even length; for invalid UTF-8 and binary
 *   payloads);
 * - `{ repeat, length }`: the pattern's bytes repeated and cut to exactly `length` bytes
 *   (Autobahn's `payload_len`; the pattern may be text or `{ hex }` and must not be empty).
 * Expand with `payloadBytes`, measure with `payloadLength` (src/payload.ts).
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

/**
 * A pause between the writes of a `frameParts` step; same rules as a `wait` step (see there): if the
 * connection is CLOSED, or `requireOpen` is set and it is not OPEN, the rest of the frame AND all later
 * steps are skipped; otherwise `("timeout", marker)` is recorded when a marker is given.
 */
export interface PartWait {
  ms: number;
  marker?: string;
  requireOpen?: boolean;
}

export type Step =
  /**
   * Send one frame, masked with a fresh random key as a client must (AutobahnPython's sendFrame).
   * - Written even when the runner is CLOSING (7.1.2-7.1.6 send data, Ping and a second Close after
   *   their Close); dropped only once CLOSED.
   * - It is raw bytes: a frame with opcode 8 sent this way does NOT change the runner's state and does not
   *   make it "closed by me" (3.7, the second Close of 7.1.2).
   * - `chop`: write the encoded frame (header included) in pieces of this many octets, each piece its own
   *   socket write with a return to the event loop between pieces (Autobahn's chopsize; it waits 10 us).
   * - `sync`: write the whole frame as one write, then return to the event loop before writing anything
   *   else (Autobahn's sync=True).
   * - Writes keep their order: once chopped or sync writes are queued, every later write (of any step)
   *   queues behind them.
   */
  | { kind: 'frame'; frame: FrameStep; chop?: number; sync?: boolean }
  /**
   * Send a whole message as AutobahnPython's sendMessage does. Skipped entirely unless the connection is
   * OPEN. With no `fragmentSize`, or when the payload length L <= `fragmentSize`, one final frame
   * (opcode 1 for text, 2 for binary). Otherwise, with F = `fragmentSize`: floor(L / F) frames of exactly
   * F octets with FIN clear, followed by ONE final frame with FIN set holding the remaining L mod F
   * octets -- which is EMPTY when L is an exact multiple of F (6.2.3, 6.2.4, 6.3.2, 9.3.1-9.3.8 and
   * 9.4.1-9.4.8 therefore end with an empty FIN continuation frame). The first frame carries the message
   * opcode, all others opcode 0. Each frame is written like a `frame` step without chop or sync.
   * (10.1.1 sets Autobahn's autoFragmentSize instead of passing a fragment size; the frames are the same.)
   */
  | { kind: 'message'; binary: boolean; payload: PayloadSpec; fragmentSize?: number }
  /**
   * Start the closing handshake (Autobahn's sendClose / sendCloseFrame). Only when OPEN: send a Close frame
   * whose payload is the 2-byte big-endian `code` (if given) followed by the `reason` bytes (if given),
   * unvalidated, so invalid codes, 1-byte payloads and over-long payloads (7.3.6: 126 octets) go out as
   * written; then the runner is CLOSING and "closed by me", and the 1 s close handshake timeout is armed.
   * When already CLOSING or CLOSED the step does nothing. Later `frame` steps are still written.
   */
  | { kind: 'close'; code?: number; reason?: PayloadSpec }
  /**
   * Pause `ms` (Autobahn's continueLater), then:
   * - if the connection is CLOSED, skip all remaining steps;
   * - if `requireOpen` is set and the connection is not OPEN (a Close was sent or received), skip all
   *   remaining steps (6.4.x check `state == OPEN` before their next part);
   * - otherwise record `("timeout", marker)` as an event when a marker is given, and go on.
   * Without `requireOpen` the steps go on while CLOSING too (5.19 / 5.20).
   */
  | { kind: 'wait'; ms: number; marker?: string; requireOpen?: boolean }
  /**
   * Write ONE frame whose encoded bytes go out in several writes with pauses between them (6.4.3, 6.4.4:
   * AutobahnPython's beginMessage / beginMessageFrame / sendMessageFrameData). The frame header, declaring
   * the full payload length and carrying one mask key, is written immediately followed by the first
   * `parts[0]` payload octets; then for each i >= 1, the pause `waits[i - 1]` is performed (PartWait
   * rules) and the next `parts[i]` payload octets are written. The payload is masked as one frame
   * (mask offsets continue across parts). `parts` are payload octet counts summing to the payload length;
   * `waits.length === parts.length - 1`. Each write is skipped if the connection is not OPEN at that
   * moment.
   */
  | { kind: 'frameParts'; frame: FrameStep; parts: number[]; waits: PartWait[] }
  /**
   * Arm a timer; does not block. When it fires, `ms` after this step ran (Autobahn's killAfter, which calls
   * failConnection):
   * - CLOSED: nothing;
   * - OPEN: fail the connection as AutobahnPython does with failByDrop=false (the fuzzingclient's
   *   setting unless the spec's options override it): send a Close with code 1001 and reason
   *   "Going Away", becoming CLOSING, "closed by me" and "failed by me", with the 1 s close handshake
   *   timeout armed. (With failByDrop=true: drop TCP at once instead, unclean.)
   * - CLOSING: drop TCP ("dropped by me", unclean).
   */
  | { kind: 'killAfter'; ms: number }
  /**
   * Arm a timer; does not block. When it fires, `ms` after this step ran (Autobahn's closeAfter): if the
   * connection is not CLOSED, do what a `close` step with NO code and no reason does (an empty Close
   * payload; nothing when already CLOSING).
   */
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
  /**
   * Close codes accepted from the server; a Close with no code also passes. `closeCode[0]` is the code the
   * auto-close rule sends.
   */
  closeCode: number[];
  /** The close must be clean (handshake completed both ways, server dropped TCP in time). */
  requireClean: boolean;
  /** UTF-8 cases: if the wrong endpoint closed, `behavior` is FAILED even when the events matched. */
  closedByWrongEndpointIsFatal?: boolean;
}

/**
 * Echo-timing cases (9.1-9.8; Autobahn overrides onOpen/onMessage there). Semantics:
 * - On open: arm a closeAfter timer of `timeoutMs` (when it fires: a Close with NO code, as the
 *   `closeAfter` step), then send message 1. `behavior` starts as FAILED.
 * - Sending one message: with `fragmentSize`, exactly as a `message` step with that fragment size
 *   (9.3, 9.4); otherwise one final frame (opcode 1 text / 2 binary) with the whole payload, written in
 *   chops of `chop` octets when given (9.5, 9.6), as a `frame` step.
 * - On every data message received: if its type differs from `binary` or its length differs from the
 *   payload length, `behavior` = FAILED and the runner closes with 1000 (as a `close` step); else if fewer
 *   than `count` messages were sent, send the next one; else `behavior` = OK and the runner closes with
 *   1000. Content is not compared (as in Autobahn). With count 1 the first echo decides.
 * - Pongs from the server fall under the auto-close rule (which fires vacuously here, since
 *   `expected` is empty for these cases): the runner closes with 1000.
 * - `expected` is `{}` and `steps` is `[]` for these cases; the close verdict is computed as usual.
 */
export interface EchoTiming {
  binary: boolean;
  payload: PayloadSpec;
  count: number;
  /** Send as fragments of this many octets (9.3, 9.4), with the `message` step's fragmentation. */
  fragmentSize?: number;
  /** Write the single frame in chops of this many octets (9.5, 9.6). */
  chop?: number;
  /** Autobahn's WAITSECS in ms: the closeAfter timer armed at open. */
  timeoutMs: number;
}

/** The generated payload data sets of groups 12 and 13 (see test-data.ts). */
export type DataSetName = 'json' | 'html' | 'bmp' | 'pdf' | 'faust';

/**
 * One permessage-deflate offer the runner makes in the opening handshake (AutobahnPython's
 * PerMessageDeflateOffer). The runner always lets the server ask for client_no_context_takeover and
 * client_max_window_bits (it offers both, without values), as AutobahnPython does by default; group 14
 * changes that with `ownContextTakeover` and `ownMaxWindowBits`. In the server role the same offer says
 * what the runner's answer asks of the client (server-opening.ts in packages/runner): `request*` always
 * concern the peer's compressor, `own*` the runner's.
 */
export interface DeflateOfferSpec {
  /** Ask for server_no_context_takeover. */
  requestNoContextTakeover: boolean;
  /** Ask for server_max_window_bits=N (8..15); 0 = do not ask. */
  requestMaxWindowBits: number;
  /**
   * Group 14: the runner keeps its own LZ77 window between messages and hints nothing else. In the client
   * role the offer then leaves out client_no_context_takeover (which AutobahnPython's offer carries as a
   * hint that the client resets its compressor, inviting the server to agree to it). The server role never
   * answers server_no_context_takeover unasked either way.
   */
  ownContextTakeover?: boolean;
  /**
   * Group 14: the window the runner announces for its own compressor (8..15). Client role: the offer
   * carries client_max_window_bits=N instead of the parameter without a value (the server may agree to it
   * or not). Server role: the answer carries server_max_window_bits=N even when the client did not ask
   * (RFC 7692 §7.1.2.1 lets a server), or the client's own request when that is smaller.
   */
  ownMaxWindowBits?: number;
}

/**
 * Compressed-echo cases (12.x, 13.x; Autobahn's case12_x_x.py). Semantics:
 * - The case's `deflateOffers` are offered in the opening handshake. If the server does not accept
 *   permessage-deflate: `behavior` = UNIMPLEMENTED, and the runner closes with 1000 at once.
 * - Otherwise `behavior` starts as FAILED ("did not finish within N seconds"), a closeAfter timer of
 *   `timeoutMs` is armed (a Close with no code, as the `closeAfter` step), the wire log is switched off,
 *   and message 1 is sent.
 * - Messages are consecutive windows of `messageLength` units of the data set, wrapping around its end
 *   (bytes for binary sets, characters for text sets); each is compressed and sent like a `message` step
 *   whose fragment size is `autoFragmentSize` (0 = one frame), applied to the COMPRESSED payload, RSV1
 *   on the first frame only.
 * - On every data message received: type, length and content (SHA-1) must equal the message sent, else
 *   `behavior` = FAILED and the runner closes with 1000; if fewer than `count` were sent, send the next;
 *   else `behavior` = OK and the runner closes with 1000.
 */
export interface CompressedEcho {
  dataSet: DataSetName;
  /** Messages are binary (else text); fixed by the data set. */
  binary: boolean;
  messageLength: number;
  count: number;
  /** AutobahnPython's autoFragmentSize: frames of this many compressed octets; 0 = unfragmented. */
  autoFragmentSize: number;
  /** Autobahn's WAITSECS in ms. */
  timeoutMs: number;
}

export interface CaseDef {
  /** Autobahn's id, e.g. "6.4.1". */
  id: string;
  /** Our own words. Plain text, no HTML. */
  description: string;
  /** Our own words. Plain text. */
  expectation: string;
  /** What the runner does after the opening handshake, in order. Empty when `echoTiming` is set. */
  steps: Step[];
  /**
   * Event sequences per outcome; the first that equals what was observed gives `behavior` (otherwise
   * FAILED). Also drives the auto-close rule (see the top of this file). Empty for echo-timing cases.
   */
  expected: { OK?: ExpectedEvent[]; 'NON-STRICT'?: ExpectedEvent[] };
  expectedClose: ExpectedClose;
  echoTiming?: EchoTiming;
  /**
   * Autobahn's `suppressClose`: the auto-close rule never fires (7.1.2-7.1.6, 7.3.1-7.3.6, 7.5.1, 7.13.1,
   * 7.13.2).
   */
  suppressClose?: boolean;
  /**
   * After the normal evaluation, when behaviorClose is WRONG CODE, behavior becomes FAILED too
   * (7.1.1-7.1.5, 7.3.x, 7.5.1, 7.7.x, 7.9.x).
   */
  wrongCodeFails?: boolean;
  /**
   * After the normal evaluation, both verdicts are replaced by INFORMATIONAL whatever happened (7.1.6,
   * 7.13.1, 7.13.2). The normal outcome (e.g. 7.1.6's OK vs NON-STRICT) may be kept as the result text.
   */
  informational?: boolean;
  /**
   * 10.1.1: after the connection is lost, the runner compares the number of frames IT transmitted during
   * the case, per opcode, with these counts ({ opcode: count }); only the listed opcodes are compared
   * (other frames, e.g. its Close, are ignored). Any difference, or a connection that never opened, makes
   * `behavior` FAILED (behaviorClose unaffected).
   */
  expectTxFrames?: Record<number, number>;
  /** Report the case duration as the result (9.x, 12.x, 13.x). */
  reportTime?: boolean;
  /** Offer permessage-deflate in the opening handshake with these offers, in order (12.x, 13.x). */
  deflateOffers?: DeflateOfferSpec[];
  /** 12.x / 13.x: see CompressedEcho. `steps` is [] and `expected` is {} for these cases. */
  compressedEcho?: CompressedEcho;
  /** Report the compression ratios of the case (incoming/outgoing, Autobahn's trafficStats) (12.x, 13.x). */
  reportCompressionRatio?: boolean;
  /**
   * Milliseconds after open at which the case's last scheduled action fires (the end of its waits plus
   * its longest killAfter / closeAfter timer, or the echo-timing timeout). Past this point the runner only
   * waits for the closing handshake and the TCP close, so a watchdog may allow this plus close budgets
   * (close handshake timeout 1 s, server drop timeout 1 s, a margin). Derived from the steps; the
   * catalogue sets it on every case.
   */
  timeLimitMs?: number;
}

/** A named group of cases, for listings and the report ("1 Framing", "1.1 Text Messages", ...). */
export interface CaseGroup {
  /** "1", "1.1", "6.4", ... */
  id: string;
  title: string;
}
