/**
 * The Close frames a server sends (RFC 6455 §5.5.1, §7.4): the code that answers the peer's Close, and the
 * codes and reasons it may send of its own accord.
 */
import { closeCodeIsValid } from '@wsmatrix/protocol';

/** Longest close reason that fits a control frame (125 − 2 bytes of code). */
export const MAX_REASON_BYTES = 123;

/** The code we answer a peer's Close with: its own, except 1010 (client-only) and anything unsendable. */
export function closeReplyCode(code: number): number {
  return code !== 1010 && closeCodeIsValid(code) ? code : 1000;
}

/** Throws RangeError for a code or reason a server's close() must not send. */
export function checkOwnClose(code: number, reason: string): void {
  if (!closeCodeIsValid(code) || code === 1010) {
    throw new RangeError(`close code ${code} must not be sent by a server`);
  }
  if (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
    throw new RangeError(`close reason must be at most ${MAX_REASON_BYTES} bytes`);
  }
}

/** A reason for the Close of a failure (an error message): kept only if it fits. */
export function fittingReason(reason: string): string {
  return Buffer.byteLength(reason) <= MAX_REASON_BYTES ? reason : '';
}
