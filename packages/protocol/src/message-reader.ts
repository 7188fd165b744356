import { parseClosePayload } from './close.js';
import { ProtocolError } from './errors.js';
import { FrameDecoder, type FrameHeader, type FrameSink } from './frame-decoder.js';
import type { MaskArena } from './mask-arena.js';
import { Opcode } from './opcodes.js';
import { Utf8Validator } from './utf8.js';

export interface MessageHandler {
  /**
   * A complete message. `compressed` is true when permessage-deflate is on and the message's first frame
   * had RSV1 set: `data` is then the compressed payload (not UTF-8-checked yet; the owner inflates it).
   */
  onMessage(data: Buffer, binary: boolean, compressed?: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** A Close frame, already validated; code is null for an empty payload. */
  onClose(code: number | null, reason: string): void;
}

export interface MessageReaderOptions {
  role: 'server' | 'client';
  /** Largest message (sum of its fragments); larger → 1009. Default 32 MiB. */
  maxMessageSize?: number;
  /**
   * Least a fragment after a message's first is charged against maxMessageSize (its payload when larger),
   * so a flood of tiny or empty fragments is bounded by real memory, not just payload bytes (ws
   * CVE-2026-48779). Charged per frame, never per TCP read. Over the limit → 1008.
   */
  partOverhead?: number;
  /** RSV bits an extension gives meaning to (4 = RSV1). */
  allowedRsv?: number;
  /** Reject non-minimal length encodings (see FrameDecoderOptions). */
  requireMinimalLength?: boolean;
  /**
   * permessage-deflate was negotiated (RFC 7692 §6.1): RSV1 marks a compressed message and is allowed
   * only on the first frame of a data message; on a control frame or a continuation frame it is a
   * protocol error (1002). Without it any RSV1 is a protocol error.
   */
  perMessageDeflate?: boolean;
  /** Sees every frame before the reader handles it (wire logs, statistics); its return values are ignored. */
  observer?: FrameObserver;
  /**
   * The caller reuses each chunk's memory once `push` returns (one read buffer for every socket). The
   * reader then keeps copies instead of views: payload goes into blocks it owns, and every message or
   * control payload it hands out is its own memory. Off: messages may be views of the pushed chunks.
   */
  transientInput?: boolean;
  /** The read buffer pushed chunks are views of, when it is a mask arena (see FrameDecoderOptions). */
  arena?: MaskArena | null | undefined;
}

export interface FrameObserver {
  onFrameHeader?(header: FrameHeader): void;
  onFramePayload?(data: Buffer, header: FrameHeader): void;
  onFrameEnd?(header: FrameHeader): void;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024;
export const DEFAULT_PART_OVERHEAD = 128;
/** Smallest room a new payload block gets beyond the bytes that asked for it (transientInput). */
const MIN_BLOCK_ROOM = 64 * 1024;
/** transientInput: reads up to this size are copied whole rather than message by message. */
const WHOLE_COPY_MAX = 64 * 1024;
/** Below this, a direct read into the payload block is not worth a read of its own. */
const MIN_DIRECT_READ = 16 * 1024;
/**
 * A piece of payload smaller than this that is not the start of its message is copied into a payload
 * block rather than kept as a view: a frame trickled in tiny reads, or tiny fragments, then cost a few
 * blocks instead of one Buffer each, so retained memory follows payload bytes, not the number of reads.
 */
const MIN_VIEW_PIECE = 16 * 1024;

/**
 * Sans-I/O receive side of a WebSocket endpoint: bytes in, messages and control frames out. On top of the
 * frame rules it enforces the message rules: a continuation needs an open message, a new data frame may
 * not start inside one, text must be UTF-8 (checked as bytes arrive, so an invalid fragment fails before
 * the message ends), the message and its retained parts stay under the limit, and Close payloads are
 * valid. After a Close frame or an error it ignores further input.
 */
export class MessageReader implements FrameSink {
  private readonly decoder: FrameDecoder;
  private readonly handler: MessageHandler;
  private readonly maxMessageSize: number;
  private readonly partOverhead: number;
  private readonly utf8 = new Utf8Validator();

  /** Opcode of the message being assembled (Text/Binary), or -1 between messages. */
  private messageOpcode = -1;
  /** The message being assembled is compressed (RSV1 on its first frame). */
  private compressed = false;
  private readonly deflate: boolean;
  private parts: Buffer[] = [];
  private messageBytes = 0;
  private partCount = 0;
  /**
   * Bytes charged against maxMessageSize for the message's frames: payload, at least partOverhead each after the first.
   */
  private charged = 0;
  /** Largest buffer this reader allocated (message reassembly); never sized by a declared length. */
  private largest = 0;
  private control: Buffer[] = [];
  private closeReceived = false;
  private readonly observer: FrameObserver | undefined;
  private readonly transient: boolean;
  /** transientInput: the block receiving copies of the message's payload, and how much of it is used. */
  private block: Buffer | null = null;
  private blockUsed = 0;
  /** Bytes of room the last closed block never used. */
  private unusedRoom = 0;
  /** Payload bytes of the current frame seen so far. */
  private frameReceived = 0;
  /** transientInput: the chunk being pushed is the reader's own copy, so views of it may be kept. */
  private inputOwned = false;
  /** Payload bytes the current data frame still has to bring (0 outside a data frame's payload). */
  private dataFrameLeft = 0;

