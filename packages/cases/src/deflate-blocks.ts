/**
 * A tiny DEFLATE writer (RFC 1951) for group 14: stored, fixed-Huffman and reserved-type blocks built
 * token by token, so every compressed payload of the catalogue is exactly the bytes a case describes
 * (a back-reference of a chosen distance, a final block, a kept or missing empty block) and the same on
 * every machine, whatever zlib build Node carries. It is data construction, not a compressor: it never
 * searches for matches; a case says where each one is.
 */

/** A literal byte, or a back-reference: copy `length` (3..258) bytes from `distance` (1..32768) back. */
export type DeflateToken = number | { length: number; distance: number };

export type DeflateBlock =
  | { type: 'stored'; data: Uint8Array; final?: boolean }
  | { type: 'fixed'; tokens: readonly DeflateToken[]; final?: boolean }
  /** BTYPE 11, which RFC 1951 §3.2.3 reserves: an error for every decoder. */
  | { type: 'reserved'; final?: boolean }
  /** Zero bits up to the next byte boundary (after a final block, RFC 7692 §7.2.1). */
  | { type: 'align' };

/** RFC 1951 §3.2.5: base lengths of codes 257..285 and their extra bits. */
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** RFC 1951 §3.2.5: base distances of codes 0..29 and their extra bits. */
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** Bits in DEFLATE order: values least significant bit first, Huffman codes most significant bit first. */
class BitWriter {
  private readonly out: number[] = [];
  private current = 0;
  private used = 0;

  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) this.bit((value >> i) & 1);
  }

  huffman(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.bit((code >> i) & 1);
  }

  align(): void {
    if (this.used > 0) this.flushByte();
  }

  byte(value: number): void {
    this.align();
    this.out.push(value & 0xff);
  }

  bytes(): Uint8Array {
    this.align();
    return Uint8Array.from(this.out);
  }

  private bit(b: number): void {
    this.current |= b << this.used;
    if (++this.used === 8) this.flushByte();
  }

  private flushByte(): void {
    this.out.push(this.current);
    this.current = 0;
    this.used = 0;
  }
}

/** RFC 1951 §3.2.6: the fixed literal/length code of a symbol 0..287. */
function fixedSymbol(w: BitWriter, symbol: number): void {
  if (symbol < 144) w.huffman(0x30 + symbol, 8);
  else if (symbol < 256) w.huffman(0x190 + symbol - 144, 9);
  else if (symbol < 280) w.huffman(symbol - 256, 7);
  else w.huffman(0xc0 + symbol - 280, 8);
}

function lastIndexAtMost(bases: readonly number[], value: number): number {
  let i = bases.length - 1;
  while (bases[i]! > value) i--;
  return i;
}

function writeMatch(w: BitWriter, length: number, distance: number): void {
  if (!Number.isInteger(length) || length < 3 || length > 258) throw new RangeError(`match length ${length}`);
  if (!Number.isInteger(distance) || distance < 1 || distance > 32768) throw new RangeError(`distance ${distance}`);
  // 258 has its own code (285); 227..257 use 284 with 5 extra bits.
  const li = length === 258 ? 28 : lastIndexAtMost(LENGTH_BASE.slice(0, 28), length);
  fixedSymbol(w, 257 + li);
  w.bits(length - LENGTH_BASE[li]!, LENGTH_EXTRA[li]!);
  const di = lastIndexAtMost(DISTANCE_BASE, distance);
  w.huffman(di, 5);
  w.bits(distance - DISTANCE_BASE[di]!, DISTANCE_EXTRA[di]!);
}

function header(w: BitWriter, final: boolean | undefined, type: number): void {
  w.bits(final ? 1 : 0, 1);
  w.bits(type, 2);
}

/** The blocks, one after the other, padded with zero bits to a whole byte at the end. */
export function deflateBlocks(blocks: readonly DeflateBlock[]): Uint8Array {
  const w = new BitWriter();
  for (const block of blocks) {
    switch (block.type) {
      case 'stored': {
        if (block.data.length > 0xffff) throw new RangeError('a stored block holds at most 65535 bytes');
        header(w, block.final, 0);
        w.align();
        const n = block.data.length;
        for (const b of [n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff]) w.byte(b);
        for (const b of block.data) w.byte(b);
        break;
      }
      case 'fixed':
        header(w, block.final, 1);
        for (const t of block.tokens) {
          if (typeof t === 'number') fixedSymbol(w, t);
          else writeMatch(w, t.length, t.distance);
        }
        fixedSymbol(w, 256);
        break;
      case 'reserved':
        header(w, block.final, 3);
        break;
      case 'align':
        w.align();
        break;
    }
  }
  return w.bytes();
}

/** The four octets RFC 7692 §7.2.1 removes from the end of a compressed message and §7.2.2 appends again. */
export const DEFLATE_TAIL = Uint8Array.from([0x00, 0x00, 0xff, 0xff]);

/**
 * RFC 7692 §7.2.1 applied to `blocks`: an empty stored block ends the data (the sync flush), then its last
 * four octets (00 00 ff ff) are removed. The result ends with the byte holding that block's header bits.
 */
export function compressedPayload(blocks: readonly DeflateBlock[]): Uint8Array {
  const data = syncFlushed(blocks);
  return data.subarray(0, data.length - DEFLATE_TAIL.length);
}

/** `blocks` followed by the empty stored block of a sync flush, its 00 00 ff ff kept. */
export function syncFlushed(blocks: readonly DeflateBlock[]): Uint8Array {
  return deflateBlocks([...blocks, { type: 'stored', data: new Uint8Array(0) }]);
}

/** Literal tokens for the UTF-8 bytes of a string (or for raw bytes). */
export function literals(data: string | Uint8Array): number[] {
  return [...(typeof data === 'string' ? new TextEncoder().encode(data) : data)];
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
