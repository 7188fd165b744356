/**
 * The compressed messages of groups 12 and 13, kept for the next case that sends the same ones. A case
 * sends messages cut one after another from a data set, so its compressed stream depends only on the data
 * set, the message length and the codec's compressionKey: 12.x.15-18 send 12.x.10's stream in other frame
 * sizes, 12.x.11-14 those of 12.x.6-9, and 13.x sends 12.1's JSON streams again under every offer whose
 * answer leaves the runner's own compression settings alike. The wire bytes are the same as compressing
 * afresh, so no verdict can change; only the runner's CPU does.
 *
 * Memory is bounded: whole streams are dropped, least recently used first, to stay within the budget, and
 * a stream that cannot grow within it stays the prefix it is (later messages are compressed as before).
 */
export class CompressedStreams {
  /** Stream key → its first messages, compressed; Map order is the order of last use. */
  private readonly streams = new Map<string, Buffer[]>();
  private held = 0;
  /** Messages served from a kept stream, and messages compressed afresh and offered to it. */
  hits = 0;
  misses = 0;

  constructor(public budgetBytes: number) {}

  /** Octets of compressed messages held. */
  get heldBytes(): number {
    return this.held;
  }

  /** Message `index` of the stream, when kept. */
  lookup(key: string, index: number): Buffer | null {
    const stream = this.streams.get(key);
    if (stream === undefined) return null;
    this.touch(key, stream);
    const message = stream[index];
    if (message === undefined) return null;
    this.hits++;
    return message;
  }

  /** Offers message `index` of the stream, just compressed; kept when it extends the stream within budget. */
  keep(key: string, index: number, compressed: Buffer): void {
    this.misses++;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      if (index !== 0) return;
      stream = [];
      this.streams.set(key, stream);
    }
    this.touch(key, stream);
    if (index !== stream.length || compressed.length > this.budgetBytes) return;
    for (const [other, messages] of this.streams) {
      if (this.held + compressed.length <= this.budgetBytes) break;
      if (other === key) continue;
      this.drop(other, messages);
    }
    if (this.held + compressed.length > this.budgetBytes) return;
    // A copy: zlib's output may be a view of a larger buffer, which the stream would otherwise hold.
    stream.push(Buffer.from(compressed));
    this.held += compressed.length;
  }

  /** Drops every stream (tests; a budget change). */
  clear(): void {
    this.streams.clear();
    this.held = 0;
  }

  private touch(key: string, stream: Buffer[]): void {
    this.streams.delete(key);
    this.streams.set(key, stream);
  }

  private drop(key: string, stream: Buffer[]): void {
    for (const m of stream) this.held -= m.length;
    this.streams.delete(key);
  }
}

/**
 * The runner's streams, shared by every case of the process. The budget holds the largest stream of a
 * group 12 subgroup (1000 messages of 131072 octets of a data set that barely compresses) beside smaller
 * ones, so that stream is compressed once for the five cases that send it.
 */
export const compressedStreams = new CompressedStreams(160 * 1024 * 1024);
