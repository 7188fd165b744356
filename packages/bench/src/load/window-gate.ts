/**
 * Decides, for one share, whether traffic at a given time counts and whether new traffic may start: the
 * measure window, optionally held open past its planned end until enough events were counted in it.
 * Every method takes the time (absNow()) from its caller, so the decisions can be tested with any clock.
 */
import type { MeasureWindow } from './types.js';

export class WindowGate {
  /** Events counted inside the window so far. */
  completed = 0;
  /** When the window closed; undefined while it is open or not yet decided. */
  private closedAt: number | undefined;
  private reached: (() => void) | undefined;

  constructor(readonly window: MeasureWindow) {}

  /** True once the window has closed at `now`: from then on nothing counts and no new traffic starts. */
  isClosed(now: number): boolean {
    if (this.closedAt === undefined) {
      const { end, extend } = this.window;
      if (now < end) return false;
      if (extend === undefined || this.completed >= extend.completed) this.closedAt = end;
      else if (now >= extend.latest) this.closedAt = extend.latest;
      else return false;
    }
    return now >= this.closedAt;
  }

  /** Counts `n` events that completed at `now`; true when they fell inside the window (and were counted). */
  record(n: number, now: number): boolean {
    if (now < this.window.start || this.isClosed(now)) return false;
    this.completed += n;
    const extend = this.window.extend;
    if (extend !== undefined && now >= this.window.end && this.completed >= extend.completed) {
      // The window was held open for these: it closes right behind them.
      this.closedAt = now;
      this.reached?.();
    }
    return true;
  }

  /** The window's end: the planned end, or later once it has closed after being held open. */
  get end(): number {
    return this.closedAt ?? this.window.end;
  }

  /**
   * Resolves once no new traffic may start: at the planned end, or, when held open, once enough events
   * were counted or at its latest end. Timers only wake it up: the decision is isClosed()'s.
   */
  async whenClosed(now: () => number): Promise<void> {
    const { end, extend } = this.window;
    await sleepFor(end - now());
    // Timers round to whole milliseconds and may fire a fraction early: the planned end has come.
    if (this.isClosed(Math.max(now(), end)) || extend === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, extend.latest - now()));
      this.reached = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.reached = undefined;
    // Sets closedAt when the latest end was what woke us.
    this.isClosed(Math.max(now(), extend.latest));
  }
}

function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
