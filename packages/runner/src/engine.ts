import { payloadBytes, payloadLength, type Behavior, type CaseDef, type ExpectedEvent, type Step } from '@wsmatrix/cases';
import { Opcode } from '@wsmatrix/protocol';
import { DEFAULT_TIMEOUTS, FuzzingClient, type ClientTimeouts, type ConnectFailure } from './fuzzing-client.js';
import { computeVerdict, eventsEqual, type ExpectedSequences, type ObservedEvent } from './verdict.js';
import type { CaseResult } from './result.js';

export interface RunCaseOptions {
  url: string;
  agent: string;
  userAgent: string;
  timeouts?: Partial<ClientTimeouts>;
  /** Largest message the runner accepts from the server. */
  maxMessageSize?: number;
  /** 1-based position of the case in the catalogue (Autobahn's "case" number). */
  position?: number;
}

/** Margin on top of the case's own window and the close budgets before the watchdog drops the socket. */
const WATCHDOG_MARGIN_MS = 5000;
/** Window for cases that do not state one: Autobahn's cases finish by killAfter/closeAfter within seconds. */
const DEFAULT_WINDOW_MS = 10000;

function expandEvent(event: ExpectedEvent): ObservedEvent {
  switch (event.type) {
    case 'message':
      return { type: 'message', payload: payloadBytes(event.payload), binary: event.binary };
    case 'ping':
      return { type: 'ping', payload: payloadBytes(event.payload) };
    case 'pong':
      return { type: 'pong', payload: payloadBytes(event.payload) };
    case 'timeout':
      return { type: 'timeout', marker: event.marker };
  }
}

export function expandExpected(def: CaseDef): ExpectedSequences {
  const out: ExpectedSequences = {};
  for (const outcome of ['OK', 'NON-STRICT'] as const) {
    const sequence = def.expected[outcome];
    if (sequence) out[outcome] = sequence.map(expandEvent);
  }
  return out;
}

/** Bytes the server may legitimately send back in this case: its echoes, control frames, and slack. */
function receiveBudget(def: CaseDef): number {
  let sent = 0;
  if (def.echoTiming) sent = payloadLength(def.echoTiming.payload) * Math.max(1, def.echoTiming.count);
  for (const step of def.steps) {
    if (step.kind === 'frame') sent += payloadLength(step.frame.payload ?? '');
    else if (step.kind === 'message') sent += payloadLength(step.payload);
    else if (step.kind === 'frameParts') sent += payloadLength(step.frame.payload ?? '');
  }
  // Echoed headers of many small frames (9.x fragments) can exceed the payload; allow 2x + 1 MiB.
  return 2 * sent + 1024 * 1024;
}

/** The case's observation window: its own limit, or the sum of the timers it arms, or a default. */
function windowMs(def: CaseDef): number {
  if (def.timeLimitMs) return def.timeLimitMs;
  if (def.echoTiming) return def.echoTiming.timeoutMs;
  let total = 0;
  for (const step of def.steps) {
    if (step.kind === 'wait') total += step.ms;
    else if (step.kind === 'killAfter' || step.kind === 'closeAfter') total += step.ms;
    else if (step.kind === 'frameParts') total += (step.waits ?? []).reduce((a: number, b: number) => a + b, 0);
  }
  return Math.max(DEFAULT_WINDOW_MS, total * 2);
}

/**
 * Plays one case against one server over a fresh connection and returns everything Autobahn records,
 * with the verdict computed from what was seen. Never hangs: every wait has a deadline and a watchdog
 * drops the connection after the case window plus the close budgets.
 */
