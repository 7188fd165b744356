/**
 * The life of one fuzzing connection, in either role, as one state and the steps allowed out of it.
 * Every change goes through `nextState`, so an impossible step is a bug that shows, not a silent flag.
 *
 *   connecting  the opening handshake is under way (client: request sent, response awaited; server: the
 *               request was read and is being answered)
 *   refused     client role only: the server answered with something other than a 101; the runner
 *               waits for it to end TCP (group 0) — nothing more is read as frames
 *   open        the WebSocket is open; data frames and Pings are answered
 *   closing     we sent a Close (ours or a reply) and nothing but a Close is awaited
 *   closed      the TCP connection is gone, or we dropped it
 */
export type ConnectionState = 'connecting' | 'refused' | 'open' | 'closing' | 'closed';

const ALLOWED: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  connecting: ['open', 'refused', 'closed'],
  refused: ['closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** `to`, when the table allows the step from `from`; throws otherwise (a bug in the connection class). */
export function nextState(from: ConnectionState, to: ConnectionState): ConnectionState {
  if (!ALLOWED[from].includes(to)) throw new Error(`connection state cannot go from ${from} to ${to}`);
  return to;
}
