/**
 * A read buffer that can be unmasked with 128-bit SIMD: the buffer is a WebAssembly memory, and a
 * 57-byte module XORs 16 bytes per instruction in it. JavaScript has no SIMD; its best loop (mask.ts)
 * is several times slower, which made unmasking the largest user-space cost of echoing large messages.
 * A server that reads sockets into an arena hands the arena to its frame decoders (FrameDecoderOptions
 * `arena`), which unmask payload lying in it there, in place, before the reader copies what it keeps out
 * of the reused buffer.
 *
 * Lifetime: an arena is an ordinary object, kept alive only by whoever holds it (a server from listen()
 * to close(), its connections' decoders). Nothing here remembers arenas, so a dropped arena and its
 * WebAssembly memory (and the address range the engine reserves for it) are reclaimed by the GC.
 *
 * The module, by hand (one function `x(p, n, word)`: for p in [p, p + n) by 16, v128 at p ^= splat(word)):
 */
const MODULE = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x07,
  0x01,
  0x60,
  0x03,
  0x7f,
  0x7f,
  0x7f,
  0x00, // type: (i32, i32, i32) -> ()
  0x02,
  0x08,
  0x01,
  0x01,
  0x65,
  0x01,
  0x6d,
  0x02,
  0x00,
  0x01, // import "e" "m": memory, min 1 page
  0x03,
  0x02,
  0x01,
  0x00, // function 0 has type 0
  0x07,
  0x05,
  0x01,
  0x01,
  0x78,
  0x00,
  0x00, // export "x" = function 0
  0x0a,
  0x3b,
  0x01,
  0x39, // code: one body of 57 bytes
  0x02,
  0x01,
  0x7b,
  0x01,
  0x7f, // locals: 3 = v128 mask, 4 = i32 end
  0x20,
  0x02,
  0xfd,
  0x11,
  0x21,
  0x03, // mask = i32x4.splat(word)
  0x20,
  0x00,
  0x20,
  0x01,
  0x6a,
  0x21,
  0x04, // end = p + n
  0x02,
  0x40,
  0x03,
  0x40, // block, loop
  0x20,
  0x00,
  0x20,
  0x04,
  0x4f,
  0x0d,
  0x01, // if p >= end: break
  0x20,
  0x00, // (address for the store)
  0x20,
  0x00,
  0xfd,
  0x00,
  0x00,
  0x00, // v128.load p
  0x20,
  0x03,
  0xfd,
  0x51, // v128.xor mask
  0xfd,
  0x0b,
  0x00,
  0x00, // v128.store
  0x20,
  0x00,
  0x41,
  0x10,
  0x6a,
  0x21,
  0x00, // p += 16
  0x0c,
  0x00, // continue
  0x0b,
  0x0b,
  0x0b, // end loop, end block, end function
]);

const PAGE = 64 * 1024;
/** Below this, the call into WebAssembly costs more than the JS loop. */
const SIMD_MIN_BYTES = 256;

type XorFn = (p: number, n: number, word: number) => void;

/** The part of the WebAssembly global used here (this package's lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}

/**
 * The compiled module, compiled once per process: a constant (it never grows), not per-arena state.
 * null: WebAssembly SIMD is unavailable here.
 */
let compiled: { wasm: WasmApi; module: object } | null | undefined;

function compiledModule(): { wasm: WasmApi; module: object } | null {
  if (compiled === undefined) {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    compiled = wasm === undefined || !wasm.validate(MODULE) ? null : { wasm, module: new wasm.Module(MODULE) };
  }
  return compiled;
}

export class MaskArena {
  /** The arena's memory as a Buffer of the size asked for; read sockets into (views of) it. */
  readonly buffer: Buffer;
  private xor: XorFn | null;

  private constructor(buffer: Buffer, xor: XorFn) {
    this.buffer = buffer;
    this.xor = xor;
  }

  /**
   * An arena of `bytes` (rounded up to 64 KiB pages) backed by WebAssembly memory that never grows (so
   * views of it stay valid), or null where WebAssembly SIMD is unavailable: callers then use a plain Buffer.
   */
  static create(bytes: number): MaskArena | null {
    const found = compiledModule();
    if (found === null) return null;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    const memory = new found.wasm.Memory({ initial: pages, maximum: pages });
    const instance = new found.wasm.Instance(found.module, { e: { m: memory } });
    const xor = instance.exports.x as XorFn;
    return new MaskArena(Buffer.from(memory.buffer, 0, bytes), xor);
  }

  /** Whether `data` is a view of this arena's memory. */
  holds(data: Uint8Array): boolean {
    return data.buffer === this.buffer.buffer;
  }

  /**
   * Stops using the arena's WebAssembly instance: later unmask() calls decline. The memory itself goes
   * when the last reference to the arena and its buffer is dropped.
   */
  release(): void {
    this.xor = null;
  }

  /**
   * Unmasks `data` in place (as applyMask) when it lies in this arena and is worth it; false otherwise,
   * with `data` untouched. The whole 16-byte blocks go through SIMD; the last 0–15 bytes are done here.
   */
  unmask(data: Uint8Array, mask: Uint8Array, phase: number): boolean {
    const length = data.length;
    const xor = this.xor;
    if (length < SIMD_MIN_BYTES || xor === null || !this.holds(data)) return false;
    const p = phase & 3;
    const b0 = mask[p]!,
      b1 = mask[(p + 1) & 3]!,
      b2 = mask[(p + 2) & 3]!,
      b3 = mask[(p + 3) & 3]!;
    // WebAssembly memory is little-endian whatever the platform.
    const word = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) | 0;
    const simd = length & ~15;
    xor(data.byteOffset, simd, word);
    // 16 is a multiple of 4, so the tail starts at phase p again.
    for (let i = simd; i < length; i++) data[i] = data[i]! ^ mask[(p + i) & 3]!;
    return true;
  }
}