export async function runCase(def: CaseDef, options: RunCaseOptions): Promise<CaseResult> {
  const timeouts: ClientTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const client = new FuzzingClient(timeouts, {
    maxMessageSize: options.maxMessageSize ?? 64 * 1024 * 1024,
    maxReceivedBytes: receiveBudget(def),
  });
  const expected = expandExpected(def);
  const received: ObservedEvent[] = [];
  const timers: NodeJS.Timeout[] = [];
  const started = new Date();
  let echoOutcome: { behavior: Behavior; result: string } | undefined;

  const finishWhenDone = () => {
    // Autobahn: once the events match every expected sequence, the client starts the close itself.
    const sequences = Object.values(expected);
    for (const sequence of sequences) if (!eventsEqual(received, sequence)) return;
    if (def.expectedClose.closedByMe && !def.suppressClose) closeNormally(def.expectedClose.closeCode[0] ?? 1000);
  };
  const closeNormally = (code: number | null) => client.sendCloseFrame(code, null, false);

  let echo: EchoState | null = null;
  client.setHandlers({
    onMessage: (data, binary) => {
      if (echo) {
        echo.onMessage(data, binary);
        return;
      }
      received.push({ type: 'message', payload: data, binary });
      finishWhenDone();
    },
    onPong: (data) => {
      if (echo) return;
      received.push({ type: 'pong', payload: Buffer.from(data) });
      finishWhenDone();
    },
    onLost: () => undefined,
  });

  const url = new URL(options.url);
  const failure: ConnectFailure | null = await client.connect(url, options.userAgent);
  const caseStart = performance.now();
  let watchdog: NodeJS.Timeout | undefined;
  if (!failure) {
    const limit = windowMs(def) + timeouts.closeHandshakeMs + timeouts.serverConnectionDropMs + WATCHDOG_MARGIN_MS;
    watchdog = setTimeout(() => client.abort(`case exceeded its hard limit of ${limit} ms`), limit);
    if (def.echoTiming) {
      echo = new EchoState(def, client, caseStart);
      timers.push(setTimeout(() => client.state !== 'closed' && (client.wirelog.add(['TIE']), closeNormally(null)), def.echoTiming.timeoutMs));
      client.wirelog.add(['TI', def.echoTiming.timeoutMs / 1000]);
      echo.sendNext();
    } else {
      void playSteps(def.steps, client, received, timers, closeNormally);
    }
    await client.lost;
    echoOutcome = echo?.outcome();
  }
  if (watchdog) clearTimeout(watchdog);
  for (const t of timers) clearTimeout(t);
  const caseEnd = performance.now();

  const verdict = computeVerdict({
    def,
    expected,
    received,
    connectionWasOpen: client.connectionWasOpen,
    record: client.record,
    echoOutcome,
    txFrameStats: client.stats.txFrameStats,
  });
  if (failure) {
    verdict.result = `Could not open the WebSocket connection: ${failure.message}`;
  } else if (client.guardReason && verdict.behavior !== 'OK') {
    verdict.result += ` (${client.guardReason})`;
  }
  const log = client.wirelog.snapshot();
  return {
    case: options.position ?? 0,
    id: def.id,
    description: def.description,
    expectation: def.expectation,
    agent: options.agent,
    started: started.toISOString(),
    duration: failure ? 0 : Math.round(caseEnd - caseStart),
    reportTime: def.reportTime ?? false,
    reportCompressionRatio: false,
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
    trafficStats: null,
    connectFailure: failure,
    url: options.url,
  };
}

/** Runs the steps in order; waits stop the sequence when the connection is no longer open. */
async function playSteps(
  steps: readonly Step[],
  client: FuzzingClient,
  received: ObservedEvent[],
  timers: NodeJS.Timeout[],
  closeNormally: (code: number | null) => void,
): Promise<void> {
  for (const step of steps) {
    if (client.state === 'closed') return;
    switch (step.kind) {
      case 'frame': {
        const payload = payloadBytes(step.frame.payload ?? '');
        const repeat = typeof step.frame.payload === 'object' && step.frame.payload !== null && 'repeat' in step.frame.payload;
        const sending = client.sendFrame(
          { opcode: step.frame.opcode, payload, fin: step.frame.fin ?? true, rsv: step.frame.rsv ?? 0, repeatLength: repeat ? payload.length : null },
          step.chop ?? 0,
          step.sync ?? false,
        );
        if (step.chop || step.sync) await sending;
        break;
      }
      case 'message':
        await client.sendMessage(payloadBytes(step.payload), step.binary, step.fragmentSize ?? 0);
        break;
      case 'close':
        client.sendCloseFrame(step.code ?? null, step.reason === undefined ? null : payloadBytes(step.reason), false);
        break;
      case 'frameParts': {
        if (!(await sendFrameParts(step, client, received))) return;
        break;
      }
      case 'wait': {
        client.wirelog.add(['CT', step.ms / 1000, step.marker ?? null]);
        await sleep(step.ms, timers);
        if (client.state !== 'open') return;
        client.wirelog.add(['CTE', step.marker ?? null]);
        if (step.marker !== undefined) received.push({ type: 'timeout', marker: step.marker });
        break;
      }
      case 'killAfter':
        client.wirelog.add(['KL', step.ms / 1000]);
        timers.push(
          setTimeout(() => {
            if (client.state === 'closed') return;
            client.wirelog.add(['KLE']);
            client.failConnection();
          }, step.ms),
        );
        break;
      case 'closeAfter':
        client.wirelog.add(['TI', step.ms / 1000]);
        timers.push(
          setTimeout(() => {
            if (client.state === 'closed') return;
            client.wirelog.add(['TIE']);
            closeNormally(null);
          }, step.ms),
        );
        break;
      default:
        throw new Error(`unknown step ${JSON.stringify(step satisfies never)}`);
    }
  }
}

