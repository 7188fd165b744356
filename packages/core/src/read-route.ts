/**
 * Where one socket's reads go on the 'shared-reads' and 'bare' layers (shared-reads.ts, raw-socket.ts), and
 * how much a read may bring. Its own module because both socket kinds and the connection use it, and
 * shared-reads.ts builds RawSockets: keeping it there made raw-socket.ts and shared-reads.ts import each other.
 */

/** The shared read buffer's size: the most one read may bring. */
export const SHARED_READ_BYTES = 1024 * 1024;
/** What node reads at a time without a user buffer; the smallest read we offer. */
export const MIN_READ_BYTES = 64 * 1024;

/** Where one socket's chunks go; the listener changes hands from the head reader to the connection. */
export class ReadRoute {
  listener: ((chunk: Buffer) => void) | null = null;
  /**
   * The most the next read may bring (MIN_READ_BYTES–SHARED_READ_BYTES). The connection lowers it while
   * output is queued, so one read cannot add more than node's 64 KiB to a queue over its high-water mark.
   */
  readBytes = MIN_READ_BYTES;
  /**
   * Where the next read lands instead of the shared buffer: the free room of a large frame's payload
   * block (MessageReader.directReadTarget), so those bytes are not copied again in user space. Null: shared.
   */
  direct: Buffer | null = null;
}
