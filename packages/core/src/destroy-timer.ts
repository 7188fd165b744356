/**
 * The deadline by which a closing connection's socket is destroyed whatever the peer does: after our Close
 * (closeTimeoutMs), after our FIN (closeLingerMs), or at server shutdown (the grace period). The earliest
 * deadline asked for wins.
 */
export class DestroyTimer {
  private timer: NodeJS.Timeout | null = null;
  private deadline = Infinity;

  constructor(private readonly socket: { destroy(): unknown }) {}

  /** Destroys the socket `ms` from now unless an earlier destroy is already scheduled. */
  arm(ms: number): void {
    const deadline = Date.now() + ms;
    if (deadline >= this.deadline) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.deadline = deadline;
    this.timer = setTimeout(() => this.socket.destroy(), ms);
    this.timer.unref();
  }

  /** The socket closed: nothing left to destroy. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
