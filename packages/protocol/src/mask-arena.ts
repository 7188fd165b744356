/**
 * A read buffer that can be unmasked with 128-bit SIMD: the buffer is a WebAssembly memory, and a
 * 57-byte module XORs 16 bytes per instruction in it. JavaScript has no SIMD; its best loop (mask.ts)
 * unmasks 7–9 GB/s, which made unmasking the largest user-space cost of echoing 1 MiB messages. A server
 * that reads sockets into an arena has frames unmasked there, in place (FrameDecoder checks), before the
 * reader copies what it keeps out of the reused buffer.
 *
 * The module, by hand (one function `x(p, n, word)`: for p in [p, p + n) by 16, v128 at p ^= splat(word)):
 */
const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32, i32, i32) -> ()
  0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01, // import "e" "m": memory, min 1 page
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x07, 0x05, 0x01, 0x01, 0x78, 0x00, 0x00, // export "x" = function 0
  0x0a, 0x3b, 0x01, 0x39, // code: one body of 57 bytes
  0x02, 0x01, 0x7b, 0x01, 0x7f, // locals: 3 = v128 mask, 4 = i32 end
  0x20, 0x02, 0xfd, 0x11, 0x21, 0x03, // mask = i32x4.splat(word)
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x04, // end = p + n
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x04, 0x4f, 0x0d, 0x01, // if p >= end: break
  0x20, 0x00, // (address for the store)
  0x20, 0x00, 0xfd, 0x00, 0x00, 0x00, // v128.load p
  0x20, 0x03, 0xfd, 0x51, // v128.xor mask
  0xfd, 0x0b, 0x00, 0x00, // v128.store
  0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, // p += 16
  0x0c, 0x00, // continue
  0x0b, 0x0b, 0x0b, // end loop, end block, end function
]);

const PAGE = 64 * 1024;
/** Below this, the call into WebAssembly costs more than the JS loop. */
const SIMD_MIN_BYTES = 256;

/** Arenas by their memory's ArrayBuffer: a buffer is recognised by what it is a view of. */
const arenas = new Map<ArrayBufferLike, (p: number, n: number, word: number) => void>();

/**
 * A buffer of `bytes` (rounded up to 64 KiB pages) backed by WebAssembly memory that never grows (so
 * views of it stay valid), or null where WebAssembly SIMD is unavailable: callers then use a plain Buffer.
 * Arenas live as long as the process; make one per server, not per connection.
 */
export function createMaskArena(bytes: number): Buffer | null {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || !wasm.validate(MODULE)) return null;
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const instance = new wasm.Instance(new wasm.Module(MODULE), { e: { m: memory } });
  const xor = instance.exports['x'] as (p: number, n: number, word: number) => void;
  arenas.set(memory.buffer, xor);
  return Buffer.from(memory.buffer, 0, bytes);
}

/** The part of the WebAssembly global used here (this package's lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}

/**
 * Unmasks `data` in place (as applyMask) when it lies in an arena and is worth it; false otherwise, with
 * `data` untouched. The whole 16-byte blocks go through SIMD; the last 0–15 bytes are done here.
 */
export function unmaskInArena(data: Uint8Array, mask: Uint8Array, phase: number): boolean {
  const length = data.length;
  if (length < SIMD_MIN_BYTES) return false;
  const xor = arenas.get(data.buffer);
  if (xor === undefined) return false;
  const p = phase & 3;
  const b0 = mask[p]!, b1 = mask[(p + 1) & 3]!, b2 = mask[(p + 2) & 3]!, b3 = mask[(p + 3) & 3]!;
  // WebAssembly memory is little-endian whatever the platform.
  const word = (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) | 0;
  const simd = length & ~15;
  xor(data.byteOffset, simd, word);
  // 16 is a multiple of 4, so the tail starts at phase p again.
  for (let i = simd; i < length; i++) data[i] = data[i]! ^ mask[(p + i) & 3]!;
  return true;
}

