/**
 * The per-case wire log, in Autobahn's tuple shapes so existing tooling can read it:
 *   ["RO", [len, hex]]                       octets received
 *   ["TO", [len, hex], sync]                 octets transmitted
 *   ["RF", [len, text], opcode, fin, rsv, masked, maskHex]      frame received
 *   ["TF", [len, text], opcode, fin, rsv, maskHex, repeatLength, chop, sync]   frame transmitted
 *   ["CT", delay, tag] / ["CTE", tag]        continue-later armed / executed
 *   ["KL", delay] / ["KLE"]                  kill-after armed / executed
 *   ["TI", delay] / ["TIE"]                  close-after armed / executed
 *   ["WLM", enabled]                         wire logging switched on or off
 * `times[i]` is the entry's time in ms since the case's connection attempt started (Autobahn has no
 * timestamps); the handshake entries share that origin, so the times never decrease.
 *
 * Memory stays bounded whatever the server sends: data previews are cut to 64 bytes, and only the first
 * and the last `keep` entries are kept, with the number skipped in between.
 */
export type WireLogEntry = unknown[];

const PREVIEW = 64;
const ELLIPSIS = ' ...';

export function hexPreview(data: Uint8Array): string {
  if (data.length > PREVIEW - ELLIPSIS.length) return Buffer.from(data.subarray(0, PREVIEW)).toString('hex') + ELLIPSIS;
  return Buffer.from(data).toString('hex');
}

/** Stateless between calls (no streaming), so one serves every preview. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text preview as Autobahn makes it: UTF-8 when it decodes, otherwise "0x" + hex. */
export function textPreview(data: Uint8Array): string {
  const cut = data.length > PREVIEW - ELLIPSIS.length;
  const head = cut ? data.subarray(0, PREVIEW) : data;
  try {
    return utf8.decode(head) + (cut ? ELLIPSIS : '');
  } catch {
    return `0x${hexPreview(data)}`;
  }
}

export class WireLog {
  enabled = true;
  private readonly head: WireLogEntry[] = [];
  private readonly headTimes: number[] = [];
  private tail: WireLogEntry[] = [];
  private tailTimes: number[] = [];
  private skipped = 0;

  constructor(
    private readonly clock: () => number,
    private readonly keep = 2000,
  ) {}

  add(entry: WireLogEntry, force = false): void {
    if (!this.enabled && !force) return;
    const t = this.clock();
    if (this.head.length < this.keep) {
      this.head.push(entry);
      this.headTimes.push(t);
      return;
    }
    this.tail.push(entry);
    this.tailTimes.push(t);
    if (this.tail.length > 2 * this.keep) {
      // Drop the older half of the tail in one go so trimming stays amortised O(1).
      this.skipped += this.tail.length - this.keep;
      this.tail = this.tail.slice(-this.keep);
      this.tailTimes = this.tailTimes.slice(-this.keep);
    }
  }

  setEnabled(enabled: boolean): void {
    if (enabled === this.enabled) return;
    this.enabled = enabled;
    this.add(['WLM', enabled], true);
  }

  /** Entries and their times; a ["SKIP", n] entry marks where entries were dropped. */
  snapshot(): { entries: WireLogEntry[]; times: number[] } {
    let tail = this.tail;
    let tailTimes = this.tailTimes;
    let skipped = this.skipped;
    if (tail.length > this.keep) {
      skipped += tail.length - this.keep;
      tail = tail.slice(-this.keep);
      tailTimes = tailTimes.slice(-this.keep);
    }
    if (skipped === 0) return { entries: [...this.head, ...tail], times: [...this.headTimes, ...tailTimes] };
    return {
      entries: [...this.head, ['SKIP', skipped], ...tail],
      times: [...this.headTimes, tailTimes[0] ?? this.headTimes[this.headTimes.length - 1] ?? 0, ...tailTimes],
    };
  }
}