/**
 * One frame whose encoded bytes are written in parts with waits between (Autobahn 6.4.3/6.4.4): the
 * frame header and payload are built once, then `parts[i]` payload bytes go out, then `waits[i]` ms pass;
 * a wait with a marker records it if the connection is still open, and stops the case otherwise.
 */
async function sendFrameParts(step: Extract<Step, { kind: 'frameParts' }>, client: FuzzingClient, received: ObservedEvent[]): Promise<boolean> {
  const payload = payloadBytes(step.frame.payload ?? '');
  const bytes = client.encodeForParts({ opcode: step.frame.opcode, payload, fin: step.frame.fin ?? true, rsv: step.frame.rsv ?? 0 });
  const headerLength = bytes.length - payload.length;
  let offset = 0;
  for (let i = 0; i < step.parts.length; i++) {
    const end = i === 0 ? headerLength + step.parts[0]! : offset + step.parts[i]!;
    await client.writeRaw(bytes.subarray(offset, Math.min(end, bytes.length)));
    offset = end;
    const wait = step.waits?.[i];
    if (wait !== undefined) {
      const marker = step.markers?.[i];
      client.wirelog.add(['CT', wait / 1000, marker ?? null]);
      await sleep(wait, []);
      if (client.state !== 'open') return false;
      client.wirelog.add(['CTE', marker ?? null]);
      if (marker !== undefined && marker !== null) received.push({ type: 'timeout', marker });
    }
  }
  return true;
}

/** Group 9: send, wait for the echo, send the next; OK when every echo has the right type and length in time. */
class EchoState {
  private sent = 0;
  private behavior: Behavior = 'FAILED';
  private result: string;
  private readonly payload: Buffer;

  constructor(
    private readonly def: CaseDef,
    private readonly client: FuzzingClient,
    private readonly started: number,
  ) {
    const timing = def.echoTiming!;
    this.payload = payloadBytes(timing.payload);
    this.result = timing.count > 1
      ? `Case did not finish within ${timing.timeoutMs / 1000} seconds.`
      : `Did not receive message within ${timing.timeoutMs / 1000} seconds.`;
    // Autobahn switches the wire log off while timing, so the log does not distort the measurement.
    client.wirelog.setEnabled(false);
  }

  sendNext(): void {
    const timing = this.def.echoTiming!;
    this.sent++;
    if (timing.fragmentSize) {
      void this.client.sendMessage(this.payload, timing.binary, timing.fragmentSize);
    } else {
      void this.client.sendFrame(
        { opcode: timing.binary ? Opcode.Binary : Opcode.Text, payload: this.payload, repeatLength: this.payload.length },
        timing.chop ?? 0,
      );
    }
  }

  onMessage(data: Buffer, binary: boolean): void {
    const timing = this.def.echoTiming!;
    if (this.client.state !== 'open') return;
    if (binary !== timing.binary || data.length !== this.payload.length) {
      this.behavior = 'FAILED';
      this.result = timing.count > 1
        ? `Echo'ed message type or length differs from what I sent (got binary = ${binary}, payload length = ${data.length}).`
        : `Expected ${timing.binary ? 'binary' : 'text'} message with payload of length ${this.payload.length}, but got ${binary ? 'binary' : 'text'} of length ${data.length}.`;
      this.finish();
      return;
    }
    if (this.sent < timing.count) {
      this.sendNext();
      return;
    }
    this.behavior = 'OK';
    const ms = Math.round(performance.now() - this.started);
    this.result = timing.count > 1
      ? `Ok, received all echo'ed messages in time (${ms} ms).`
      : `Received ${binary ? 'binary' : 'text'} message of length ${data.length} (${ms} ms).`;
    this.finish();
  }

  outcome(): { behavior: Behavior; result: string } {
    return { behavior: this.behavior, result: this.result };
  }

  private finish(): void {
    this.client.wirelog.setEnabled(true);
    this.client.sendCloseFrame(1000, null, false);
  }
}

function eventToJson(event: ObservedEvent): unknown[] {
  if (event.type === 'timeout') return ['timeout', event.marker];
  const preview = textPreviewForEvent(event.payload);
  return event.type === 'message' ? ['message', preview, event.binary] : [event.type, preview];
}

function textPreviewForEvent(payload: Buffer): string {
  // Autobahn's asciiLogData: the first 64 bytes as text, or 0x + hex when they are not UTF-8.
  const cut = payload.length > 60;
  const head = cut ? payload.subarray(0, 64) : payload;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(head) + (cut ? ' ...' : '');
  } catch {
    return '0x' + head.toString('hex') + (cut ? ' ...' : '');
  }
}

function sleep(ms: number, timers: NodeJS.Timeout[]): Promise<void> {
  return new Promise((resolve) => timers.push(setTimeout(resolve, ms)));
}
