/**
 * The permessage-deflate transform of one connection (RFC 7692 §7.2), on node:zlib's one-shot raw
 * deflate/inflate. No sockets and no timers; the asynchronous variants run in libuv's thread pool
 * through a ZlibLimiter that bounds how many run at once.
 *
 * Context takeover without a long-lived zlib stream: the LZ77 window a persistent compressor would
 * carry from one message to the next is exactly the last 2^windowBits bytes of the plaintext sent so
 * far, and likewise for the decompressor and the plaintext received. Each message is therefore
 * (de)compressed with that history as a preset dictionary, which yields the same wire format as a
 * persistent stream while holding no zlib state between messages: a connection costs at most
 * 2 × 2^windowBits bytes of history (none with no_context_takeover) instead of ~300 KiB of zlib state.
 *
 * - Compress: deflate with Z_SYNC_FLUSH, drop the trailing 00 00 ff ff (§7.2.1); an empty message
 *   becomes the single byte 0x00 (§7.2.3.6).
 * - Decompress: append 00 00 ff ff and inflate (§7.2.2) with `maxOutputLength` = the message limit, so
 *   zlib stops producing output at the limit: a small compressed message can never expand past it
 *   (1009). Corrupt data → 1007 (our documented choice; ws does the same).
 */
import { constants, deflateRaw, deflateRawSync, inflateRaw, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { ProtocolError } from './errors.js';
import type { DeflateParams } from './permessage-deflate.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const EMPTY_BLOCK = Buffer.from([0x00]);
const EMPTY = Buffer.alloc(0);
/** node's default zlib output buffer (Z_DEFAULT_CHUNK): decompressSync never uses a smaller one. */
const DEFAULT_CHUNK = 16 * 1024;
/** decompressSync keeps a reused input buffer up to this size; larger messages are joined afresh. */
const SCRATCH_LIMIT = 1 << 20;

/**
 * Bounds concurrent asynchronous zlib jobs (node's zlib work in the thread pool fragments memory
 * badly when unbounded: ws#1202, node#8871). Jobs beyond the limit wait in FIFO order.
 */
export class ZlibLimiter {
  active = 0;
  /** Highest `active` ever seen: tests assert it never exceeds `limit`. */
  peakActive = 0;
  completed = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit = 10) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`zlib concurrency limit must be >= 1, got ${limit}`);
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    if (this.active > this.peakActive) this.peakActive = this.active;
    try {
      return await job();
    } finally {
      this.active--;
      this.completed++;
      this.waiting.shift()?.();
    }
  }
}

export interface DeflateCodecOptions {
  /** Our role: a server compresses with the server_* parameters and inflates with the client_* ones. */
  role: 'server' | 'client';
  params: DeflateParams;
  /** Largest decompressed message; more → ProtocolError 1009, detected while inflating. */
  maxMessageSize: number;
  /** zlib compression level (default Z_DEFAULT_COMPRESSION). */
  level?: number;
  /** zlib memLevel (default 8). */
  memLevel?: number;
  /** For the asynchronous methods; a private limiter of 10 when absent. */
  limiter?: ZlibLimiter;
}

/** Counters for tests and reports. */
export interface DeflateCounters {
  messagesCompressed: number;
  messagesDecompressed: number;
  /** Plaintext bytes given to compress / compressed bytes produced. */
  bytesBeforeCompression: number;
  bytesAfterCompression: number;
  /** Compressed bytes received / plaintext bytes produced by inflating them. */
  bytesBeforeInflation: number;
  inflatedBytes: number;
  /** Largest single inflate output accepted. */
  largestInflatedMessage: number;
  /** Messages refused because they would inflate past maxMessageSize. */
  inflateLimitHits: number;
}

/** Keeps the last `size` bytes of everything appended (the LZ77 window of one direction). */
class History {
  private buf: Buffer = EMPTY;
  constructor(private readonly size: number) {}

  get bytes(): Buffer {
    return this.buf;
  }

  append(data: Buffer): void {
    const size = this.size;
    if (data.length >= size) {
      this.buf = Buffer.from(data.subarray(data.length - size));
    } else if (data.length > 0) {
      const keep = Math.min(this.buf.length, size - data.length);
      const next = Buffer.allocUnsafe(keep + data.length);
      this.buf.copy(next, 0, this.buf.length - keep);
      data.copy(next, keep);
      this.buf = next;
    }
  }
}

