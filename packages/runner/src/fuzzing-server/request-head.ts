/**
 * Reads one HTTP request head from a connection, bounded in size (HttpHeadParser's limits) and in time, and
 * leaves the socket paused with no listener of its own so the next owner starts clean. The connection is
 * fresh, or one whose earlier exchange ended with the client's next request (`initial`: its bytes so far).
 */
import type { Socket } from 'node:net';
import { HttpHeadError, HttpHeadParser, type HttpRequestHead } from '@wsmatrix/protocol';
import type { ReceivedUpgradeRequest } from '../serve-case.js';

/** The request as playCaseAsServer takes it: the head, its bytes as received, and what followed it. */
export type ReceivedRequest = ReceivedUpgradeRequest;

export type HeadOutcome =
  | { kind: 'request'; request: ReceivedRequest }
  /** A head we answer with an HTTP error (malformed, too large, too slow). */
  | { kind: 'refused'; status: number; reason: string }
  /** The peer left (or broke the connection) before its head was complete. */
  | { kind: 'gone' };

/** Request heads of WebSocket drivers are a few hundred bytes: 16 KiB leaves room for any real one. */
export const MAX_REQUEST_HEAD_BYTES = 16 * 1024;

export function readRequestHead(
  socket: Socket,
  timeoutMs: number,
  initial: Buffer = Buffer.alloc(0),
): Promise<HeadOutcome> {
  const parser = new HttpHeadParser('request', { maxHeadBytes: MAX_REQUEST_HEAD_BYTES });
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: HeadOutcome): void => {
      done = true;
      clearTimeout(timer);
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      let head: HttpRequestHead | null;
      try {
        head = parser.push(chunk) as HttpRequestHead | null;
      } catch (err) {
        if (!(err instanceof HttpHeadError)) throw err;
        finish({ kind: 'refused', status: err.status, reason: err.message });
        return;
      }
      if (head === null) return;
      const rest = parser.rest();
      const all = Buffer.concat(chunks);
      const raw = all.subarray(0, all.length - rest.length);
      finish({ kind: 'request', request: { head, raw, rest } });
    };
    const onEnd = (): void => finish({ kind: 'gone' });
    if (initial.length > 0) onData(initial);
    if (done) return;
    timer = setTimeout(
      () => finish({ kind: 'refused', status: 408, reason: `no complete request head within ${timeoutMs} ms` }),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
    // A connection handed over by an earlier exchange was paused; a fresh one flows once 'data' is listened to.
    socket.resume();
    // It may have gone while it was paused.
    if (socket.destroyed) onEnd();
  });
}
