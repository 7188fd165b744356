/**
 * The life of one connection (RFC 6455 §7) as one state, with every transition in one table.
 *
 *   Open ──closeQueued──▶ CloseSent ──inputClosed──▶ Closing ──tcpEnded──▶ Ended ──socketClosed──▶ Closed
 *     └──inputClosed──▶ PeerEnded ──closeQueued──▶ Closing        PeerEnded ──tcpEnded──▶ Ended
 *   (socketClosed leads from every state but Closed to Closed.)
 *
 * - closeQueued: our Close frame was queued (close(), server shutdown, idle timeout, a failure, the reply
 *   to the peer's Close). At most one Close is ever sent, so it is legal only where none was.
 * - inputClosed: input is over and later bytes are discarded: the peer's Close was handled, the connection
 *   failed (both queue our Close first), or the peer sent FIN. Repeats are harmless (the peer's FIN after its
 *   Close, a failure reported after the end), hence the self-loops.
 * - tcpEnded: socket.end() was called, once nothing waits for compression any more.
 * - socketClosed: the socket's 'close' event.
 *
 * Pure data and functions, no I/O: connection.ts asks `nextLifecycle` and acts on the answer.
 */
import type { ReadyState } from './connection-types.js';

export const Lifecycle = {
  /** Both directions open: messages flow. */
  Open: 'open',
  /** Our Close is sent; input is still read until the peer's Close (or closeTimeoutMs). */
  CloseSent: 'close-sent',
  /**
   * The peer sent FIN without a Close. Input is over; our FIN waits only for frames still being
   * compressed, and until then messages (and a Close) may still be sent.
   */
  PeerEnded: 'peer-ended',
  /** Our Close is sent and input is over; our FIN waits only for frames still being compressed. */
  Closing: 'closing',
  /** Our FIN is sent (socket.end()); the socket closes on the peer's FIN or after closeLingerMs. */
  Ended: 'ended',
  /** The socket is closed. */
  Closed: 'closed',
} as const;
export type Lifecycle = (typeof Lifecycle)[keyof typeof Lifecycle];

export type LifecycleEvent = 'closeQueued' | 'inputClosed' | 'tcpEnded' | 'socketClosed';

const { Open, CloseSent, PeerEnded, Closing, Ended, Closed } = Lifecycle;

/** Every legal transition; a pair missing here is a bug in the caller. */
const TRANSITIONS: Readonly<Record<Lifecycle, Partial<Record<LifecycleEvent, Lifecycle>>>> = {
  [Open]: { closeQueued: CloseSent, inputClosed: PeerEnded, socketClosed: Closed },
  [CloseSent]: { inputClosed: Closing, socketClosed: Closed },
  [PeerEnded]: { closeQueued: Closing, inputClosed: PeerEnded, tcpEnded: Ended, socketClosed: Closed },
  [Closing]: { inputClosed: Closing, tcpEnded: Ended, socketClosed: Closed },
  [Ended]: { inputClosed: Ended, socketClosed: Closed },
  [Closed]: { inputClosed: Closed },
};

/** The state after `event`; throws for a transition the table does not allow. */
export function nextLifecycle(state: Lifecycle, event: LifecycleEvent): Lifecycle {
  const next = TRANSITIONS[state][event];
  if (next === undefined) throw new Error(`connection lifecycle: ${event} is not allowed in state ${state}`);
  return next;
}

/** Input is still read and handled (no Close received, no failure, no FIN). */
export function isInputOpen(state: Lifecycle): boolean {
  return state === Open || state === CloseSent;
}

/** Messages, pings and our Close may still be queued: no Close sent and the TCP end not begun. */
export function canSend(state: Lifecycle): boolean {
  return state === Open || state === PeerEnded;
}

/** Our FIN is due as soon as no frame waits for compression. */
export function isEndDue(state: Lifecycle): boolean {
  return state === PeerEnded || state === Closing;
}

/** The WebSocket readyState the public API reports. */
export function readyStateOf(state: Lifecycle): ReadyState {
  if (state === Closed) return 'closed';
  return state === Open || state === PeerEnded ? 'open' : 'closing';
}
