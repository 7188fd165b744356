import type { PayloadSpec } from './types.js';

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

function hexBytes(hex: string): Buffer {
  if (!HEX_RE.test(hex)) {
    throw new Error(`payload: invalid hex string "${hex.length > 40 ? `${hex.slice(0, 40)}...` : hex}"`);
  }
  return Buffer.from(hex, 'hex');
}

function patternBytes(pattern: string | { hex: string }): Buffer {
  return typeof pattern === 'string' ? Buffer.from(pattern, 'utf8') : hexBytes(pattern.hex);
}

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new Error(`payload: invalid repeat length ${length}`);
  }
}

/** Expands a payload description to its bytes. A fresh buffer every call; nothing is cached. */
export function payloadBytes(spec: PayloadSpec): Buffer {
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  if ('hex' in spec) return hexBytes(spec.hex);
  checkLength(spec.length);
  const pattern = patternBytes(spec.repeat);
  if (spec.length === 0) return Buffer.alloc(0);
  if (pattern.length === 0) {
    throw new Error(`payload: cannot repeat an empty pattern to ${spec.length} bytes`);
  }
  // Buffer.alloc(size, fill) repeats `fill` and truncates the last repetition, as payload_len does.
  return Buffer.alloc(spec.length, pattern);
}

/** The number of bytes `payloadBytes(spec)` yields, computed without expanding the payload. */
export function payloadLength(spec: PayloadSpec): number {
  if (typeof spec === 'string') return Buffer.byteLength(spec, 'utf8');
  if ('hex' in spec) {
    if (!HEX_RE.test(spec.hex)) hexBytes(spec.hex); // throws with the same message
    return spec.hex.length / 2;
  }
  checkLength(spec.length);
  if (spec.length > 0) {
    const p = spec.repeat;
    const patternLength = typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : payloadLength(p);
    if (patternLength === 0) throw new Error(`payload: cannot repeat an empty pattern to ${spec.length} bytes`);
  }
  return spec.length;
}
