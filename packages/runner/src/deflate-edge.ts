/**
 * Group 14 (permessage-deflate edge cases, packages/cases deflate-edge-case.ts), in either role: checks
 * the agreement, writes the case's hand-made frames one send at a time, waits for each reply, and at the
 * case's violation (`failAt`) writes it and the probes behind it and waits for the peer to fail the
 * connection. The verdict comes from the replies that arrived and from how the connection ended; the
 * peer's compressed replies were inflated by the connection with the agreed window and context takeover,
 * so a compressor that breaks the agreement ends the case through the runner's own failure of it.
 */
import {
  payloadBytes,
  type Behavior,
  type DeflateEdgeSend,
  type DeflateEdgeSpec,
  type ExpectedClose,
  type ExpectedEvent,
} from '@wsmatrix/cases';
import type { FuzzingConnection } from './fuzzing-connection.js';
import type { ObservedEvent } from './verdict.js';
import { textPreview } from './wire-log.js';

/**
 *   unplayable        the agreement rules the case out (UNIMPLEMENTED) or breaks RFC 7692 (FAILED); closed at once
 *   awaiting-reply    a valid send is out; its reply is awaited
 *   awaiting-failure  the violation and the probes are out; the peer must fail the connection
 *   complete          every reply arrived (a case without a violation); the runner closed
 *   wrong-reply       something other than the awaited reply arrived; the runner closed
 *   timed-out         the case's window passed while waiting; the runner closed
 */
type Phase = 'unplayable' | 'awaiting-reply' | 'awaiting-failure' | 'complete' | 'wrong-reply' | 'timed-out';

const NEXT: Readonly<Record<Phase, readonly Phase[]>> = {
  unplayable: [],
  'awaiting-reply': ['awaiting-reply', 'awaiting-failure', 'complete', 'wrong-reply', 'timed-out'],
  'awaiting-failure': ['wrong-reply', 'timed-out'],
  complete: [],
  'wrong-reply': [],
  'timed-out': [],
};

/** What the case player needs to judge the case: the behavior, its reason, and the close rule that applies. */
export interface DeflateEdgeOutcome {
  behavior: Behavior;
  result: string;
  expectedClose: ExpectedClose;
}

const NORMAL_CLOSE: ExpectedClose = { closedByMe: true, closeCode: [1000], requireClean: true };

function describeEvent(e: ObservedEvent): string {
  if (e.type === 'message') {
    const kind = e.binary ? 'binary' : 'text';
    const preview = e.binary ? '' : ` "${textPreview(e.payload)}"`;
    return `a ${kind} message of ${e.payload.length} bytes${preview}`;
  }
  if (e.type === 'pong') return `a Pong of ${e.payload.length} bytes`;
  return e.type;
}

function expand(reply: ExpectedEvent): ObservedEvent {
  if (reply.type === 'message') return { type: 'message', payload: payloadBytes(reply.payload), binary: reply.binary };
  if (reply.type === 'pong') return { type: 'pong', payload: payloadBytes(reply.payload) };
  throw new Error(`a group 14 reply is a message or a Pong, not ${reply.type}`);
}

function sameEvent(a: ObservedEvent, b: ObservedEvent): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'message' && b.type === 'message') return a.binary === b.binary && a.payload.equals(b.payload);
  return a.type === 'pong' && b.type === 'pong' && a.payload.equals(b.payload);
}

export class DeflateEdgeRun {
  private phase: Phase = 'awaiting-reply';
  /** Index of the next send to write. */
  private next = 0;
  /** Intact replies received. */
  private replies = 0;
  /** The send whose reply is awaited, or the violation once it is out. */
  private current: DeflateEdgeSend | null = null;
  private verdict: { behavior: Behavior; result: string } | null = null;

  constructor(
    private readonly spec: DeflateEdgeSpec,
    private readonly connection: FuzzingConnection,
    timers: NodeJS.Timeout[],
    /** The case's observed events, for its report. */
    private readonly received: ObservedEvent[],
  ) {
    const blocked = this.agreementProblem();
    if (blocked) {
      this.phase = 'unplayable';
      this.verdict = blocked;
      connection.sendCloseFrame(1000, null, false);
      return;
    }
    timers.push(
      setTimeout(() => {
        if (connection.state === 'closed' || !this.waiting()) return;
        this.moveTo('timed-out');
        connection.sendCloseFrame(1000, null, false);
      }, spec.windowMs),
    );
    this.advance();
  }

  onMessage(data: Buffer, binary: boolean): void {
    this.onEvent({ type: 'message', payload: data, binary });
  }

  onPong(data: Buffer): void {
    this.onEvent({ type: 'pong', payload: data });
  }

  /** Judged once the connection is gone: the reply count, the phase and how the connection ended. */
  get outcome(): DeflateEdgeOutcome {
    if (this.verdict) return { ...this.verdict, expectedClose: NORMAL_CLOSE };
    const peer = this.connection.peer;
    const on = this.current ? ` on ${this.current.label}` : '';
    const after = this.afterReplies();
    switch (this.phase) {
      case 'complete':
        return {
          behavior: this.spec.complete,
          result: `Every reply arrived intact (${this.replies}).`,
          expectedClose: NORMAL_CLOSE,
        };
      case 'timed-out': {
        const within = `within ${this.spec.windowMs} ms (${after})`;
        return {
          behavior: 'FAILED',
          result:
            this.spec.failAt !== undefined && this.next > this.spec.failAt
              ? `The ${peer} neither failed the connection${on} nor answered ${within}.`
              : `The ${peer} neither replied${on} nor failed the connection ${within}.`,
          expectedClose: NORMAL_CLOSE,
        };
      }
      default:
        return this.endedWhileWaiting(on, after);
    }
  }

