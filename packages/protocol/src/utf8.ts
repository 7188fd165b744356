import { isUtf8 } from 'node:buffer';

/**
 * Incremental UTF-8 validator (RFC 3629) that rejects at the first byte that cannot start or continue a
 * valid sequence, even when the sequence is split across frames or TCP chunks. Autobahn 6.4.x rewards
 * failing at the bad fragment rather than at message end.
 *
 * The bulk of each chunk is checked with Node's native `isUtf8`; only the ≤ 3 bytes of a sequence that
 * straddles a chunk boundary go through the byte-level state machine below.
 */
export class Utf8Validator {
  /** Continuation bytes still needed for the current sequence. */
  private need = 0;
  /** Allowed range for the next continuation byte (tighter right after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;
  private failed = false;

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
    this.failed = false;
  }

  /** Feeds more bytes; false as soon as the bytes seen so far cannot be a prefix of valid UTF-8. */
  push(bytes: Uint8Array): boolean {
    if (this.failed) return false;
    const length = bytes.length;
    let i = 0;
    // Finish a sequence left open by the previous chunk.
    while (this.need > 0 && i < length) {
      if (!this.step(bytes[i]!)) return this.fail();
      i++;
    }
    if (i === length) return true;
    const cut = incompleteTailStart(bytes, i);
    if (cut > i && !isUtf8(i === 0 && cut === length ? bytes : bytes.subarray(i, cut))) return this.fail();
    for (let j = cut; j < length; j++) {
      if (!this.step(bytes[j]!)) return this.fail();
    }
    return true;
  }

  /** True when everything fed so far is complete, valid UTF-8. */
  end(): boolean {
    return !this.failed && this.need === 0;
  }

  private fail(): false {
    this.failed = true;
    return false;
  }

  private step(b: number): boolean {
    if (this.need === 0) {
      if (b < 0x80) return true;
      if (b >= 0xc2 && b <= 0xdf) return this.open(1, 0x80, 0xbf);
      if (b === 0xe0) return this.open(2, 0xa0, 0xbf);
      if (b === 0xed) return this.open(2, 0x80, 0x9f); // no UTF-16 surrogates
      if (b >= 0xe1 && b <= 0xef) return this.open(2, 0x80, 0xbf);
      if (b === 0xf0) return this.open(3, 0x90, 0xbf);
      if (b >= 0xf1 && b <= 0xf3) return this.open(3, 0x80, 0xbf);
      if (b === 0xf4) return this.open(3, 0x80, 0x8f); // nothing above U+10FFFF
      return false;
    }
    if (b < this.lo || b > this.hi) return false;
    this.need--;
    this.lo = 0x80;
    this.hi = 0xbf;
    return true;
  }

  private open(need: number, lo: number, hi: number): boolean {
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }
}

/**
 * Index where a trailing multi-byte sequence that is still incomplete begins, or `bytes.length` when the
 * buffer ends on a sequence boundary (or on garbage, which `isUtf8` will reject).
 */
function incompleteTailStart(bytes: Uint8Array, from: number): number {
  const length = bytes.length;
  const floor = Math.max(from, length - 4);
  for (let k = length - 1; k >= floor; k--) {
    const b = bytes[k]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const sequenceLength = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return k + sequenceLength > length ? k : length;
  }
  return length;
}

/** Whole-buffer check. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
