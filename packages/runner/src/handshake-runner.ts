/**
 * Plays a group 0 case (the server's opening handshake) on the same connection engine as every case:
 * the case's raw request goes out, and the verdict comes from the status line and headers that came back
 * (handshake-verdict.ts). After a refusal the server should end TCP (serverConnectionDropMs); after a
 * 101 the runner waits for the echo of a pipelined frame (closeHandshakeMs), sends Close 1000 and the
 * engine's close handshake and server drop timeouts apply. A violation after the 101 drops the
 * connection (failByDrop): the case is about the handshake, not the frames.
 */
import { HANDSHAKE_RESPONSE_WINDOW_MS, type HandshakeCaseDef } from '@wsmatrix/cases';
import { Opcode, generateKey } from '@wsmatrix/protocol';
import { buildCaseResult } from './case-result.js';
import { DEFAULT_TIMEOUTS, FuzzingConnection, type ConnectionTimeouts } from './fuzzing-connection.js';
import { buildHandshakeRequest } from './handshake-request.js';
import { handshakeVerdict, type EchoOutcome, type HandshakeObservation } from './handshake-verdict.js';
import { connectFailureText } from './result-texts.js';
import type { CaseResult } from './result.js';
import type { RunCaseOptions } from './run-options.js';
import { USER_AGENT } from './user-agent.js';
import type { Verdict } from './verdict.js';

/** Bytes a server may send in one group 0 case (a refusal's body, frames after a 101) before it is cut off. */
const MAX_RECEIVED_BYTES = 1024 * 1024;
/** Largest message read after a 101 (the echo of a short pipelined frame). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Messages, Pongs and control frames a server may send after a 101 in a group 0 case. */
const MAX_EVENTS = 1000;
/** Added to the summed phase deadlines before the watchdog drops the socket, whatever state it is in. */
const WATCHDOG_MARGIN_MS = 2000;

/** What the connection saw of the server's answer, as the group 0 verdict reads it; null if TCP never connected. */
function observe(
  connection: FuzzingConnection,
  windowMs: number,
  echo: EchoOutcome | null,
): HandshakeObservation | null {
  if (connection.tcpConnectedAt === 0) return null;
  const head = connection.response;
  const received = connection.receivedBytes;
  if (head) {
    const gotClose = (connection.stats.rxFrameStats[Opcode.Close] ?? 0) > 0;
    return {
      kind: 'response',
      status: head.status,
      reason: head.reason,
      headers: head.headers,
      rawHead: connection.httpResponse,
      upgrade: head.status === 101 ? connection.upgradeCheck : null,
      echo,
      endedCleanly: !connection.record.droppedByMe && (head.status !== 101 || gotClose),
    };
  }
  if (connection.headError !== null) return { kind: 'invalid', message: connection.headError };
  if (connection.record.wasOpenHandshakeTimeout) {
    return received === 0
      ? { kind: 'silent', windowMs }
      : { kind: 'invalid', message: `the response head was still incomplete after ${windowMs} ms` };
  }
  return received === 0
    ? { kind: 'closed', socketError: connection.socketError }
    : { kind: 'invalid', message: `the connection ended inside the response head, after ${received} bytes` };
}

export async function runHandshakeCase(
  url: string,
  def: HandshakeCaseDef,
  options: RunCaseOptions = {},
): Promise<CaseResult> {
  // The response window is the case's; a caller's openHandshakeMs (tests) shortens it.
  const windowMs = options.timeouts?.openHandshakeMs ?? def.timeLimitMs ?? HANDSHAKE_RESPONSE_WINDOW_MS;
  const timeouts: ConnectionTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts, openHandshakeMs: windowMs };
  const target = new URL(url);
  const request = buildHandshakeRequest(def.handshake.request, {
    host: target.host,
    path: (target.pathname || '/') + target.search,
    key: generateKey(),
    userAgent: options.userAgent ?? USER_AGENT,
  });
  const connection = new FuzzingConnection(
    'client',
    timeouts,
    {
      maxMessageSize: MAX_MESSAGE_BYTES,
      maxReceivedBytes: MAX_RECEIVED_BYTES,
      maxEvents: MAX_EVENTS,
      maxControlFrames: MAX_EVENTS,
    },
    true,
  );
  const pipelinedText = def.handshake.request.pipelinedText;
  let echo: EchoOutcome | null = null;
  connection.setHandlers({
    onMessage: (data, binary) => {
      if (pipelinedText === undefined || echo !== null) return;
      echo = !binary && data.toString('utf8') === pipelinedText ? 'echoed' : 'wrong';
      connection.sendCloseFrame(1000, null, false);
    },
    onPong: () => undefined,
  });
  const started = new Date();
  const watchdog = setTimeout(
    () => connection.abort('watchdog'),
    timeouts.connectMs +
      windowMs +
      2 * timeouts.closeHandshakeMs +
      timeouts.serverConnectionDropMs +
      WATCHDOG_MARGIN_MS,
  );
  let echoTimer: NodeJS.Timeout | undefined;
  const failure = await connection.connect({
    url: target,
    request,
    deflateOffers: [],
    refusalDropMs: timeouts.serverConnectionDropMs,
  });
  // The pipelined frame's echo may have come with the 101 and closed already.
  if (connection.state === 'open') {
    if (pipelinedText === undefined) connection.sendCloseFrame(1000, null, false);
    else
      echoTimer = setTimeout(() => {
        echo ??= 'missing';
        connection.sendCloseFrame(1000, null, false);
      }, timeouts.closeHandshakeMs);
  }
  await connection.lost;
  clearTimeout(watchdog);
  clearTimeout(echoTimer);

  const observation = observe(connection, windowMs, echo);
  const durationMs = Math.round(connection.lostAt - (connection.tcpConnectedAt || connection.connectStartedAt));
  let verdict: Verdict;
  if (observation === null) {
    verdict = {
      behavior: 'FAILED',
      behaviorClose: 'FAILED',
      result: failure ? connectFailureText(failure, durationMs) : 'Could not open the TCP connection: no observation.',
      resultClose: 'The opening handshake was never sent.',
    };
  } else {
    verdict = handshakeVerdict(def.handshake, observation);
  }
  return buildCaseResult(def, connection, {
    verdict,
    agent: options.agent ?? 'server',
    url,
    started,
    durationMs,
    expectation: `${def.expectation} Rule: ${def.handshake.rule}`,
    // Head only (a 20 KiB filler stays readable in the report); the body or pipelined frame is in the wire log.
    httpRequest:
      request.head.length > 4096 ? `${request.head.slice(0, 4096)}… (${request.head.length} chars)` : request.head,
    // A server that answered (whatever it answered) was reachable: only a failed TCP connect is a failure.
    connectFailure: observation === null ? failure : null,
  });
}
