/**
 * Progress of a run. On a terminal: one live line, cut to the terminal's width and rewritten in place,
 * with status messages printed above it (clear the line, print, draw it again). Without a terminal (CI
 * logs): a plain line at the first finished case, then at most one per period and one at the end, so a
 * long run is never silent and a log is never flooded.
 */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
  /** The terminal's width in columns, read at every redraw (it can be resized); undefined: not known. */
  columns?: () => number | undefined;
}

export interface ProgressOptions {
  /** Without a terminal: the shortest time between two plain lines. */
  plainEveryMs?: number;
  /** On a terminal: the shortest time between two redraws. */
  liveEveryMs?: number;
  /** Milliseconds from any fixed origin (Date.now by default; injected in tests). */
  now?: () => number;
}

export interface AgentTotals {
  total: number;
  done: number;
  failed: number;
  /** Not played: the server could not be reached. */
  down: number;
}

/** How a finished case counts: passed, failed, or not played because its server was down. */
export type CaseOutcome = 'passed' | 'failed' | 'target down';

/** Used when a terminal does not say how wide it is. */
const DEFAULT_COLUMNS = 80;
const CLEAR_LINE = '\r\x1b[2K';

/**
 * `text` cut to `width` characters, ending with "…" when cut. Counts UTF-16 units: every character
 * the progress line uses is one column wide.
 */
export function fitWidth(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return `${text.slice(0, width - 1)}…`;
}

export class Progress {
  private readonly agents = new Map<string, AgentTotals>();
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly plainEveryMs: number;
  private readonly liveEveryMs: number;
  private lastPlainAt = Number.NEGATIVE_INFINITY;
  private lastLiveAt = Number.NEGATIVE_INFINITY;
  /** A live line is on the screen (the cursor is at its end). */
  private shown = false;

  constructor(
    private readonly sink: ProgressSink,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.plainEveryMs = options.plainEveryMs ?? 10_000;
    this.liveEveryMs = options.liveEveryMs ?? 100;
  }

  expect(agent: string, total: number): void {
    const known = this.agents.get(agent);
    if (known) known.total = total;
    else this.agents.set(agent, { total, done: 0, failed: 0, down: 0 });
  }

  caseDone(agent: string, outcome: CaseOutcome): void {
    const a = this.agents.get(agent);
    if (!a) return;
    a.done++;
    if (outcome === 'failed') a.failed++;
    else if (outcome === 'target down') a.down++;
    const now = this.now();
    if (this.sink.isTTY) {
      if (now - this.lastLiveAt >= this.liveEveryMs || this.allDone()) this.draw(now);
    } else if (now - this.lastPlainAt >= this.plainEveryMs || this.allDone()) {
      this.lastPlainAt = now;
      this.sink.write(`${this.line(now)}\n`);
    }
  }

  /**
   * Prints a status message with `write` (stdout or stderr: on a terminal both show on the same screen)
   * above the live line, which is then drawn again below it.
   */
  above(write: (text: string) => void, text: string): void {
    if (!this.shown) {
      write(text);
      return;
    }
    this.sink.write(CLEAR_LINE);
    this.shown = false;
    write(text.endsWith('\n') ? text : `${text}\n`);
    this.draw(this.now());
  }

  /** Ends the live line so later output starts on a fresh one. */
  finish(): void {
    if (this.shown) this.sink.write('\n');
    this.shown = false;
  }

  private draw(now: number): void {
    this.lastLiveAt = now;
    this.shown = true;
    const columns = this.sink.columns?.() ?? DEFAULT_COLUMNS;
    // One column short of the width: some terminals wrap as soon as the last column is written.
    this.sink.write(`${CLEAR_LINE}${this.line(now, Math.max(1, columns - 1))}`);
  }

  private allDone(): boolean {
    for (const a of this.agents.values()) if (a.done < a.total) return false;
    return true;
  }

  /**
   * The progress line, at most `width` characters: every agent's count when that fits; otherwise the
   * overall count, the agents in progress and how many have finished; cut with "…" if still too long.
   */
  line(now = this.now(), width = Number.POSITIVE_INFINITY): string {
    let done = 0;
    let total = 0;
    const all: string[] = [];
    const active: string[] = [];
    let finished = 0;
    for (const [agent, a] of this.agents) {
      done += a.done;
      total += a.total;
      const notes = [...(a.failed ? [`${a.failed} failed`] : []), ...(a.down ? [`${a.down} target down`] : [])];
      const part = `${agent} ${a.done}/${a.total}${notes.length ? ` (${notes.join(', ')})` : ''}`;
      all.push(part);
      if (a.done >= a.total) finished++;
      else if (a.done > 0) active.push(part);
    }
    const elapsed = (now - this.startedAt) / 1000;
    const eta = done > 0 && done < total ? ` · ETA ${Math.ceil((elapsed / done) * (total - done))} s` : '';
    const head = `[${elapsed.toFixed(0)} s]`;
    const full = `${head} ${all.join(' · ')}${eta}`;
    if (full.length <= width) return full;
    const compact = [
      `${done}/${total} cases`,
      ...active,
      ...(finished ? [`${finished} of ${this.agents.size} targets done`] : []),
    ];
    return fitWidth(`${head} ${compact.join(' · ')}${eta}`, width);
  }
}
