import { applyMask, randomMask } from './mask.js';

export interface FrameHeaderOptions {
  opcode: number;
  payloadLength: number;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** 4 mask bytes; null/absent = unmasked (server frames). */
  mask?: Uint8Array | null;
}

/** Just the header of a well-formed frame: minimal length encoding, MASK bit set iff a mask is given. */
export function encodeFrameHeader(opts: FrameHeaderOptions): Buffer {
  const { payloadLength } = opts;
  const mask = opts.mask ?? null;
  const lengthBytes = payloadLength < 126 ? 0 : payloadLength < 0x10000 ? 2 : 8;
  const header = Buffer.allocUnsafe(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = firstByte(opts.fin ?? true, opts.rsv1, opts.rsv2, opts.rsv3, opts.opcode);
  const maskBit = mask ? 0x80 : 0;
  if (lengthBytes === 0) {
    header[1] = maskBit | payloadLength;
  } else if (lengthBytes === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(payloadLength, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeUInt32BE(Math.floor(payloadLength / 0x100000000), 2);
    header.writeUInt32BE(payloadLength >>> 0, 6);
  }
  if (mask) header.set(mask.subarray(0, 4), 2 + lengthBytes);
  return header;
}

export interface FrameSpec {
  /** Any 4-bit value, reserved opcodes included. */
  opcode: number;
  payload?: Uint8Array;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /**
   * `true`: a fresh random mask; 4 bytes: that mask; null/false/absent: unmasked. The payload is masked
   * on a copy, never in place.
   */
  mask?: Uint8Array | boolean | null;
  /** Force the MASK bit regardless of `mask` (a lie when it disagrees, for fuzzing). */
  maskBit?: boolean;
  /** Force a length encoding (7-bit, 16-bit or 64-bit field), even a non-minimal or too small one. */
  lengthForm?: 7 | 16 | 64;
  /** Declare this length instead of the payload's real length (a lie, for fuzzing). */
  declaredLength?: number | bigint;
}

/**
 * Encodes one frame exactly as described — valid or not. Defaults produce a valid final frame; every
 * field can be forced to an invalid value so a fuzzing client can test how peers react.
 */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? EMPTY;
  const mask = spec.mask === true ? randomMask() : spec.mask instanceof Uint8Array ? spec.mask : null;
  const declared = spec.declaredLength === undefined ? BigInt(payload.length) : BigInt(spec.declaredLength);
  const form = spec.lengthForm ?? (declared < 126n ? 7 : declared < 0x10000n ? 16 : 64);
  const lengthBytes = form === 7 ? 0 : form === 16 ? 2 : 8;
  const maskBit = spec.maskBit ?? mask !== null;
  const headerLength = 2 + lengthBytes + (mask ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLength + payload.length);
  out[0] = firstByte(spec.fin ?? true, spec.rsv1, spec.rsv2, spec.rsv3, spec.opcode);
  const bit = maskBit ? 0x80 : 0;
  if (form === 7) {
    out[1] = bit | Number(declared & 0x7fn);
  } else if (form === 16) {
    out[1] = bit | 126;
    out.writeUInt16BE(Number(declared & 0xffffn), 2);
  } else {
    out[1] = bit | 127;
    out.writeBigUInt64BE(BigInt.asUintN(64, declared), 2);
  }
  if (mask) out.set(mask.subarray(0, 4), 2 + lengthBytes);
  out.set(payload, headerLength);
  if (mask) applyMask(out.subarray(headerLength), mask, 0);
  return out;
}

function firstByte(
  fin: boolean,
  rsv1: boolean | undefined,
  rsv2: boolean | undefined,
  rsv3: boolean | undefined,
  opcode: number,
): number {
  return (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | (rsv2 ? 0x20 : 0) | (rsv3 ? 0x10 : 0) | (opcode & 0x0f);
}

const EMPTY = new Uint8Array(0);
