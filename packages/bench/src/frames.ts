/**
 * Client frames built once, before a measurement, with the protocol package's encoder: the load loop
 * only writes slices of these buffers, so it spends nothing on framing, masking or compressing per
 * message. Deflate jobs compress each message on its own (no context taken over), which a client may
 * always do, so the same bytes stay valid whatever the server answered to our offer (RFC 7692).
 */
import { randomBytes } from 'node:crypto';
import { constants, deflateRawSync } from 'node:zlib';
import { CloseCode, encodeClosePayload, encodeFrame, Opcode, randomMask } from '@wsmatrix/protocol';

/** RSV1 bit of a frame's first byte: "this message is compressed" under permessage-deflate (RFC 7692 §6). */
export const RSV1 = 0x40;

/** A mask other than zero: a zero key would let a server skip the unmasking it normally does. */
function nonZeroMask(): Uint8Array {
  for (;;) {
    const mask = randomMask();
    if (mask.readUInt32BE(0) !== 0) return mask;
  }
}

/**
 * One message as masked frames: a single frame, or `fragmentSize`-byte fragments (the first carries
 * the opcode and, with `rsv1`, the compressed bit; continuations follow; FIN on the last).
 */
export function buildMaskedMessage(opcode: number, payload: Uint8Array, fragmentSize?: number, rsv1 = false): Buffer {
  const step = fragmentSize && fragmentSize > 0 ? fragmentSize : Math.max(1, payload.length);
  const frames: Buffer[] = [];
  let at = 0;
  do {
    const piece = payload.subarray(at, at + step);
    at += piece.length;
    const first = frames.length === 0;
    frames.push(
      encodeFrame({
        opcode: first ? opcode : Opcode.Continuation,
        payload: piece,
        fin: at >= payload.length,
        rsv1: rsv1 && first,
        mask: nonZeroMask(),
      }),
    );
  } while (at < payload.length);
  return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
}

/** A masked close frame with status code 1000 (normal closure). */
export function buildCloseFrame(): Buffer {
  return encodeFrame({ opcode: Opcode.Close, payload: encodeClosePayload(CloseCode.Normal), mask: nonZeroMask() });
}

/** Payload bytes of a workload: printable ASCII for text (valid UTF-8), random bytes for binary. */
export function buildPayload(opcode: number, size: number): Buffer {
  if (opcode !== Opcode.Text) return randomBytes(size);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = 0x61 + (i % 26);
  return out;
}

/** RFC 7692 §7.2.1: raw DEFLATE ended by a sync flush, without the 00 00 FF FF the flush ends with. */
export function deflateMessagePayload(payload: Uint8Array): Buffer {
  const out = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH });
  if (out.length < 4 || out.readUInt32BE(out.length - 4) !== 0xffff)
    throw new Error('zlib sync flush did not end in 00 00 FF FF');
  return out.subarray(0, out.length - 4);
}