  private endedWhileWaiting(on: string, after: string): DeflateEdgeOutcome {
    const { connection } = this;
    const r = connection.record;
    if (r.failedByMe) {
      const violation = connection.violation ? `${connection.violation}: ` : '';
      return {
        behavior: 'FAILED',
        result:
          `The runner failed the connection (close code ${r.localCloseCode ?? 'none'}) ${after}${on}: ` +
          `${violation}${r.localCloseReason ?? 'the peer broke the protocol'}.`,
        expectedClose: { closedByMe: true, closeCode: [r.localCloseCode ?? 1000], requireClean: false },
      };
    }
    if (r.closedByMe) {
      return {
        behavior: 'FAILED',
        result: `The runner dropped the connection ${after}${on}.`,
        expectedClose: NORMAL_CLOSE,
      };
    }
    const how = r.remoteCloseCode !== null ? `with a Close ${r.remoteCloseCode}` : 'without a close code';
    const behavior = this.spec.failVerdicts[this.replies] ?? 'FAILED';
    return {
      behavior,
      result: `The ${connection.peer} failed the connection ${how} ${after}${on}.`,
      expectedClose: { closedByMe: false, closeCode: this.spec.failCodes, requireClean: false },
    };
  }

  private onEvent(event: ObservedEvent): void {
    this.received.push(event);
    if (!this.waiting()) return;
    const awaited = this.phase === 'awaiting-reply' ? this.current?.reply : undefined;
    if (awaited && sameEvent(event, expand(awaited))) {
      this.replies++;
      this.advance();
      return;
    }
    const label = this.current?.label ?? 'the case';
    this.verdict = {
      behavior: 'FAILED',
      result:
        this.phase === 'awaiting-failure'
          ? `The ${this.connection.peer} took ${label}: it sent ${describeEvent(event)} instead of failing the ` +
            `connection (${this.afterReplies()}).`
          : `After ${label} the ${this.connection.peer} sent ${describeEvent(event)}, ` +
            `not ${awaited ? describeEvent(expand(awaited)) : 'nothing'}.`,
    };
    this.moveTo('wrong-reply');
    this.connection.sendCloseFrame(1000, null, false);
  }

  /** Writes sends until one awaits a reply, the violation is out, or the case is complete. */
  private advance(): void {
    const { sends, failAt } = this.spec;
    while (this.next < sends.length) {
      if (failAt !== undefined && this.next === failAt) {
        this.current = sends[failAt]!;
        for (const send of sends.slice(failAt)) this.write(send);
        this.next = sends.length;
        this.moveTo('awaiting-failure');
        return;
      }
      const send = sends[this.next++]!;
      this.write(send);
      if (send.reply) {
        this.current = send;
        this.moveTo('awaiting-reply');
        return;
      }
    }
    this.current = null;
    this.moveTo('complete');
    this.connection.sendCloseFrame(1000, null, false);
  }

  private write(send: DeflateEdgeSend): void {
    for (const f of send.frames) {
      void this.connection.sendFrame({
        opcode: f.opcode,
        payload: payloadBytes(f.payload ?? ''),
        fin: f.fin ?? true,
        rsv: f.rsv ?? 0,
      });
    }
  }

  private afterReplies(): string {
    return `after ${this.replies} intact ${this.replies === 1 ? 'reply' : 'replies'}`;
  }

  private waiting(): boolean {
    return this.phase === 'awaiting-reply' || this.phase === 'awaiting-failure';
  }

  private moveTo(phase: Phase): void {
    if (!NEXT[this.phase].includes(phase)) throw new Error(`group 14 case cannot go from ${this.phase} to ${phase}`);
    this.phase = phase;
  }

  /** Why the case cannot be played on this agreement, as its verdict; null when it can. */
  private agreementProblem(): { behavior: Behavior; result: string } | null {
    const { connection } = this;
    const codec = connection.deflate;
    if (codec === null) {
      return {
        behavior: 'UNIMPLEMENTED',
        result:
          connection.role === 'client'
            ? 'The server did not accept permessage-deflate.'
            : 'The client offered no permessage-deflate this case can accept.',
      };
    }
    if (connection.deflateViolations.length > 0) {
      return {
        behavior: 'FAILED',
        result:
          "The server's permessage-deflate response breaks RFC 7692 §7.1: " +
          `${connection.deflateViolations.join('; ')}.`,
      };
    }
    const p = codec.params;
    const own = connection.role === 'client' ? 'client' : 'server';
    const ownTakeover = !(own === 'client' ? p.clientNoContextTakeover : p.serverNoContextTakeover);
    const ownBits = own === 'client' ? p.clientMaxWindowBits : p.serverMaxWindowBits;
    const { needs } = this.spec;
    if (needs.contextTakeover && !ownTakeover) {
      return {
        behavior: 'UNIMPLEMENTED',
        result:
          `The agreement has ${own}_no_context_takeover: the runner's messages may not refer back into earlier ` +
          'ones, which is what this case sends.',
      };
    }
    if (ownBits < needs.windowBits) {
      return {
        behavior: 'UNIMPLEMENTED',
        result:
          `The agreement has ${own}_max_window_bits=${ownBits}: smaller than the 2^${needs.windowBits}-byte ` +
          "window this case's back-references reach into.",
      };
    }
    return null;
  }
}
