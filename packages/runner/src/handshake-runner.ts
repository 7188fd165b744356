/**
 * Plays a group 0 case (opening handshake) and reports it as a CaseResult like any other case, so the
 * index, the per-case reports and the matrix show it. The request goes out as raw bytes; the verdict
 * comes from the status line and headers that came back (handshake-verdict.ts).
 */
import { HANDSHAKE_RESPONSE_WINDOW_MS, type HandshakeCaseDef } from '@wsmatrix/cases';
import { generateKey } from '@wsmatrix/protocol';
import { DEFAULT_TIMEOUTS, type ClientTimeouts } from './fuzzing-client.js';
import { buildHandshakeRequest } from './handshake-request.js';
import { probeHandshake } from './handshake-probe.js';
import { handshakeVerdict } from './handshake-verdict.js';
import { connectFailureText } from './result-texts.js';
import type { CaseResult } from './result.js';
import type { RunCaseOptions } from './run-options.js';
import { USER_AGENT } from './user-agent.js';
import type { Verdict } from './verdict.js';

export async function runHandshakeCase(
  url: string,
  def: HandshakeCaseDef,
  options: RunCaseOptions = {},
): Promise<CaseResult> {
  const timeouts: ClientTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // The response window is the case's; a caller's openHandshakeMs (tests) shortens it.
  const windowMs = options.timeouts?.openHandshakeMs ?? def.timeLimitMs ?? HANDSHAKE_RESPONSE_WINDOW_MS;
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port || 80);
  const request = buildHandshakeRequest(def.handshake.request, {
    host: target.host,
    path: (target.pathname || '/') + target.search,
    key: generateKey(),
    userAgent: options.userAgent ?? USER_AGENT,
  });
  const started = new Date();
  const outcome = await probeHandshake(host, port, request, def.handshake.request.pipelinedText, timeouts, windowMs);

  let verdict: Verdict;
  if (outcome.failure || outcome.observation === null) {
    verdict = {
      behavior: 'FAILED',
      behaviorClose: 'FAILED',
      result: outcome.failure
        ? connectFailureText(outcome.failure, outcome.durationMs)
        : 'Could not open the TCP connection: no observation.',
      resultClose: 'The opening handshake was never sent.',
    };
  } else {
    verdict = handshakeVerdict(def.handshake, outcome.observation);
  }
  const log = outcome.wirelog.snapshot();
  return {
    case: 0,
    id: def.id,
    description: def.description,
    expectation: `${def.expectation} Rule: ${def.handshake.rule}`,
    agent: options.agent ?? 'server',
    started: started.toISOString(),
    duration: outcome.durationMs,
    reportTime: false,
    reportCompressionRatio: false,
    behavior: verdict.behavior,
    behaviorClose: verdict.behaviorClose,
    expected: {},
    expectedClose: def.expectedClose,
    received: [],
    result: verdict.result,
    resultClose: verdict.resultClose,
    wirelog: log.entries,
    wirelogTimes: log.times,
    createWirelog: true,
    ...outcome.record,
    createStats: true,
    ...outcome.stats,
    // Head only (a 20 KiB filler stays readable in the report); the body or pipelined frame is in the wire log.
    httpRequest:
      request.head.length > 4096 ? `${request.head.slice(0, 4096)}… (${request.head.length} chars)` : request.head,
    httpResponse: outcome.httpResponse,
    trafficStats: null,
    connectFailure: outcome.failure,
    url,
  };
}
