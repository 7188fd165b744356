/**
 * Pre-compressed client messages for permessage-deflate jobs (RFC 7692), built once like the
 * uncompressed ones: the load loop never runs zlib. Each message is compressed on its own (no context
 * taken over from the previous one), which a client may always do, so the same bytes stay valid for
 * every send whatever the server answered to our offer.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { buildMaskedMessage, RSV1 } from './frames.js';

/** What a sync flush ends the stream with; RFC 7692 §7.2.1 drops it from the message. */
const SYNC_FLUSH_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** RFC 7692 §7.2.1: raw DEFLATE ended by a sync flush, without the trailing 00 00 FF FF. */
export function deflateMessagePayload(payload: Uint8Array): Buffer {
  const out = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  if (out.length < SYNC_FLUSH_TAIL.length || !out.subarray(out.length - SYNC_FLUSH_TAIL.length).equals(SYNC_FLUSH_TAIL)) {
    throw new Error('zlib sync flush did not end in 00 00 FF FF');
  }
  return out.subarray(0, out.length - SYNC_FLUSH_TAIL.length);
}

export interface CompressedMessage {
  /** The message's masked frames. */
  frames: Buffer;
  /** Payload bytes on the wire (the compressed length), for the sent compression ratio. */
  compressedLength: number;
}

/**
 * One message compressed, then framed masked like buildMaskedMessage: `fragmentSize` cuts the
 * compressed bytes. RSV1 goes on the first frame only; continuation frames must leave it clear (§6.1).
 */
export function buildCompressedMessage(opcode: number, payload: Uint8Array, fragmentSize?: number): CompressedMessage {
  const compressed = deflateMessagePayload(payload);
  const frames = buildMaskedMessage(opcode, compressed, fragmentSize);
  // The first frame starts at byte 0; its first byte holds FIN, RSV1-3 and the opcode.
  frames[0]! |= RSV1;
  return { frames, compressedLength: compressed.length };
}
