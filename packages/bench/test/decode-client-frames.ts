/**
 * Test oracle: masked client frames split apart and unmasked the slow, obvious way, independent of the
 * code under test (and of the protocol package's decoder).
 */
import { expect } from 'vitest';
import { RSV1 } from '../src/frames.js';

export interface DecodedFrame {
  fin: boolean;
  rsv1: boolean;
  /** RSV2 and RSV3 bits as they stand in the first byte. */
  rsv23: number;
  opcode: number;
  payload: Buffer;
  /** Offset just past this frame. */
  next: number;
}

/** The masked frame starting at `at`; asserts the mask bit. */
export function decodeMaskedFrame(bytes: Buffer, at = 0): DecodedFrame {
  const b0 = bytes[at]!;
  expect(bytes[at + 1]! & 0x80).toBe(0x80);
  let len = bytes[at + 1]! & 0x7f;
  let pos = at + 2;
  if (len === 126) {
    len = bytes.readUInt16BE(pos);
    pos += 2;
  } else if (len === 127) {
    len = Number(bytes.readBigUInt64BE(pos));
    pos += 8;
  }
  const mask = bytes.subarray(pos, pos + 4);
  pos += 4;
  const payload = Buffer.from(bytes.subarray(pos, pos + len).map((b, i) => b ^ mask[i & 3]!));
  return {
    fin: (b0 & 0x80) !== 0,
    rsv1: (b0 & RSV1) !== 0,
    rsv23: b0 & 0x30,
    opcode: b0 & 0x0f,
    payload,
    next: pos + len,
  };
}

/** Every masked frame in `bytes`, in order. */
export function decodeMaskedFrames(bytes: Buffer): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  for (let at = 0; at < bytes.length; ) {
    const frame = decodeMaskedFrame(bytes, at);
    frames.push(frame);
    at = frame.next;
  }
  return frames;
}
