import { ProtocolError } from './errors.js';
import { applyMask } from './mask.js';
import type { MaskArena } from './mask-arena.js';
import { opcodeIsControl, opcodeIsKnown } from './opcodes.js';

export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  /** The 4 mask bytes when masked (a copy, safe to keep). */
  mask: Buffer | null;
  payloadLength: number;
  /** Octets of header on the wire (2–14). */
  headerLength: number;
}

/**
 * Receives a decoded stream. Payload arrives in order, already unmasked, possibly in several pieces for
 * one frame (as TCP delivers it), so a huge frame is never buffered here and a consumer can validate as
 * bytes arrive. Zero-length payloads produce no `onFramePayload` call. Returning a ProtocolError from
 * any callback fails the stream.
 */
export interface FrameSink {
  onFrameHeader(header: FrameHeader): ProtocolError | void;
  onFramePayload(data: Buffer, header: FrameHeader): ProtocolError | void;
  onFrameEnd(header: FrameHeader): ProtocolError | void;
}

export interface FrameDecoderOptions {
  /** The endpoint that decodes: a server requires masked frames, a client requires unmasked ones. */
  role: 'server' | 'client';
  /** Largest payload a single frame may declare; larger → 1009, detected from the header. */
  maxPayloadLength?: number;
  /** RSV bits a negotiated extension gives meaning to: 4 = RSV1, 2 = RSV2, 1 = RSV3. */
  allowedRsv?: number;
  /** Unmask payloads in place (default true). */
  unmask?: boolean;
  /**
   * The read buffer the caller pushes views of, when it is a mask arena: payload lying in it is unmasked
   * there with SIMD. Held for the decoder's lifetime, never beyond.
   */
  arena?: MaskArena | null | undefined;
  /**
   * Reject lengths not in the shortest form (RFC 6455 §5.2 says MUST use it). Off by default: our server
   * accepts them, as ws and uWS do; the fuzzing client turns it on, as Autobahn's does.
   */
  requireMinimalLength?: boolean;
}

const STATE_HEADER = 0;
const STATE_PAYLOAD = 1;
const MAX_HEADER = 14;

/**
 * Streaming RFC 6455 frame decoder: bytes in any chopping, frames out through a FrameSink. It enforces
 * the frame-level rules (RSV bits, reserved opcodes, control frames final and ≤ 125 bytes, masking by
 * role, 64-bit length MSB, size limit) as soon as the offending header byte arrives. After an error it is
 * dead: every later push returns the same error and touches nothing.
 */
export class FrameDecoder {
  private readonly sink: FrameSink;
  private readonly expectMasked: boolean;
  private readonly maxPayloadLength: number;
  private readonly allowedRsv: number;
  private readonly unmask: boolean;
  private readonly requireMinimalLength: boolean;
  private readonly arena: MaskArena | null;

  private state = STATE_HEADER;
  private readonly header = Buffer.alloc(MAX_HEADER);
  private headerHave = 0;
  private headerNeed = 2;
  private lengthBytes = 0;
  private lengthChecked = false;
  private current: FrameHeader | null = null;
  private remaining = 0;
  private phase = 0;
  private failure: ProtocolError | null = null;
  private stopped = false;

  /** Total octets consumed, for statistics. */
  bytesDecoded = 0;
  framesDecoded = 0;

  constructor(options: FrameDecoderOptions, sink: FrameSink) {
    this.sink = sink;
    this.expectMasked = options.role === 'server';
    this.maxPayloadLength = options.maxPayloadLength ?? Number.MAX_SAFE_INTEGER;
    this.allowedRsv = options.allowedRsv ?? 0;
    this.unmask = options.unmask ?? true;
    this.requireMinimalLength = options.requireMinimalLength ?? false;
    this.arena = options.arena ?? null;
  }

  get error(): ProtocolError | null {
    return this.failure;
  }

  /** Header bytes held while waiting for the rest of a header (never more than 14). */
  get bufferedBytes(): number {
    return this.headerHave;
  }

