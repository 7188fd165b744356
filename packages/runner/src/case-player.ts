/**
 * Plays one case on a connection, whichever role the runner has and whatever opened it: the case's steps,
 * or its echo-timing (group 9), compressed-echo (groups 12/13) or deflate-edge (our group 14) engine,
 * Autobahn's finishWhenDone auto-close, and a watchdog. The verdict is computed from what was seen, by the one
 * verdict function for both roles.
 */
import { isDeflateEdgeCase, payloadLength, type CaseDef, type ExpectedClose } from '@wsmatrix/cases';
import { CompressedEchoRun } from './compressed-echo.js';
import { DeflateEdgeRun } from './deflate-edge.js';
import { EchoTimingRun } from './echo-timing.js';
import { expandExpected } from './events.js';
import type { ConnectionLimits, ConnectionTimeouts, FuzzingConnection } from './fuzzing-connection.js';
import { playSteps } from './steps.js';
import { trafficStatsJson, type TrafficStatsJson } from './traffic-stats.js';
import {
  computeVerdict,
  eventsEqual,
  type EchoOutcome,
  type ExpectedSequences,
  type ObservedEvent,
  type Verdict,
} from './verdict.js';

/** Added to the case window and the close budgets before the watchdog drops the socket. */
const WATCHDOG_MARGIN_MS = 5000;
/** Messages + Pongs a peer may send in one case; far above what any case provokes. */
const MAX_EVENTS = 10_000;

/**
 * Close, Ping and Pong frames a peer may send in one case: no case provokes more than a few dozen, and
 * a peer's own keep-alive Pings are allowed at up to 20 a second over the case's whole window.
 */
function controlFrameBudget(limitMs: number): number {
  return 1000 + Math.ceil((20 * limitMs) / 1000);
}

/** Octets the peer may legitimately send back in this case: twice what we send, plus 1 MiB of slack. */
function receiveBudget(def: CaseDef): number {
  let sent = 0;
  if (def.echoTiming) sent = payloadLength(def.echoTiming.payload) * Math.max(1, def.echoTiming.count);
  // Text windows are counted in characters: up to 4 bytes each.
  if (def.compressedEcho)
    sent = def.compressedEcho.messageLength * (def.compressedEcho.binary ? 1 : 4) * def.compressedEcho.count;
  for (const step of def.steps) {
    if (step.kind === 'frame' || step.kind === 'frameParts') sent += payloadLength(step.frame.payload ?? '');
    else if (step.kind === 'message') sent += payloadLength(step.payload);
  }
  return 2 * sent + 1024 * 1024;
}

/** The case's watchdog: its own window plus the close budgets plus a margin, counted from the open. */
export function caseHardLimitMs(def: CaseDef, timeouts: ConnectionTimeouts): number {
  const window = def.timeLimitMs ?? def.echoTiming?.timeoutMs ?? 10_000;
  return window + timeouts.closeHandshakeMs + timeouts.serverConnectionDropMs + WATCHDOG_MARGIN_MS;
}

/** What the connection of this case may take from its peer before the runner calls it a flood. */
export function caseLimits(def: CaseDef, hardLimitMs: number, maxMessageSize = 64 * 1024 * 1024): ConnectionLimits {
  return {
    maxMessageSize,
    maxReceivedBytes: receiveBudget(def),
    maxEvents: MAX_EVENTS,
    maxControlFrames: controlFrameBudget(hardLimitMs),
  };
}

/** What a played case leaves for its result. */
export interface PlayedCase {
  verdict: Verdict;
  expected: ExpectedSequences;
  received: ObservedEvent[];
  /** ms from the open to the end of the connection; 0 when it never opened. */
  durationMs: number;
  /** AutobahnPython copies the traffic statistics only when a compressed-echo case succeeded. */
  trafficStats: TrafficStatsJson | null;
  /** The close rule the verdict applied when the engine chose one (group 14). */
  expectedClose?: ExpectedClose;
}

export class CasePlayer {
  private readonly expected: ExpectedSequences;
  private readonly received: ObservedEvent[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private echo: EchoTimingRun | CompressedEchoRun | DeflateEdgeRun | null = null;
  private startedAt = 0;

  /** Takes the connection's events from now on: create it before the connection opens. */
  constructor(
    private readonly def: CaseDef,
    private readonly connection: FuzzingConnection,
    private readonly hardLimitMs: number,
  ) {
    this.expected = expandExpected(def);
    connection.setHandlers({
      onMessage: (data, binary) => {
        if (this.echo) return this.echo.onMessage(data, binary);
        this.received.push({ type: 'message', payload: data, binary });
        this.finishWhenDone();
      },
      onPong: (data) => {
        // Group 14 judges Pongs itself; Autobahn's auto-close rule is not its rule.
        if (this.echo instanceof DeflateEdgeRun) return this.echo.onPong(data);
        if (!this.echo) this.received.push({ type: 'pong', payload: data });
        this.finishWhenDone();
      },
    });
  }

  /** Autobahn's onOpen for the case: call once the connection is open. */
  start(): void {
    const { def, connection } = this;
    this.startedAt = performance.now();
    this.timers.push(
      setTimeout(() => connection.abort(`case exceeded its hard limit of ${this.hardLimitMs} ms`), this.hardLimitMs),
    );
    if (def.echoTiming) this.echo = new EchoTimingRun(def.echoTiming, connection, this.timers);
    else if (def.compressedEcho) this.echo = new CompressedEchoRun(def.compressedEcho, connection, this.timers);
    else if (isDeflateEdgeCase(def))
      this.echo = new DeflateEdgeRun(def.deflateEdge, connection, this.timers, this.received);
    else void playSteps(def.steps, { connection, received: this.received, timers: this.timers });
  }

  /** Waits for the connection to end (when it opened) and judges what was seen. */
  async finish(): Promise<PlayedCase> {
    const { def, connection } = this;
    if (connection.connectionWasOpen) await connection.lost;
    for (const t of this.timers) clearTimeout(t);
    const echoOutcome: EchoOutcome | undefined = this.echo?.outcome;
    const verdict = computeVerdict({
      def,
      expected: this.expected,
      received: this.received,
      connectionWasOpen: connection.connectionWasOpen,
      record: connection.record,
      echoOutcome,
      txFrameStats: connection.stats.txFrameStats,
    });
    if (connection.guardReason) verdict.result += ` (${connection.guardReason})`;
    return {
      verdict,
      expected: this.expected,
      received: this.received,
      durationMs: this.startedAt === 0 ? 0 : Math.round(performance.now() - this.startedAt),
      trafficStats:
        this.echo instanceof CompressedEchoRun && this.echo.succeeded ? trafficStatsJson(connection.traffic) : null,
      ...(echoOutcome?.expectedClose ? { expectedClose: echoOutcome.expectedClose } : {}),
    };
  }

  /** Autobahn's finishWhenDone: once the events equal every expected sequence, the runner closes itself. */
  private finishWhenDone(): void {
    for (const sequence of Object.values(this.expected)) if (!eventsEqual(this.received, sequence)) return;
    if (this.def.expectedClose.closedByMe && !this.def.suppressClose) {
      this.connection.sendCloseFrame(this.def.expectedClose.closeCode[0] ?? 1000, null, false);
    }
  }
}
