/**
 * The 101 check of the handshake loops, remembered: a server answers our fixed key with the same bytes
 * cycle after cycle (a Date header changes them at most once a second), so a head byte-equal to the
 * last one accepted is accepted again without parsing it or hashing the key anew. Any other head goes
 * through validateUpgradeResponse in full: nothing is checked less, a verdict is only reused for the
 * very bytes it was reached on.
 */
import { validateUpgradeResponse } from '../handshake.js';

export class UpgradeCheck {
  /** A copy of the last head found valid (status line to blank line), or undefined. */
  private accepted: Buffer | undefined;
  /** Full validations done (the rest were byte-equal to an accepted head). */
  parsed = 0;

  constructor(
    private readonly key: string,
    private readonly deflate: boolean,
  ) {}

  /** Checks head bytes [start, end) of `bytes` (blank line included); null when valid, else why not. */
  check(bytes: Buffer, start: number, end: number): string | null {
    const accepted = this.accepted;
    if (accepted !== undefined && accepted.length === end - start && bytes.compare(accepted, 0, accepted.length, start, end) === 0) return null;
    this.parsed++;
    const problem = validateUpgradeResponse(bytes.toString('latin1', start, end), this.key, { deflate: this.deflate });
    // Copied: `bytes` is usually the thread's read buffer, overwritten by the next read.
    if (problem === null) this.accepted = Buffer.from(bytes.subarray(start, end));
    return problem;
  }
}