  /** True between frames (no partial header or payload pending). */
  get atFrameBoundary(): boolean {
    return this.state === STATE_HEADER && this.headerHave === 0;
  }

  /** Stops decoding with the given error (used by the sink's owner when it fails the stream itself). */
  fail(error: ProtocolError): ProtocolError {
    if (!this.failure) this.failure = error;
    return this.failure;
  }

  /**
   * Stops decoding without an error: the rest of the current chunk and every later push are ignored,
   * not even unmasked. Used after a Close frame, after which nothing more may be read (RFC 6455 §5.5.1).
   */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): ProtocolError | null {
    if (this.failure || this.stopped) return this.failure;
    const length = chunk.length;
    let pos = 0;
    while (pos < length && !this.stopped) {
      if (this.state === STATE_PAYLOAD) {
        const header = this.current!;
        const take = Math.min(this.remaining, length - pos);
        const data = chunk.subarray(pos, pos + take);
        if (header.mask && this.unmask) {
          // A read buffer that is a mask arena is unmasked with SIMD; anything else with the JS loop.
          const arena = this.arena;
          if (arena === null || !arena.unmask(data, header.mask, this.phase)) applyMask(data, header.mask, this.phase);
          this.phase = (this.phase + take) & 3;
        }
        pos += take;
        this.bytesDecoded += take;
        this.remaining -= take;
        const err = this.sink.onFramePayload(data, header);
        if (err) return this.fail(err);
        if (this.failure) return this.failure;
        if (this.remaining === 0) {
          const endErr = this.endFrame(header);
          if (endErr) return endErr;
        }
        continue;
      }
      // Gather header bytes; at most 14, so copying them is cheap and keeps one code path for any chopping.
      const take = Math.min(this.headerNeed - this.headerHave, length - pos);
      chunk.copy(this.header, this.headerHave, pos, pos + take);
      this.headerHave += take;
      pos += take;
      this.bytesDecoded += take;
      if (this.headerHave === 2 && this.headerNeed === 2) {
        const err = this.checkFirstTwoBytes();
        if (err) return this.fail(err);
        // No `continue` here: a 7-bit length is complete now and must be checked even if the chunk ends
        // before the mask key (the rest of the header is picked up by the next loop turn).
      }
      if (!this.lengthChecked && this.headerHave >= 2 + this.lengthBytes) {
        const err = this.checkLength();
        if (err) return this.fail(err);
      }
      if (this.headerHave === this.headerNeed) {
        const err = this.startFrame();
        if (err) return err;
      }
    }
    return null;
  }

  private checkFirstTwoBytes(): ProtocolError | null {
    const b0 = this.header[0]!;
    const b1 = this.header[1]!;
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >> 4) & 0x7;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const unexpectedRsv = rsv & ~this.allowedRsv;
    if (unexpectedRsv !== 0) {
      const code = (unexpectedRsv & 0x4) !== 0 ? 'WS_ERR_UNEXPECTED_RSV_1' : 'WS_ERR_UNEXPECTED_RSV_2_3';
      return new ProtocolError(
        code,
        `RSV bits ${rsv.toString(2).padStart(3, '0')} set without an extension that defines them`,
      );
    }
    if (!opcodeIsKnown(opcode))
      return new ProtocolError('WS_ERR_INVALID_OPCODE', `reserved opcode 0x${opcode.toString(16)}`);
    if (opcodeIsControl(opcode)) {
      if (!fin) return new ProtocolError('WS_ERR_EXPECTED_FIN', 'fragmented control frame');
      if (len7 > 125)
        return new ProtocolError('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 'control frame payload over 125 bytes');
    }
    if (masked !== this.expectMasked) {
      return this.expectMasked
        ? new ProtocolError('WS_ERR_EXPECTED_MASK', 'unmasked frame from a client')
        : new ProtocolError('WS_ERR_UNEXPECTED_MASK', 'masked frame from a server');
    }
    this.lengthBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    this.lengthChecked = false;
    this.headerNeed = 2 + this.lengthBytes + (masked ? 4 : 0);
    return null;
  }

  private checkLength(): ProtocolError | null {
    this.lengthChecked = true;
    const h = this.header;
    let payloadLength: number;
    if (this.lengthBytes === 0) {
      payloadLength = h[1]! & 0x7f;
    } else if (this.lengthBytes === 2) {
      payloadLength = h.readUInt16BE(2);
    } else {
      const high = h.readUInt32BE(2);
      if (high & 0x80000000)
        return new ProtocolError(
          'WS_ERR_INVALID_PAYLOAD_LENGTH',
          '64-bit payload length with the most significant bit set',
        );
      // Beyond 2^53 a number loses precision; such a frame is over any limit anyway.
      if (high >= 0x200000)
        return new ProtocolError('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH', 'frame payload length exceeds 2^53');
      payloadLength = high * 0x100000000 + h.readUInt32BE(6);
    }
    if (
      this.requireMinimalLength &&
      (this.lengthBytes === 2 ? payloadLength < 126 : this.lengthBytes === 8 && payloadLength < 0x10000)
    ) {
      return new ProtocolError(
        'WS_ERR_NON_MINIMAL_PAYLOAD_LENGTH',
        `payload length ${payloadLength} not in its minimal encoding`,
      );
    }
    if (payloadLength > this.maxPayloadLength) {
      return new ProtocolError(
        'WS_ERR_FRAME_TOO_BIG',
        `frame of ${payloadLength} bytes exceeds the limit of ${this.maxPayloadLength}`,
      );
    }
    this.remaining = payloadLength;
    return null;
  }

  private startFrame(): ProtocolError | null {
    const h = this.header;
    const b0 = h[0]!;
    const masked = (h[1]! & 0x80) !== 0;
    const header: FrameHeader = {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      mask: masked ? Buffer.from(h.subarray(this.headerNeed - 4, this.headerNeed)) : null,
      payloadLength: this.remaining,
      headerLength: this.headerNeed,
    };
    this.current = header;
    this.phase = 0;
    this.headerHave = 0;
    this.headerNeed = 2;
    const err = this.sink.onFrameHeader(header);
    if (err) return this.fail(err);
    if (this.failure) return this.failure;
    if (header.payloadLength === 0) return this.endFrame(header);
    this.state = STATE_PAYLOAD;
    return null;
  }

  private endFrame(header: FrameHeader): ProtocolError | null {
    this.state = STATE_HEADER;
    this.current = null;
    this.framesDecoded++;
    const err = this.sink.onFrameEnd(header);
    if (err) return this.fail(err);
    return this.failure;
  }
}

