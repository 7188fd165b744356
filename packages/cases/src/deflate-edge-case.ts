/**
 * The schema of group 14, "permessage-deflate edge cases" (ids 14.x.y, ours, not Autobahn's): compressed
 * frames Autobahn never sends, written byte by byte (deflate-blocks.ts), for both roles. The same case is
 * played against a server (the runner is the client, its frames masked) and against a client (the runner
 * is the fuzzingserver); the engine is packages/runner src/deflate-edge.ts.
 *
 * How a case is played:
 * - The opening handshake negotiates permessage-deflate with the case's `deflateOffers` (types.ts). When
 *   the peer does not agree to it, the case is UNIMPLEMENTED and the runner closes with 1000 at once.
 * - When the agreement leaves the runner's own direction without what the case's frames rely on
 *   (`needs`: context takeover, a window of 2^windowBits bytes), the case is UNIMPLEMENTED too, saying which
 *   parameter rules it out.
 * - Client role only: when the server's response breaks an RFC 7692 §7.1 rule relative to the offer (a
 *   requested server_no_context_takeover or server_max_window_bits not confirmed, a larger window than
 *   requested), the case is FAILED with that rule, before anything is sent.
 * - Otherwise the sends go out in order. Before `failAt` (or every send, when there is none) the runner
 *   writes a send's frames and, when it has a `reply`, waits for that reply before the next send. At
 *   `failAt` it writes that send and every later one (probes) back to back, and waits.
 * - The peer's compressed messages are inflated with the agreed parameters (its window, its context
 *   takeover), so a peer whose compressor breaks the agreement is caught: its data does not inflate, the
 *   runner fails the connection (1007), and the case is FAILED.
 *
 * Verdict (`behavior`), from what arrived and how the connection ended:
 * - every reply before `failAt` (all replies, without `failAt`) arrived intact, and, without `failAt`,
 *   that completes the case: `complete` (OK), and the runner closes with 1000;
 * - a message or Pong that is not the next reply expected (a changed echo, the echo of a frame the peer
 *   had to refuse, a Pong to a Ping it had to refuse): FAILED, and the runner closes with 1000;
 * - the peer failed the connection (sent a Close first, or dropped TCP) after k intact replies:
 *   `failVerdicts[k]` (by default FAILED for k below the number of replies expected, OK for k equal to it);
 * - the runner failed the connection (the peer's data broke the protocol or the agreement): FAILED;
 * - none of these within `windowMs` of the open: FAILED, and the runner closes with 1000.
 *
 * `behaviorClose`, in Autobahn's vocabulary: when the peer failed the connection, its Close code must be
 * one of `failCodes` (or absent) else WRONG CODE (the case's `wrongCodeFails` then makes `behavior` FAILED
 * too); otherwise the runner's own close with 1000 must complete cleanly, else UNCLEAN.
 */
import type { Behavior, CaseDef, ExpectedEvent, FrameStep } from './types.js';

/** The frames of one message, or one control frame, that the runner writes back to back. */
export interface DeflateEdgeSend {
  /** For result texts: "message 2 (RSV1 on its continuation frame)". */
  label: string;
  /** The frames as on the wire: payloads already compressed where RSV1 is set. */
  frames: FrameStep[];
  /** What a peer that takes these frames as valid sends back: the echo, or the Pong of a Ping. */
  reply?: Extract<ExpectedEvent, { type: 'message' } | { type: 'pong' }>;
}

/** What the runner's own compressed frames rely on in its direction of the agreement. */
export interface DeflateEdgeNeeds {
  /** A message refers back into an earlier one: the peer must keep its window (no *_no_context_takeover). */
  contextTakeover: boolean;
  /** The longest back-reference reaches 2^windowBits bytes: the agreed window must be at least that. */
  windowBits: number;
}

export interface DeflateEdgeSpec {
  /** The RFC 7692 / RFC 6455 rule checked, with its section, in our words. */
  rule: string;
  sends: DeflateEdgeSend[];
  /** The send at which the peer must fail the connection; the later sends are probes that must go unanswered. */
  failAt?: number;
  /** Close codes a failing peer should send. */
  failCodes: number[];
  /** behavior when the peer failed the connection after k intact replies, indexed by k. */
  failVerdicts: Behavior[];
  /** behavior when every reply arrived (only without failAt). */
  complete: Behavior;
  needs: DeflateEdgeNeeds;
  /** How long after the open the peer has to finish the case. */
  windowMs: number;
}

/** A group 14 case: a CaseDef (listings, selection and reports treat it like any other) plus its sends. */
export interface DeflateEdgeCaseDef extends CaseDef {
  deflateEdge: DeflateEdgeSpec;
}

/** Whether a case is a group 14 case (played by the deflate-edge engine). */
export function isDeflateEdgeCase(def: CaseDef): def is DeflateEdgeCaseDef {
  return (def as Partial<DeflateEdgeCaseDef>).deflateEdge !== undefined;
}

/** The replies the peer must send, in order: those of the sends before `failAt` (or of every send). */
export function expectedReplies(spec: DeflateEdgeSpec): ExpectedEvent[] {
  const valid = spec.failAt === undefined ? spec.sends : spec.sends.slice(0, spec.failAt);
  return valid.flatMap((s) => (s.reply ? [s.reply] : []));
}
