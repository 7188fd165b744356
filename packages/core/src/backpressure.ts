/**
 * When a connection stops reading because its output is not leaving, and which pong it owes meanwhile.
 *
 * Reading pauses once queued output (written but not yet taken by the kernel, plus plaintext waiting for
 * compression) is over the high-water mark, and resumes once it is down to the low-water mark. Under
 * backpressure a ping is not answered at once: only the latest one is remembered (RFC 6455 §5.5.3 allows
 * answering only the most recent ping) and answered when there is room.
 *
 * Decisions only: the connection pauses and resumes the socket and writes the pong.
 */
export const Flow = {
  /** The socket is read. */
  Reading: 'reading',
  /** Reading is paused until queued output is down to the low-water mark. */
  Paused: 'paused',
} as const;
export type Flow = (typeof Flow)[keyof typeof Flow];

export class Backpressure {
  flow: Flow = Flow.Reading;
  /** Times reading was paused. */
  pauses = 0;
  /** Pongs replaced by a newer one while over the high-water mark. */
  pongsCoalesced = 0;
  private deferredPong: Buffer | null = null;

  constructor(
    private readonly highWaterMark: number,
    private readonly lowWaterMark: number,
  ) {}

  get paused(): boolean {
    return this.flow === Flow.Paused;
  }

  /** Reading → Paused when `queued` bytes are over the high-water mark; true when it paused now. */
  pauseIfOver(queued: number): boolean {
    if (this.flow === Flow.Paused || queued <= this.highWaterMark) return false;
    this.flow = Flow.Paused;
    this.pauses++;
    return true;
  }

  /** Paused → Reading when `queued` bytes are down to the low-water mark; true when it resumed now. */
  resumeIfDrained(queued: number): boolean {
    if (this.flow !== Flow.Paused || queued > this.lowWaterMark) return false;
    this.flow = Flow.Reading;
    return true;
  }

  /** Paused → Reading whatever is queued (the connection is ending); true when it was paused. */
  release(): boolean {
    if (this.flow !== Flow.Paused) return false;
    this.flow = Flow.Reading;
    return true;
  }

  /**
   * A ping arrived with `queued` bytes ahead of its pong: true to answer it now; false when it is over the
   * high-water mark, and then `data` is kept as the pong still owed, replacing an older one.
   */
  answerPingNow(queued: number, data: Buffer): boolean {
    if (queued <= this.highWaterMark) return true;
    if (this.deferredPong !== null) this.pongsCoalesced++;
    this.deferredPong = data;
    return false;
  }

  /** The pong still owed, once `queued` is at or below the high-water mark (it is then no longer owed). */
  takeDeferredPong(queued: number): Buffer | null {
    const payload = this.deferredPong;
    if (payload === null || queued > this.highWaterMark) return null;
    this.deferredPong = null;
    return payload;
  }

  /** Whether a pong is owed. */
  get pongOwed(): boolean {
    return this.deferredPong !== null;
  }

  /** Forgets the pong owed (a Close went out, or the socket closed). */
  dropDeferredPong(): void {
    this.deferredPong = null;
  }
}
