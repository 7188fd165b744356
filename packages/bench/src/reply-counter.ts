/**
 * Counts echoed messages by walking frame headers only: payload bytes are skipped, never copied or
 * decoded, and one call handles a whole read chunk however many frames (or fractions of one) it holds.
 * Accepts masked frames too, because the raw-TCP baseline echoes the client's masked frames verbatim.
 */
import { Opcode } from '@wsmatrix/protocol';
import { RSV1 } from './frames.js';

export class ReplyCounter {
  /** Complete data messages seen (data frames with FIN). */
  messages = 0;
  /** Those of them whose first frame had RSV1 set: compressed, under permessage-deflate. */
  compressedMessages = 0;
  /** Payload bytes of data frames received, fragments included. */
  payloadBytes = 0;
  /** Close frames seen. */
  closeFrames = 0;

  /** Payload bytes of the current frame still to pass over. */
  private skip = 0;
  /** The current frame's opcode, and its FIN bit. */
  private opcode = 0;
  private fin = false;
  /** RSV1 of the current message's first frame (continuations and control frames leave it alone). */
  private messageCompressed = false;
  /** A header split across chunks is gathered here (at most 14 bytes). */
  private readonly head = Buffer.alloc(14);
  private headLength = 0;

  /** Walks bytes [start, end) of `chunk`; returns how many data messages were completed in them. */
  push(chunk: Uint8Array, start = 0, end = chunk.length): number {
    const before = this.messages;
    let pos = start;
    while (pos < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos);
        this.skip -= n;
        pos += n;
        if (this.opcode < 8) this.payloadBytes += n;
        if (this.skip === 0) this.endFrame();
        continue;
      }
      if (this.headLength === 0) {
        const size = headerSize(chunk, pos, end);
        if (size > 0 && end - pos >= size) {
          this.beginFrame(chunk, pos);
          pos += size;
          continue;
        }
      }
      pos = this.gatherHeader(chunk, pos, end);
    }
    return this.messages - before;
  }

  /** True between frames: nothing half-read. */
  get atFrameBoundary(): boolean {
    return this.skip === 0 && this.headLength === 0;
  }

  /** Copies header bytes into `head` until the header is whole; returns the new read position. */
  private gatherHeader(chunk: Uint8Array, pos: number, end: number): number {
    while (pos < end) {
      this.head[this.headLength++] = chunk[pos++]!;
      const size = this.headLength >= 2 ? headerSize(this.head, 0, this.headLength) : 0;
      if (size > 0 && this.headLength === size) {
        this.headLength = 0;
        this.beginFrame(this.head, 0);
        break;
      }
    }
    return pos;
  }

  private beginFrame(bytes: Uint8Array, at: number): void {
    const b0 = bytes[at]!;
    this.opcode = b0 & 0x0f;
    this.fin = (b0 & 0x80) !== 0;
    let length = bytes[at + 1]! & 0x7f;
    if (length === 126) length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    else if (length === 127) {
      length =
        (bytes[at + 2]! * 2 ** 24 + ((bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!)) * 2 ** 32 +
        (bytes[at + 6]! * 2 ** 24 + ((bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!));
    }
    // One bit test per frame header, nothing per payload byte: free for uncompressed jobs too.
    if (this.opcode !== Opcode.Continuation && this.opcode < 8) this.messageCompressed = (b0 & RSV1) !== 0;
    this.skip = length;
    if (length === 0) this.endFrame();
  }

  private endFrame(): void {
    if (this.opcode < 8 && this.fin) {
      this.messages++;
      if (this.messageCompressed) this.compressedMessages++;
    } else if (this.opcode === Opcode.Close) this.closeFrames++;
  }
}

/** Size of the frame header starting at `pos` (its first two bytes tell), or 0 when they are not there yet. */
export function headerSize(bytes: Uint8Array, pos: number, end: number): number {
  if (end - pos < 2) return 0;
  const b1 = bytes[pos + 1]!;
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}
