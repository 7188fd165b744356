/**
 * How AutobahnPython 0.10.9 (the library the Autobahn testsuite runs on) judges a Close frame it receives.
 * It is narrower than RFC 6455 + the IANA registry: 1012-1014 count as invalid, so a server answering
 * with them is failed with 1002, exactly as Autobahn would.
 */
import { isValidUtf8 } from '@wsmatrix/protocol';

/** Codes AutobahnPython accepts below 3000 (its CLOSE_STATUS_CODES_ALLOWED). */
const ALLOWED_BELOW_3000 = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011]);

export function autobahnAcceptsCloseCode(code: number): boolean {
  if (code < 1000 || code >= 5000) return false;
  if (code < 3000) return ALLOWED_BELOW_3000.has(code);
  return true;
}

/** A received Close payload as AutobahnPython splits it; every problem it reacts to is listed. */
export interface ReceivedClose {
  code: number | null;
  reason: string | null;
  /** 1-byte payload: a protocol violation (1002), the frame is still processed with no code. */
  oneBytePayload: boolean;
  /** Code outside Autobahn's allowed set: a protocol violation (1002). */
  invalidCode: boolean;
  /** Reason that is not UTF-8: invalid payload (1007). */
  invalidReason: boolean;
}

export function readClosePayload(payload: Buffer): ReceivedClose {
  const code = payload.length > 1 ? payload.readUInt16BE(0) : null;
  const reasonBytes = payload.length > 2 ? payload.subarray(2) : null;
  const invalidReason = reasonBytes !== null && !isValidUtf8(reasonBytes);
  return {
    code,
    reason: reasonBytes === null || invalidReason ? null : reasonBytes.toString('utf8'),
    oneBytePayload: payload.length === 1,
    invalidCode: code !== null && !autobahnAcceptsCloseCode(code),
    invalidReason,
  };
}
