/** Bytes for tests: written out in hex, patterned, pseudo-random, and cut into pieces. */

/** Bytes written as hex, spaces allowed: `hex('81 05')`. */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/**
 * `length` bytes in which each byte depends on its offset (the pattern repeats only after 64 KiB) and on
 * `salt`: payloads with salts that differ modulo 256 differ at every offset, so a byte from another one shows.
 */
export function patterned(length: number, salt = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + 7 + (i >>> 8) + salt) & 0xff;
  return out;
}

/** A deterministic xorshift32 generator: the same seed gives the same numbers, so a failure replays. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `length` bytes from prng(seed): no period a shifted, dropped or doubled byte could hide in. */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const next = prng(seed);
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = next() & 0xff;
  return out;
}

/** Exactly `length` bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte sequences, padded with ASCII. */
export function utf8Payload(length: number): Buffer {
  const unit = Buffer.from('aé€𝄞', 'utf8'); // 1 + 2 + 3 + 4 = 10 bytes
  const out = Buffer.alloc(length, 0x7a); // 'z'
  for (let off = 0; off + unit.length <= length; off += unit.length) unit.copy(out, off);
  return out;
}

/**
 * A fresh copy of `bytes` cut at `cuts` (each taken modulo length + 1, then sorted and deduplicated), so
 * any numbers a generator draws are valid cuts; a piece may be empty. A copy, because decoders unmask in
 * place and keep what they are given: each call gets bytes of its own.
 */
export function chop(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const copy = Buffer.from(bytes);
  const points = [...new Set(cuts.map((c) => c % (copy.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(copy.subarray(from, point));
    from = point;
  }
  pieces.push(copy.subarray(from));
  return pieces;
}

/** A fresh copy of `bytes` one byte a piece: the worst case for anything that gathers a header. */
export function bytewise(bytes: Uint8Array): Buffer[] {
  return chop(
    bytes,
    Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1),
  );
}
