/**
 * The connection lifecycle (src/connection-state.ts) against the boolean bookkeeping connection.ts kept
 * before it had one state (closeSent, closeReceived, inputClosed, endPending, ended, socketClosed): every
 * sequence of up to six operations, driven through both the way connection.ts drives them, must give the
 * same answers to every question the connection asks, and never an illegal transition. Exhaustive, so no
 * seed to replay.
 */
import { describe, expect, it } from 'vitest';
import {
  Lifecycle,
  canSend,
  isEndDue,
  isInputOpen,
  nextLifecycle,
  readyStateOf,
  type LifecycleEvent,
} from '../src/connection-state.js';

type Op = 'ourClose' | 'peerClose' | 'fail' | 'peerFin' | 'commit' | 'socketClose';
const OPS: readonly Op[] = ['ourClose', 'peerClose', 'fail', 'peerFin', 'commit', 'socketClose'];

/** The former booleans, updated as connection.ts updated them. */
class Booleans {
  closeSent = false;
  closeReceived = false;
  inputClosed = false;
  endPending = false;
  ended = false;
  socketClosed = false;

  apply(op: Op): void {
    switch (op) {
      case 'ourClose': // close(), shutdown(), the idle timeout
        if (!(this.closeSent || this.ended || this.socketClosed)) this.closeSent = true;
        break;
      case 'peerClose': // handleClose
        if (this.inputClosed) break;
        this.closeReceived = true;
        this.inputClosed = true;
        this.closeSent = true;
        this.endPending = true;
        break;
      case 'fail':
        this.inputClosed = true;
        this.closeSent = true;
        this.endPending = true;
        break;
      case 'peerFin': // peerEnded
        this.inputClosed = true;
        this.endPending = true;
        break;
      case 'commit': // with nothing waiting for compression
        if (this.endPending) {
          this.endPending = false;
          if (!this.ended && !this.socketClosed) this.ended = true;
        }
        break;
      case 'socketClose':
        if (this.socketClosed) break;
        this.socketClosed = true;
        this.inputClosed = true;
        break;
    }
  }

  /** Whether `op` made the connection write a Close frame. */
  closeWritten(before: Booleans, op: Op): boolean {
    const couldWrite = !before.ended && !before.socketClosed;
    if (op === 'ourClose') return !before.closeSent && couldWrite;
    if (op === 'peerClose') return !before.inputClosed && !before.closeSent && couldWrite;
    if (op === 'fail') return !before.closeSent && couldWrite;
    return false;
  }
}

/** The lifecycle, driven as connection.ts drives it now; returns whether a Close frame was queued. */
function drive(state: Lifecycle, op: Op): { state: Lifecycle; closeQueued: boolean } {
  const events: LifecycleEvent[] = [];
  switch (op) {
    case 'ourClose':
      if (canSend(state)) events.push('closeQueued');
      break;
    case 'peerClose':
      if (isInputOpen(state)) events.push(...(state === Lifecycle.Open ? ['closeQueued' as const] : []), 'inputClosed');
      break;
    case 'fail':
      events.push(...(canSend(state) ? ['closeQueued' as const] : []), 'inputClosed');
      break;
    case 'peerFin':
      events.push('inputClosed');
      break;
    case 'commit':
      if (isEndDue(state)) events.push('tcpEnded');
      break;
    case 'socketClose':
      if (state !== Lifecycle.Closed) events.push('socketClosed');
      break;
  }
  for (const event of events) state = nextLifecycle(state, event);
  return { state, closeQueued: events.includes('closeQueued') };
}

function* sequences(length: number): Generator<Op[]> {
  if (length === 0) {
    yield [];
    return;
  }
  for (const head of sequences(length - 1)) for (const op of OPS) yield [...head, op];
}

describe('connection lifecycle', () => {
  it('answers every question as the former booleans did, for every sequence of six operations', () => {
    // Every step is compared, so the six-operation sequences cover the shorter ones as their prefixes.
    let compared = 0;
    const mismatches: string[] = [];
    const reached = new Set<Lifecycle>();
    for (const ops of sequences(6)) {
      const old = new Booleans();
      let state: Lifecycle = Lifecycle.Open;
      for (const op of ops) {
        const before = Object.assign(new Booleans(), old);
        old.apply(op);
        const step = drive(state, op);
        state = step.state;
        reached.add(state);
        const answers = {
          closeQueued: [step.closeQueued, old.closeWritten(before, op)],
          readyState: [
            readyStateOf(state),
            old.socketClosed ? 'closed' : old.closeSent || old.closeReceived || old.ended ? 'closing' : 'open',
          ],
          canSend: [canSend(state), !(old.closeSent || old.ended || old.socketClosed)],
          inputOpen: [isInputOpen(state), !old.inputClosed],
          endDue: [isEndDue(state), old.endPending && !old.ended && !old.socketClosed],
          // A ping is answered only while open both ways.
          answersPings: [state === Lifecycle.Open, !old.inputClosed && !old.closeSent],
          // Output is dropped once ended or closed.
          dropsOutput: [state === Lifecycle.Ended || state === Lifecycle.Closed, old.ended || old.socketClosed],
        };
        for (const [question, [now, before]] of Object.entries(answers)) {
          compared++;
          if (now === before) continue;
          mismatches.push(`${ops.join(' → ')}: at ${op} (${state}) ${question} is ${now}, was ${before}`);
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBe(6 ** 6 * 6 * 7);
    expect([...reached].sort()).toEqual(Object.values(Lifecycle).sort());
  });

  it('rejects a second Close, an end before input is over, and a second socket close', () => {
    expect(() => nextLifecycle(Lifecycle.CloseSent, 'closeQueued')).toThrow(
      /closeQueued is not allowed in state close-sent/,
    );
    expect(() => nextLifecycle(Lifecycle.Closing, 'closeQueued')).toThrow(/not allowed/);
    expect(() => nextLifecycle(Lifecycle.Open, 'tcpEnded')).toThrow(/tcpEnded is not allowed in state open/);
    expect(() => nextLifecycle(Lifecycle.CloseSent, 'tcpEnded')).toThrow(/not allowed/);
    expect(() => nextLifecycle(Lifecycle.Ended, 'tcpEnded')).toThrow(/not allowed/);
    expect(() => nextLifecycle(Lifecycle.Closed, 'socketClosed')).toThrow(/not allowed/);
    expect(() => nextLifecycle(Lifecycle.Closed, 'closeQueued')).toThrow(/not allowed/);
  });

  it('goes Open → CloseSent → Closing → Ended → Closed through a closing handshake we start', () => {
    let state: Lifecycle = Lifecycle.Open;
    const seen: Lifecycle[] = [];
    for (const event of ['closeQueued', 'inputClosed', 'tcpEnded', 'socketClosed'] as const) {
      state = nextLifecycle(state, event);
      seen.push(state);
    }
    expect(seen).toEqual([Lifecycle.CloseSent, Lifecycle.Closing, Lifecycle.Ended, Lifecycle.Closed]);
  });
});