/** A whole frame, for consumers that want frames rather than streamed payload (tests, the fuzzing client). */
export interface Frame extends FrameHeader {
  payload: Buffer;
}

/**
 * Decodes into whole frames (payload collected, bounded by the decoder's maxPayloadLength).
 * `push` returns the frames completed by this chunk; `error` reports a violation.
 */
export class FrameCollector implements FrameSink {
  readonly decoder: FrameDecoder;
  private parts: Buffer[] = [];
  private completed: Frame[] = [];

  constructor(options: FrameDecoderOptions) {
    this.decoder = new FrameDecoder(options, this);
  }

  push(chunk: Buffer): { frames: Frame[]; error: ProtocolError | null } {
    const error = this.decoder.push(chunk);
    const frames = this.completed;
    this.completed = [];
    return { frames, error };
  }

  onFrameHeader(): void {
    this.parts = [];
  }

  onFramePayload(data: Buffer): void {
    this.parts.push(data);
  }

  onFrameEnd(header: FrameHeader): void {
    const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.completed.push({ ...header, payload });
  }
}

/** Decodes a complete byte string into frames; throws the ProtocolError if it is invalid. */
export function decodeFrames(bytes: Buffer, options: FrameDecoderOptions): Frame[] {
  const collector = new FrameCollector(options);
  const { frames, error } = collector.push(bytes);
  if (error) throw error;
  return frames;
}
