/**
 * Progress of a run: a live line on a TTY (rewritten in place), plain periodic lines otherwise (CI logs),
 * so a long run is never silent and a log is never flooded.
 */
export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export interface AgentTotals {
  total: number;
  done: number;
  failed: number;
}

export class Progress {
  private readonly agents = new Map<string, AgentTotals>();
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private lastLiveAt = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly plainEveryMs = 10_000,
  ) {}

  expect(agent: string, total: number): void {
    this.agents.set(agent, { total, done: 0, failed: 0 });
  }

  caseDone(agent: string, failed: boolean): void {
    const a = this.agents.get(agent);
    if (!a) return;
    a.done++;
    if (failed) a.failed++;
    const now = Date.now();
    if (this.sink.isTTY) {
      if (now - this.lastLiveAt >= 100 || this.allDone()) {
        this.lastLiveAt = now;
        this.sink.write(`\r\x1b[2K${this.line(now)}`);
      }
    } else if (now - this.lastPlainAt >= this.plainEveryMs) {
      this.lastPlainAt = now;
      this.sink.write(`${this.line(now)}\n`);
    }
  }

  /** Ends the live line so later output starts on a fresh one. */
  finish(): void {
    if (this.sink.isTTY && this.lastLiveAt !== 0) this.sink.write('\n');
  }

  private allDone(): boolean {
    for (const a of this.agents.values()) if (a.done < a.total) return false;
    return true;
  }

  line(now = Date.now()): string {
    let done = 0;
    let total = 0;
    const parts: string[] = [];
    for (const [agent, a] of this.agents) {
      done += a.done;
      total += a.total;
      parts.push(`${agent} ${a.done}/${a.total}${a.failed ? ` (${a.failed} failed)` : ''}`);
    }
    const elapsed = (now - this.startedAt) / 1000;
    const eta = done > 0 && done < total ? ` ETA ${Math.ceil((elapsed / done) * (total - done))} s` : '';
    return `[${elapsed.toFixed(0)} s] ${parts.join(' · ')}${eta}`;
  }
}