  constructor(options: MessageReaderOptions, handler: MessageHandler) {
    this.handler = handler;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.partOverhead = options.partOverhead ?? DEFAULT_PART_OVERHEAD;
    this.observer = options.observer;
    this.deflate = options.perMessageDeflate ?? false;
    this.transient = options.transientInput ?? false;
    this.decoder = new FrameDecoder(
      {
        role: options.role,
        // Control frames (≤ 125 bytes) do not count toward the message size.
        maxPayloadLength: Math.max(this.maxMessageSize, 125),
        allowedRsv: (options.allowedRsv ?? 0) | (this.deflate ? 4 : 0),
        requireMinimalLength: options.requireMinimalLength ?? false,
        arena: options.arena,
      },
      this,
    );
  }

  /** Feeds bytes; handler callbacks run synchronously. Returns the first protocol error, once and for good. */
  push(chunk: Buffer): ProtocolError | null {
    if (this.closeReceived) return this.decoder.error;
    if (!this.transient) return this.decoder.push(chunk);
    const block = this.block;
    const direct =
      block !== null && chunk.buffer === block.buffer && chunk.byteOffset === block.byteOffset + this.blockUsed;
    if (direct || chunk.length > WHOLE_COPY_MAX) return this.decoder.push(chunk);
    // A small read is copied whole, once: its messages are views of the copy (one allocation per read,
    // as with node's own reads) instead of one copy each, which cost small-message echo about 10 %.
    this.inputOwned = true;
    try {
      return this.decoder.push(Buffer.from(chunk));
    } finally {
      this.inputOwned = false;
    }
  }

  get error(): ProtocolError | null {
    return this.decoder.error;
  }

  /** A Close frame has been received; later bytes are ignored. */
  get closed(): boolean {
    return this.closeReceived;
  }

  /** Largest single buffer the reader allocated so far (0 while it only kept slices of the input). */
  get largestAllocation(): number {
    return this.largest;
  }

  /** Payload bytes of the message being assembled. */
  get retainedMessageBytes(): number {
    return this.messageBytes;
  }

  /** Buffers the message being assembled holds (its parts and the open payload block). */
  get retainedParts(): number {
    return this.parts.length + (this.block === null ? 0 : 1);
  }

  /** Partial header bytes held by the decoder. */
  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  onFrameHeader(header: FrameHeader): ProtocolError | void {
    this.observer?.onFrameHeader?.(header);
    this.frameReceived = 0;
    this.dataFrameLeft = 0;
    const opcode = header.opcode;
    if (opcode >= Opcode.Close) {
      if (header.rsv1 && this.deflate)
        return new ProtocolError('WS_ERR_UNEXPECTED_RSV_1', 'RSV1 set on a control frame');
      this.control = [];
      return;
    }
    if (opcode === Opcode.Continuation) {
      if (this.messageOpcode < 0)
        return new ProtocolError('WS_ERR_UNEXPECTED_CONTINUATION', 'continuation frame with no message to continue');
      if (header.rsv1 && this.deflate)
        return new ProtocolError('WS_ERR_UNEXPECTED_RSV_1', 'RSV1 set on a continuation frame');
    } else {
      if (this.messageOpcode >= 0)
        return new ProtocolError('WS_ERR_EXPECTED_CONTINUATION', 'new data frame inside a fragmented message');
      this.messageOpcode = opcode;
      this.messageBytes = 0;
      this.partCount = 0;
      this.charged = 0;
      this.compressed = header.rsv1 && this.deflate;
      if (opcode === Opcode.Text) this.utf8.reset();
    }
    if (this.messageBytes + header.payloadLength > this.maxMessageSize) {
      return new ProtocolError('WS_ERR_MESSAGE_TOO_BIG', `message would exceed ${this.maxMessageSize} bytes`);
    }
    // Every further frame costs memory even when empty: charge it before any of its payload is kept, at
    // least partOverhead. The first frame is charged its payload only, and a frame's TCP pieces are never
    // charged, so a message of exactly maxMessageSize passes however it is fragmented into large frames
    // and however TCP splits them.
    const charge = this.partCount === 0 ? header.payloadLength : Math.max(header.payloadLength, this.partOverhead);
    this.partCount++;
    this.dataFrameLeft = header.payloadLength;
    if (this.charged + charge > this.maxMessageSize) {
      return new ProtocolError('WS_ERR_TOO_MANY_PARTS', `message retains too many parts (${this.partCount})`);
    }
    this.charged += charge;
  }

