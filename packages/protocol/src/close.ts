import { ProtocolError } from './errors.js';
import { isValidUtf8 } from './utf8.js';

/** Close codes with a name in RFC 6455 §7.4.1 and the IANA registry. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatusReceived: 1005, // never on the wire
  Abnormal: 1006, // never on the wire
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010, // sent by clients only
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015, // never on the wire
} as const;

/**
 * Whether a code may appear in a Close frame: 1000–1003, 1007–1014 (RFC 6455 §7.4.1 plus IANA's
 * 1012–1014), and 3000–4999 (registered and private use). 0–999, 1004–1006, 1015, the unassigned
 * 1016–2999 and everything from 5000 up are not.
 */
export function closeCodeIsValid(code: number): boolean {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

export interface ClosePayload {
  /** null when the Close frame had no payload. */
  code: number | null;
  reason: string;
}

/**
 * Parses and validates a received Close payload: empty (no code), or a valid 2-byte code followed by a
 * UTF-8 reason. A 1-byte payload or an invalid code is a protocol error (1002); a reason that is not
 * UTF-8 is invalid payload data (1007).
 */
export function parseClosePayload(payload: Uint8Array): ClosePayload | ProtocolError {
  if (payload.length === 0) return { code: null, reason: '' };
  if (payload.length === 1)
    return new ProtocolError('WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH', 'close payload of 1 byte (a code needs 2)');
  const code = (payload[0]! << 8) | payload[1]!;
  if (!closeCodeIsValid(code)) return new ProtocolError('WS_ERR_INVALID_CLOSE_CODE', `invalid close code ${code}`);
  const reasonBytes = payload.subarray(2);
  if (!isValidUtf8(reasonBytes)) return new ProtocolError('WS_ERR_INVALID_UTF8', 'close reason is not valid UTF-8');
  return { code, reason: Buffer.from(reasonBytes.buffer, reasonBytes.byteOffset, reasonBytes.length).toString('utf8') };
}

/**
 * Builds a Close payload without validating anything, so deliberately invalid closes can be sent:
 * the 2-byte code when given, then the reason bytes when given.
 */
export function encodeClosePayload(code?: number | null, reason?: string | Uint8Array): Buffer {
  const reasonBytes = reason === undefined ? EMPTY : typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  if (code === undefined || code === null) return Buffer.from(reasonBytes);
  const out = Buffer.allocUnsafe(2 + reasonBytes.length);
  out.writeUInt16BE(code & 0xffff, 0);
  out.set(reasonBytes, 2);
  return out;
}

const EMPTY = new Uint8Array(0);
