import type net from 'node:net';
import { isClientHandshakeCase, isHandshakeCase, type CaseDef } from '@wsmatrix/cases';
import { buildErrorResponse, type HttpRequestHead } from '@wsmatrix/protocol';
import { buildCaseResult } from './case-result.js';
import { CasePlayer, caseHardLimitMs, caseLimits } from './case-player.js';
import { playClientHandshakeCase } from './client-handshake/index.js';
import { DEFAULT_TIMEOUTS, FuzzingConnection, type ServerAnswer } from './fuzzing-connection.js';
import type { CaseResult } from './result.js';
import type { ServerCaseOptions } from './run-options.js';
import { answerUpgradeRequest } from './server-opening.js';
import { USER_AGENT } from './user-agent.js';

/** A client's upgrade request as the caller read it off the socket. */
export interface ReceivedUpgradeRequest {
  /** The parsed head (HttpHeadParser('request')). */
  head: HttpRequestHead;
  /** The head's bytes exactly as received, blank line included. */
  raw: Buffer;
  /** Bytes read after the head (frames a client pipelined), fed to the connection once the case starts. */
  rest: Buffer;
}

/** The answer of a request the runner refuses, as the connection writes it. */
function refusal(status: number, message: string, headers: Array<[string, string]> = []): ServerAnswer {
  return { ok: false, response: buildErrorResponse(status, message, headers), reason: message };
}

/**
 * Plays `def` as the server against the client whose upgrade request was just read from `socket`
 * (Autobahn's fuzzingserver /runCase): validates the request, negotiates permessage-deflate as Autobahn
 * does for the case, answers 101 and plays the case from the same catalogue and with the same engine and
 * verdict function as the client role. Frames go out unmasked; the client's must be masked. Resolves once
 * the TCP connection is gone. An invalid request is refused with its HTTP status (400, or 405/426/505
 * where RFC 6455 §4.2.1 / RFC 7231 name one) and a one-line reason, and gives a FAILED result saying why.
 * The caller hands the socket over with none of its own listeners left on it. A client group 0 case
 * (isClientHandshakeCase) goes to its own engine, client-handshake/index.ts.
 */
export async function playCaseAsServer(
  socket: net.Socket,
  request: ReceivedUpgradeRequest,
  def: CaseDef,
  options: ServerCaseOptions,
): Promise<CaseResult> {
  // The client's own opening handshake is the case (client group 0): its engine sends the case's response.
  if (isClientHandshakeCase(def)) {
    const closeHandshakeMs = options.timeouts?.closeHandshakeMs;
    return playClientHandshakeCase(socket, request, def, {
      agent: options.agent,
      ...(options.caseNumber === undefined ? {} : { caseNumber: options.caseNumber }),
      ...(closeHandshakeMs === undefined ? {} : { closeHandshakeMs }),
    });
  }
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limit = options.hardLimitMs ?? caseHardLimitMs(def, timeouts);
  const connection = new FuzzingConnection(
    'server',
    timeouts,
    caseLimits(def, limit, options.maxMessageSize),
    options.failByDrop ?? false,
  );
  const player = new CasePlayer(def, connection, limit);
  const started = new Date();
  const { head } = request;
  const url = `ws://${head.headers.get('host') ?? ''}${head.target}`;

  let answer: ServerAnswer;
  if (isHandshakeCase(def)) {
    answer = refusal(400, `case ${def.id} tests a server's opening handshake and cannot be played against a client`);
  } else {
    const opening = answerUpgradeRequest(head, def, options.serverName ?? USER_AGENT);
    answer = opening.ok
      ? { ok: true, response: opening.response, deflate: opening.deflate }
      : refusal(opening.status, opening.message, opening.headers);
  }
  connection.accept(socket, request, answer, () => player.start());
  const played = await player.finish();
  await connection.lost;
  if (!answer.ok) {
    played.verdict.result = `The client's upgrade request was refused: ${answer.reason}.`;
    played.verdict.resultClose = 'The WebSocket opening handshake was never completed!';
  }
  const result = buildCaseResult(def, connection, {
    verdict: played.verdict,
    agent: options.agent,
    url,
    started,
    durationMs: played.durationMs,
    expected: played.expected,
    received: played.received,
    trafficStats: played.trafficStats,
    ...(played.expectedClose ? { expectedClose: played.expectedClose } : {}),
    connectFailure: answer.ok ? null : { kind: 'handshake-rejected', message: answer.reason },
  });
  return options.caseNumber === undefined ? result : { ...result, case: options.caseNumber };
}
