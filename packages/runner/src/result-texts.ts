import type { ConnectFailure, FuzzingConnection } from './fuzzing-connection.js';

/** Seconds with two decimals: cases end from milliseconds to minutes in. */
const seconds = (ms: number): string => `${(Math.max(0, ms) / 1000).toFixed(2)} s`;

/**
 * What ended a case's connection before the case got what it waited for, and after how long (from
 * `since`, a performance.now() value): who closed or dropped it, with the close code when there was one.
 * `missing` completes "before …", e.g. "the expected message arrived". The peer is named by its role.
 */
export function earlyEndText(connection: FuzzingConnection, since: number, missing: string): string {
  const end = connection.lostAt || performance.now();
  const after = `after ${seconds(end - since)}`;
  const r = connection.record;
  const peer = connection.peer;
  // The guard's own reason is appended to the result by the case player.
  if (connection.guardReason !== null) return `The runner dropped the connection ${after}, before ${missing}.`;
  if (r.failedByMe) {
    const reason = r.localCloseReason ? `: ${r.localCloseReason}` : '';
    const violation = connection.violation ? `, ${connection.violation}` : '';
    return (
      `The runner failed the connection (close code ${r.localCloseCode ?? 'none'}${violation}${reason}) ` +
      `${after}, before ${missing}.`
    );
  }
  if (!r.closedByMe && r.wasClean) {
    return `The ${peer} closed the connection (close code ${r.remoteCloseCode ?? 'none'}) ${after}, before ${missing}.`;
  }
  if (r.closedByMe) return `The runner closed the connection ${after}, before ${missing}.`;
  const how = connection.socketError
    ? `reset the connection (${connection.socketError})`
    : 'dropped the TCP connection';
  return `The ${peer} ${how} ${after}, before ${missing}.`;
}

/** What kept the WebSocket from opening, and when, as the result text of a case that never opened. */
export function connectFailureText(failure: ConnectFailure, afterMs: number): string {
  const after = `after ${seconds(afterMs)}`;
  if (failure.kind === 'refused') return `Not run: the server was unreachable (${failure.message}).`;
  if (failure.kind === 'connect-timeout') return `Not run: ${failure.message}.`;
  return `The WebSocket connection never opened: ${failure.message} (${after}).`;
}