function callAsync(fn: typeof deflateRaw, data: Buffer, opts: ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => fn(data, opts, (err, out) => (err ? reject(err) : resolve(out))));
}

export class DeflateCodec implements DeflateCounters {
  messagesCompressed = 0;
  messagesDecompressed = 0;
  bytesBeforeCompression = 0;
  bytesAfterCompression = 0;
  bytesBeforeInflation = 0;
  inflatedBytes = 0;
  largestInflatedMessage = 0;
  inflateLimitHits = 0;

  readonly params: DeflateParams;
  private readonly maxMessageSize: number;
  private readonly outBits: number;
  private readonly inBits: number;
  private readonly outTakeover: boolean;
  private readonly inTakeover: boolean;
  private readonly outHistory: History | null;
  private readonly inHistory: History | null;
  private readonly level: number;
  private readonly memLevel: number;
  private readonly limiter: ZlibLimiter;
  /** Inflates of one connection run one after another: each needs the previous one's output. */
  private inflateChain: Promise<unknown> = Promise.resolve();
  /**
   * decompressSync's input: the compressed message followed by the tail, written into this reused buffer
   * rather than a fresh concatenation per message (held only up to SCRATCH_LIMIT).
   */
  private scratch: Buffer = EMPTY;
  /** Size of the last synchronous inflate's output: the next one's output buffer (see inflateChunkSize). */
  private lastInflatedSize = 0;

  constructor(options: DeflateCodecOptions) {
    const p = options.params;
    this.params = p;
    this.maxMessageSize = options.maxMessageSize;
    const server = options.role === 'server';
    this.outBits = server ? p.serverMaxWindowBits : p.clientMaxWindowBits;
    this.inBits = server ? p.clientMaxWindowBits : p.serverMaxWindowBits;
    this.outTakeover = !(server ? p.serverNoContextTakeover : p.clientNoContextTakeover);
    this.inTakeover = !(server ? p.clientNoContextTakeover : p.serverNoContextTakeover);
    this.outHistory = this.outTakeover ? new History(1 << this.outBits) : null;
    this.inHistory = this.inTakeover ? new History(1 << this.inBits) : null;
    this.level = options.level ?? constants.Z_DEFAULT_COMPRESSION;
    this.memLevel = options.memLevel ?? 8;
    this.limiter = options.limiter ?? new ZlibLimiter();
  }

  /** Bytes of history held for context takeover (both directions). */
  get historyBytes(): number {
    return (this.outHistory?.bytes.length ?? 0) + (this.inHistory?.bytes.length ?? 0);
  }

  private deflateOptions(): ZlibOptions {
    const opts: ZlibOptions = {
      finishFlush: constants.Z_SYNC_FLUSH,
      // zlib has no 8-bit raw deflater (it would use 9); negotiation never lets a peer force 8 on us.
      windowBits: Math.max(9, this.outBits),
      level: this.level,
      memLevel: this.memLevel,
    };
    const history = this.outHistory?.bytes;
    if (history && history.length > 0) opts.dictionary = history;
    return opts;
  }

  private inflateOptions(chunkSize?: number): ZlibOptions {
    const opts: ZlibOptions = {
      ...(chunkSize === undefined ? {} : { chunkSize }),
      finishFlush: constants.Z_SYNC_FLUSH,
      windowBits: this.inBits,
      // One byte over the limit is enough to know the message is too big; zlib stops there.
      maxOutputLength: this.maxMessageSize + 1,
    };
    const history = this.inHistory?.bytes;
    if (history && history.length > 0) opts.dictionary = history;
    return opts;
  }

  private finishCompress(data: Buffer, out: Buffer): Buffer {
    // Z_SYNC_FLUSH output always ends with the empty stored block 00 00 ff ff.
    let body = out.length >= 4 && out.subarray(out.length - 4).equals(TAIL) ? out.subarray(0, out.length - 4) : out;
    if (body.length === 0) body = EMPTY_BLOCK;
    this.messagesCompressed++;
    this.bytesBeforeCompression += data.length;
    this.bytesAfterCompression += body.length;
    return body;
  }

  private finishInflate(compressed: Buffer, out: Buffer): Buffer {
    if (out.length > this.maxMessageSize) throw this.tooBig();
    this.inHistory?.append(out);
    this.messagesDecompressed++;
    this.bytesBeforeInflation += compressed.length;
    this.inflatedBytes += out.length;
    if (out.length > this.largestInflatedMessage) this.largestInflatedMessage = out.length;
    return out;
  }

