import { casePosition, isHandshakeCase, payloadLength, type Behavior, type CaseDef } from '@wsmatrix/cases';
import { runHandshakeCase } from './handshake-runner.js';
import { CompressedEchoRun } from './compressed-echo.js';
import { EchoTimingRun } from './echo-timing.js';
import { eventToJson, expandExpected } from './events.js';
import {
  DEFAULT_TIMEOUTS,
  FuzzingClient,
  trafficStatsJson,
  type ClientTimeouts,
  type ConnectFailure,
} from './fuzzing-client.js';
import type { CaseResult } from './result.js';
import { connectFailureText } from './result-texts.js';
import type { RunCaseOptions } from './run-options.js';
import { playSteps } from './steps.js';
import { USER_AGENT } from './user-agent.js';
import { computeVerdict, eventsEqual, type ObservedEvent } from './verdict.js';

/** Added to the case window and the close budgets before the watchdog drops the socket. */
const WATCHDOG_MARGIN_MS = 5000;
/** Messages + Pongs a server may send in one case; far above what any case provokes. */
const MAX_EVENTS = 10_000;
/**
 * Close, Ping and Pong frames a server may send in one case: no case provokes more than a few dozen, and
 * a server's own keep-alive Pings are allowed at up to 20 a second over the case's whole window.
 */
function controlFrameBudget(limitMs: number): number {
  return 1000 + Math.ceil((20 * limitMs) / 1000);
}

/** Octets the server may legitimately send back in this case: twice what we send, plus 1 MiB of slack. */
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
export function caseHardLimitMs(def: CaseDef, timeouts: ClientTimeouts): number {
  const window = def.timeLimitMs ?? def.echoTiming?.timeoutMs ?? 10_000;
  return window + timeouts.closeHandshakeMs + timeouts.serverConnectionDropMs + WATCHDOG_MARGIN_MS;
}

/**
 * Plays one case against the server at `url` (ws://host:port/path) over a fresh TCP connection and
 * returns Autobahn's record of it with the verdict computed from what was seen. Never hangs: the opening
 * handshake, the close handshake and the server's TCP drop have timeouts, and a watchdog drops the
 * connection once the case's hard limit has passed.
 */
export async function runCase(url: string, def: CaseDef, options: RunCaseOptions = {}): Promise<CaseResult> {
  // Group 0 tests the opening handshake itself: its own engine sends the raw request.
  if (isHandshakeCase(def)) return runHandshakeCase(url, def, options);
  const timeouts: ClientTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limit = options.hardLimitMs ?? caseHardLimitMs(def, timeouts);
  const client = new FuzzingClient(
    timeouts,
    {
      maxMessageSize: options.maxMessageSize ?? 64 * 1024 * 1024,
      maxReceivedBytes: receiveBudget(def),
      maxEvents: MAX_EVENTS,
      maxControlFrames: controlFrameBudget(limit),
    },
    options.failByDrop ?? false,
  );
  const expected = expandExpected(def);
  const received: ObservedEvent[] = [];
  const timers: NodeJS.Timeout[] = [];
  const started = new Date();
  let echo: EchoTimingRun | CompressedEchoRun | null = null;

  // Autobahn's finishWhenDone: once the events equal every expected sequence, the client closes itself.
  const finishWhenDone = () => {
    for (const sequence of Object.values(expected)) if (!eventsEqual(received, sequence)) return;
    if (def.expectedClose.closedByMe && !def.suppressClose) {
      client.sendCloseFrame(def.expectedClose.closeCode[0] ?? 1000, null, false);
    }
  };
  client.setHandlers({
    onMessage: (data, binary) => {
      if (echo) return echo.onMessage(data, binary);
      received.push({ type: 'message', payload: data, binary });
      finishWhenDone();
    },
    onPong: (data) => {
      if (!echo) received.push({ type: 'pong', payload: data });
      finishWhenDone();
    },
  });

  // AutobahnPython's PerMessageDeflateOffer: always accepts client_no_context_takeover / client_max_window_bits.
  const offers = (def.deflateOffers ?? []).map((o) => ({
    serverNoContextTakeover: o.requestNoContextTakeover,
    serverMaxWindowBits: o.requestMaxWindowBits,
  }));
  const failure: ConnectFailure | null = await client.connect(new URL(url), options.userAgent ?? USER_AGENT, offers);
  const connectMs = performance.now() - client.connectStartedAt;
  const caseStart = performance.now();
  let echoOutcome: { behavior: Behavior; result: string } | undefined;
  if (!failure) {
    const watchdog = setTimeout(() => client.abort(`case exceeded its hard limit of ${limit} ms`), limit);
    if (def.echoTiming) echo = new EchoTimingRun(def.echoTiming, client, timers);
    else if (def.compressedEcho) echo = new CompressedEchoRun(def.compressedEcho, client, timers);
    else void playSteps(def.steps, { client, received, timers });
    await client.lost;
    clearTimeout(watchdog);
    echoOutcome = echo?.outcome;
  }
  for (const t of timers) clearTimeout(t);
  const duration = failure ? 0 : Math.round(performance.now() - caseStart);

  const verdict = computeVerdict({
    def,
    expected,
    received,
    connectionWasOpen: client.connectionWasOpen,
    record: client.record,
    echoOutcome,
    txFrameStats: client.stats.txFrameStats,
  });
  if (failure) verdict.result = connectFailureText(failure, connectMs);
  else if (client.guardReason) verdict.result += ` (${client.guardReason})`;
  const log = client.wirelog.snapshot();
  return {
    case: casePosition(def.id) ?? 0,
    id: def.id,
    description: def.description,
    expectation: def.expectation,
    agent: options.agent ?? 'server',
    started: started.toISOString(),
    duration,
    reportTime: def.reportTime ?? false,
    reportCompressionRatio: def.reportCompressionRatio ?? false,
    behavior: verdict.behavior,
    behaviorClose: verdict.behaviorClose,
    expected: Object.fromEntries(Object.entries(expected).map(([k, seq]) => [k, seq.map(eventToJson)])),
    expectedClose: def.expectedClose,
    received: received.map(eventToJson),
    result: verdict.result,
    resultClose: verdict.resultClose,
    wirelog: log.entries,
    wirelogTimes: log.times,
    createWirelog: true,
    ...client.record,
    createStats: true,
    ...client.stats,
    httpRequest: client.httpRequest,
    httpResponse: client.httpResponse,
    // As Autobahn: the statistics are kept only when the case succeeded.
    trafficStats: echo instanceof CompressedEchoRun && echo.succeeded ? trafficStatsJson(client.traffic) : null,
    connectFailure: failure,
    url,
  };
}
