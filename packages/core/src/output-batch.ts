/**
 * The frames a connection produces while handling one read (echoes, pongs, its Close), written together:
 * few write calls, since each is a syscall and a round through the socket's machinery.
 */
import { encodeFrameHeader } from '@wsmatrix/protocol';

/** Output batches up to this size are copied into one buffer and written with one call. */
const COALESCE_LIMIT = 64 * 1024;
/** Parts at least this big are written by reference (inside cork/uncork) instead of copied. */
const BY_REFERENCE = 16 * 1024;

/** What a batch is written to: a socket. */
export interface BatchTarget {
  readonly destroyed: boolean;
  readonly writableLength: number;
  write(data: Buffer): unknown;
  cork(): void;
  uncork(): void;
}

/** The parts of one unmasked frame: its header, and its payload unless empty. */
export function frameParts(opcode: number, payload: Buffer): Buffer[] {
  const header = encodeFrameHeader({ opcode, payloadLength: payload.length });
  return payload.length === 0 ? [header] : [header, payload];
}

export class OutputBatch {
  /** Bytes in the batch. */
  bytes = 0;
  /** Write calls made (ConnectionCounters.writes). */
  writes = 0;
  /** Largest `target.writableLength` seen right after a flush. */
  peakQueuedBytes = 0;
  private parts: Buffer[] = [];

  push(part: Buffer): void {
    this.parts.push(part);
    this.bytes += part.length;
  }

  /** Adds one unmasked frame (as frameParts, without building the array: this is the echo path). */
  pushFrame(opcode: number, payload: Buffer): void {
    this.push(encodeFrameHeader({ opcode, payloadLength: payload.length }));
    if (payload.length !== 0) this.push(payload);
  }

  /** Forgets the batch (the socket closed). */
  clear(): void {
    this.parts = [];
    this.bytes = 0;
  }

  /** Empties the batch into `target`; `discard`: nothing may be written any more (the socket is ended). */
  flush(target: BatchTarget, discard: boolean): void {
    const parts = this.parts;
    if (parts.length === 0) return;
    const bytes = this.bytes;
    // Empty it first: the writes below may re-enter (a 'drain' handler sending more).
    this.clear();
    if (discard || target.destroyed) return;
    this.writes += writeBatch(target, parts, bytes);
    const queued = target.writableLength;
    if (queued > this.peakQueuedBytes) this.peakQueuedBytes = queued;
  }
}

/**
 * Writes `parts` (`bytes` in all) with as few calls as copying allows: one copied buffer up to
 * COALESCE_LIMIT; beyond it, inside cork/uncork, large parts by reference and runs of small ones (frame
 * headers, small payloads) copied together. Returns the number of write calls made.
 */
export function writeBatch(
  target: Pick<BatchTarget, 'write' | 'cork' | 'uncork'>,
  parts: readonly Buffer[],
  bytes: number,
): number {
  const count = parts.length;
  if (count === 0) return 0;
  if (count === 1) {
    target.write(parts[0]!);
    return 1;
  }
  if (bytes <= COALESCE_LIMIT) {
    target.write(concat(parts, 0, count, bytes));
    return 1;
  }
  let writes = 0;
  target.cork();
  let i = 0;
  while (i < count) {
    const part = parts[i]!;
    if (part.length >= BY_REFERENCE) {
      target.write(part);
      writes++;
      i++;
      continue;
    }
    let j = i + 1;
    let runBytes = part.length;
    while (j < count) {
      const next = parts[j]!;
      if (next.length >= BY_REFERENCE || runBytes + next.length > COALESCE_LIMIT) break;
      runBytes += next.length;
      j++;
    }
    target.write(j - i === 1 ? part : concat(parts, i, j, runBytes));
    writes++;
    i = j;
  }
  target.uncork();
  return writes;
}

function concat(parts: readonly Buffer[], from: number, to: number, total: number): Buffer {
  const buf = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let k = from; k < to; k++) {
    const part = parts[k]!;
    part.copy(buf, offset);
    offset += part.length;
  }
  return buf;
}