  onFramePayload(data: Buffer, header: FrameHeader): ProtocolError | void {
    this.observer?.onFramePayload?.(data, header);
    this.frameReceived += data.length;
    if (header.opcode >= Opcode.Close) {
      this.control.push(this.transient && !this.inputOwned ? Buffer.from(data) : data);
      return;
    }
    if (this.messageOpcode === Opcode.Text && !this.compressed && !this.utf8.push(data)) {
      return new ProtocolError('WS_ERR_INVALID_UTF8', 'text message is not valid UTF-8');
    }
    this.messageBytes += data.length;
    this.dataFrameLeft -= data.length;
    if (this.transient && !this.inputOwned) this.keepCopy(data, header);
    else if (data.length < MIN_VIEW_PIECE && (this.parts.length !== 0 || this.block !== null))
      this.keepCopy(data, header);
    else {
      if (this.block !== null) this.closeBlock(); // keep the parts in wire order
      this.parts.push(data);
    }
  }

  onFrameEnd(header: FrameHeader): ProtocolError | void {
    this.observer?.onFrameEnd?.(header);
    const opcode = header.opcode;
    if (opcode >= Opcode.Close) return this.controlFrame(opcode);
    if (!header.fin) return;
    const binary = this.messageOpcode === Opcode.Binary;
    const compressed = this.compressed;
    if (!binary && !compressed && !this.utf8.end())
      return new ProtocolError('WS_ERR_INVALID_UTF8', 'text message ends inside a UTF-8 sequence');
    const parts = this.parts;
    if (this.block !== null) this.closeBlock();
    if (parts.length > 1) this.largest = Math.max(this.largest, this.messageBytes);
    let data = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts, this.messageBytes);
    // A fragmented message can end well short of the room its only block got: hand out a tight copy.
    if (parts.length === 1 && this.unusedRoom > Math.max(data.length, 4096)) data = Buffer.from(data);
    this.unusedRoom = 0;
    this.parts = [];
    this.messageOpcode = -1;
    this.messageBytes = 0;
    this.partCount = 0;
    this.charged = 0;
    this.compressed = false;
    if (compressed) this.handler.onMessage(data, binary, true);
    else this.handler.onMessage(data, binary);
  }

  /**
   * Copies a payload piece into owned blocks. A new block gets room beyond the piece for the bytes still
   * to come, but never more than the peer has already sent of the message (or 64 KiB), so a declared
   * length alone never sizes an allocation; in a final frame, never more than the frame still declares.
   * A 1 MiB frame read in two halves thus lands in one block that becomes the message without a concat.
   */
  private keepCopy(data: Buffer, header: FrameHeader): void {
    let from = 0;
    const block = this.block;
    if (block !== null) {
      // Read straight into the block (directReadTarget): the bytes are already in place.
      if (
        data.buffer === block.buffer &&
        data.byteOffset === block.byteOffset + this.blockUsed &&
        data.length <= block.length - this.blockUsed
      ) {
        this.blockUsed += data.length;
        return;
      }
      from = Math.min(block.length - this.blockUsed, data.length);
      data.copy(block, this.blockUsed, 0, from);
      this.blockUsed += from;
      if (from === data.length) return;
      this.closeBlock();
    }
    const rest = data.length - from;
    let room = Math.min(Math.max(this.messageBytes, MIN_BLOCK_ROOM), this.maxMessageSize - this.messageBytes);
    if (header.fin) room = Math.min(room, header.payloadLength - this.frameReceived);
    const next = Buffer.allocUnsafe(rest + Math.max(room, 0));
    data.copy(next, 0, from);
    this.block = next;
    this.blockUsed = rest;
    this.largest = Math.max(this.largest, next.length);
  }

  /**
   * transientInput: where the next socket read may land directly, so a large frame's payload skips the
   * copy out of the shared read buffer: the payload block's free room, at most what the current frame
   * still declares (so the read cannot reach into the next frame). Null when no frame payload is pending
   * or the room is too small to be worth it.
   */
  get directReadTarget(): Buffer | null {
    const block = this.block;
    if (block === null) return null;
    const room = Math.min(block.length - this.blockUsed, this.dataFrameLeft);
    return room >= MIN_DIRECT_READ ? block.subarray(this.blockUsed, this.blockUsed + room) : null;
  }

  /** Moves the current block (its used part) to the message's parts. */
  private closeBlock(): void {
    const block = this.block!;
    this.unusedRoom = block.length - this.blockUsed;
    this.parts.push(this.blockUsed === block.length ? block : block.subarray(0, this.blockUsed));
    this.block = null;
    this.blockUsed = 0;
  }

  private controlFrame(opcode: number): ProtocolError | void {
    const parts = this.control;
    const payload = parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts);
    this.control = [];
    if (opcode === Opcode.Ping) {
      this.handler.onPing(payload);
      return;
    }
    if (opcode === Opcode.Pong) {
      this.handler.onPong(payload);
      return;
    }
    const close = parseClosePayload(payload);
    if (close instanceof ProtocolError) return close;
    this.closeReceived = true;
    this.decoder.stop();
    this.handler.onClose(close.code, close.reason);
  }
}

const EMPTY = Buffer.alloc(0);
