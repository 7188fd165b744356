/**
 * Stable codes for every way a peer can violate the protocol, each with the close code to send when failing
 * the connection (RFC 6455 §7.1.7, §7.4.1): 1002 protocol error, 1007 invalid payload, 1008 policy,
 * 1009 too big, 1011 internal error. Tests and reports match on these codes, never on message text, so
 * messages may be reworded freely. Names follow ws's receiver where the rule is the same.
 */
export const PROTOCOL_ERROR_CLOSE_CODES = {
  /** RSV1 set without permessage-deflate, or on a control or continuation frame (§5.2, RFC 7692 §6). */
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  /** RSV2 or RSV3 set; no extension we negotiate defines them (§5.2). */
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
  /** An opcode RFC 6455 reserves: 0x3–0x7 or 0xB–0xF (§5.2). */
  WS_ERR_INVALID_OPCODE: 1002,
  /** A control frame without FIN: control frames must not be fragmented (§5.5). */
  WS_ERR_EXPECTED_FIN: 1002,
  /** A control frame payload over 125 bytes (§5.5). */
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  /** An unmasked frame from a client (§5.1). */
  WS_ERR_EXPECTED_MASK: 1002,
  /** A masked frame from a server (§5.1). */
  WS_ERR_UNEXPECTED_MASK: 1002,
  /** A 64-bit payload length with its most significant bit set (§5.2). */
  WS_ERR_INVALID_PAYLOAD_LENGTH: 1002,
  /** A payload length not in the shortest of its three forms (§5.2), when minimal lengths are required. */
  WS_ERR_NON_MINIMAL_PAYLOAD_LENGTH: 1002,
  /** A 64-bit payload length of 2^53 or more, which a JavaScript number cannot hold exactly. */
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 1009,
  /** One frame's payload over the decoder's frame limit. */
  WS_ERR_FRAME_TOO_BIG: 1009,
  /** A continuation frame with no fragmented message to continue (§5.4). */
  WS_ERR_UNEXPECTED_CONTINUATION: 1002,
  /** A new Text or Binary frame while a fragmented message is still open (§5.4). */
  WS_ERR_EXPECTED_CONTINUATION: 1002,
  /** A message (on the wire) over the message size limit. */
  WS_ERR_MESSAGE_TOO_BIG: 1009,
  /** A compressed message that inflates past the message size limit. */
  WS_ERR_INFLATED_MESSAGE_TOO_BIG: 1009,
  /** A message split into so many small frames that keeping them costs more than the size limit. */
  WS_ERR_TOO_MANY_PARTS: 1008,
  /** A Text message or a Close reason that is not valid UTF-8 (§8.1). */
  WS_ERR_INVALID_UTF8: 1007,
  /** A compressed message that is not valid DEFLATE data (RFC 7692 §7.2.3.2). */
  WS_ERR_INVALID_COMPRESSED_DATA: 1007,
  /** Inflating failed for a reason other than the peer's data: our fault, not the peer's. */
  WS_ERR_INFLATE_FAILED: 1011,
  /** A Close payload of exactly 1 byte: a code needs 2 (§5.5.1). */
  WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH: 1002,
  /** A Close code that may not be sent on the wire (§7.4). */
  WS_ERR_INVALID_CLOSE_CODE: 1002,
} as const satisfies Record<string, number>;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CLOSE_CODES;

/**
 * A violation of the protocol by the peer. `code` says which rule was broken; `closeCode` is the code to
 * send when failing the connection, fixed by `code`. `message` is for people and may embed details.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  readonly closeCode: number;
  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
    this.closeCode = PROTOCOL_ERROR_CLOSE_CODES[code];
  }
}