  private tooBig(): ProtocolError {
    this.inflateLimitHits++;
    return new ProtocolError(
      'WS_ERR_INFLATED_MESSAGE_TOO_BIG',
      `compressed message inflates past the limit of ${this.maxMessageSize} bytes`,
    );
  }

  private inflateError(err: unknown): ProtocolError {
    if (err instanceof ProtocolError) return err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') return this.tooBig();
    return new ProtocolError('WS_ERR_INVALID_COMPRESSED_DATA', `invalid compressed data: ${e.message}`);
  }

  /** Compresses one message synchronously (the history is updated at once). */
  compressSync(data: Buffer): Buffer {
    const out = deflateRawSync(data, this.deflateOptions());
    this.outHistory?.append(data);
    return this.finishCompress(data, out);
  }

  /**
   * What decides compressSync's output: two codecs with equal keys, each fresh, compress the same
   * sequence of messages to the same bytes (zlib is deterministic for equal input and settings).
   */
  get compressionKey(): string {
    const takeover = this.outTakeover ? 'takeover' : 'no takeover';
    return `level ${this.level}, memLevel ${this.memLevel}, window ${this.outBits}, ${takeover}`;
  }

  /**
   * Takes `compressed` in place of compressing `data`: it must be what compressSync returned for `data`
   * in a codec with the same compressionKey that had compressed the same messages before it. The
   * history and the counters move on exactly as compressSync would have moved them.
   */
  reuseCompressed(data: Buffer, compressed: Buffer): Buffer {
    this.outHistory?.append(data);
    this.messagesCompressed++;
    this.bytesBeforeCompression += data.length;
    this.bytesAfterCompression += compressed.length;
    return compressed;
  }

  /**
   * Compresses one message in the thread pool. The history is updated when the call is made, so
   * several compressions of one connection may run at once and still chain correctly; the caller
   * sends the results in call order.
   */
  compress(data: Buffer): Promise<Buffer> {
    const opts = this.deflateOptions();
    this.outHistory?.append(data);
    return this.limiter.run(() => callAsync(deflateRaw, data, opts)).then((out) => this.finishCompress(data, out));
  }

  /**
   * Inflates one whole compressed message synchronously; throws ProtocolError 1009 or 1007. Its output
   * buffer is at least the size of the previous message's output: a peer that echoes or repeats messages
   * of one size (groups 12 and 13) is inflated into one buffer in one zlib call; a larger one takes more.
   */
  decompressSync(compressed: Buffer): Buffer {
    let out: Buffer;
    try {
      out = inflateRawSync(this.withTail(compressed), this.inflateOptions(this.inflateChunkSize()));
    } catch (err) {
      throw this.inflateError(err);
    }
    this.lastInflatedSize = out.length;
    return this.finishInflate(compressed, out);
  }

  private inflateChunkSize(): number {
    // One octet over the expected size, so an output of exactly that size ends the call in one buffer.
    return Math.min(Math.max(this.lastInflatedSize + 1, DEFAULT_CHUNK), this.maxMessageSize + 1);
  }

  /** The compressed message followed by 00 00 ff ff (§7.2.2), in the reused scratch buffer when it fits. */
  private withTail(compressed: Buffer): Buffer {
    const size = compressed.length + TAIL.length;
    if (size > SCRATCH_LIMIT) return Buffer.concat([compressed, TAIL], size);
    if (this.scratch.length < size)
      this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_LIMIT, Math.max(size, 2 * this.scratch.length)));
    compressed.copy(this.scratch, 0);
    TAIL.copy(this.scratch, compressed.length);
    return this.scratch.subarray(0, size);
  }

  /** Inflates one whole compressed message in the thread pool, after the previous ones; rejects with ProtocolError. */
  decompress(compressed: Buffer): Promise<Buffer> {
    const job = this.inflateChain.then(() =>
      this.limiter
        .run(() => callAsync(inflateRaw, Buffer.concat([compressed, TAIL]), this.inflateOptions()))
        .then(
          (out) => this.finishInflate(compressed, out),
          (err: unknown) => {
            throw this.inflateError(err);
          },
        ),
    );
    this.inflateChain = job.catch(() => undefined);
    return job;
  }
}
