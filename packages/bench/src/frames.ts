/**
 * Client frames built once, before a measurement: the load loop only ever writes slices of these
 * buffers, so the client spends nothing on framing or masking per message.
 */
import { randomBytes } from 'node:crypto';
import { Opcode } from '@wsmatrix/protocol';

/** RSV1 bit of a frame's first byte: "this message is compressed" under permessage-deflate (RFC 7692 §6). */
export const RSV1 = 0x40;

/** Header length of a masked client frame carrying `payloadLength` bytes. */
export function maskedHeaderLength(payloadLength: number): number {
  return (payloadLength < 126 ? 2 : payloadLength <= 0xffff ? 4 : 10) + 4;
}

/** Writes one masked frame into `out` at `offset`; returns the offset after it. */
export function writeMaskedFrame(
  out: Buffer,
  offset: number,
  opcode: number,
  fin: boolean,
  payload: Uint8Array,
  mask: Uint8Array,
): number {
  const length = payload.length;
  let pos = offset;
  out[pos++] = (fin ? 0x80 : 0) | opcode;
  if (length < 126) {
    out[pos++] = 0x80 | length;
  } else if (length <= 0xffff) {
    out[pos++] = 0x80 | 126;
    out.writeUInt16BE(length, pos);
    pos += 2;
  } else {
    out[pos++] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(length / 2 ** 32), pos);
    out.writeUInt32BE(length >>> 0, pos + 4);
    pos += 8;
  }
  out[pos++] = mask[0]!;
  out[pos++] = mask[1]!;
  out[pos++] = mask[2]!;
  out[pos++] = mask[3]!;
  for (let i = 0; i < length; i++) out[pos + i] = payload[i]! ^ mask[i & 3]!;
  return pos + length;
}

/** One masked frame as its own buffer. */
export function buildMaskedFrame(opcode: number, payload: Uint8Array, fin = true, mask: Uint8Array = randomMask()): Buffer {
  const out = Buffer.allocUnsafe(maskedHeaderLength(payload.length) + payload.length);
  writeMaskedFrame(out, 0, opcode, fin, payload, mask);
  return out;
}

/**
 * One message as masked frames: a single frame, or `fragmentSize`-byte fragments (first frame carries
 * the opcode, the rest are continuations, the last has FIN).
 */
export function buildMaskedMessage(opcode: number, payload: Uint8Array, fragmentSize?: number): Buffer {
  if (!fragmentSize || fragmentSize >= payload.length) return buildMaskedFrame(opcode, payload);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += fragmentSize) pieces.push(payload.subarray(at, at + fragmentSize));
  const total = pieces.reduce((sum, p) => sum + maskedHeaderLength(p.length) + p.length, 0);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  pieces.forEach((piece, i) => {
    pos = writeMaskedFrame(out, pos, i === 0 ? opcode : Opcode.Continuation, i === pieces.length - 1, piece, randomMask());
  });
  return out;
}

/** `count` copies of one message back to back, so k messages go out as one write of a prefix. */
export function repeatMessage(message: Buffer, count: number): Buffer {
  const out = Buffer.allocUnsafe(message.length * count);
  for (let i = 0; i < count; i++) message.copy(out, i * message.length);
  return out;
}

/** A masked close frame with status code 1000 (normal closure). */
export function buildCloseFrame(code = 1000): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return buildMaskedFrame(Opcode.Close, payload);
}

/** A non-zero mask key: a zero key would let a server skip the unmasking work it normally does. */
export function randomMask(): Buffer {
  for (;;) {
    const mask = randomBytes(4);
    if (mask.readUInt32BE(0) !== 0) return mask;
  }
}

/** Payload bytes of a workload: printable ASCII for text (valid UTF-8), random bytes for binary. */
export function buildPayload(opcode: number, size: number): Buffer {
  if (opcode === Opcode.Text) {
    const out = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) out[i] = 0x61 + (i % 26);
    return out;
  }
  return randomBytes(size);
}
