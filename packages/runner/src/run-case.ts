import { isHandshakeCase, type CaseDef } from '@wsmatrix/cases';
import { generateKey } from '@wsmatrix/protocol';
import { buildCaseResult } from './case-result.js';
import { CasePlayer, caseHardLimitMs, caseLimits } from './case-player.js';
import { DEFAULT_TIMEOUTS, FuzzingConnection, type ConnectionTimeouts } from './fuzzing-connection.js';
import { standardRequest } from './handshake-request.js';
import { runHandshakeCase } from './handshake-runner.js';
import type { CaseResult } from './result.js';
import { connectFailureText } from './result-texts.js';
import type { RunCaseOptions } from './run-options.js';
import { USER_AGENT } from './user-agent.js';

/**
 * Plays one case against the server at `url` (ws://host:port/path) over a fresh TCP connection, the
 * runner in the client role, and returns Autobahn's record of it with the verdict computed from what
 * was seen. Never hangs: the opening handshake, the close handshake and the server's TCP drop have
 * timeouts, and a watchdog drops the connection once the case's hard limit has passed.
 */
export async function runCase(url: string, def: CaseDef, options: RunCaseOptions = {}): Promise<CaseResult> {
  // Group 0 tests the opening handshake itself: the request is the case.
  if (isHandshakeCase(def)) return runHandshakeCase(url, def, options);
  const timeouts: ConnectionTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const limit = options.hardLimitMs ?? caseHardLimitMs(def, timeouts);
  const connection = new FuzzingConnection(
    'client',
    timeouts,
    caseLimits(def, limit, options.maxMessageSize),
    options.failByDrop ?? false,
  );
  // Frames may arrive with the 101: the player takes the connection's events before it opens.
  const player = new CasePlayer(def, connection, limit);
  const started = new Date();
  const target = new URL(url);
  // AutobahnPython's PerMessageDeflateOffer: always accepts client_no_context_takeover / client_max_window_bits
  // (group 14 may keep its own window and name its own window size instead).
  const offers = (def.deflateOffers ?? []).map((o) => ({
    serverNoContextTakeover: o.requestNoContextTakeover,
    serverMaxWindowBits: o.requestMaxWindowBits,
    clientNoContextTakeover: !o.ownContextTakeover,
    clientMaxWindowBits: o.ownMaxWindowBits ?? true,
  }));
  const request = standardRequest(
    {
      host: target.host,
      path: (target.pathname || '/') + target.search,
      key: generateKey(),
      userAgent: options.userAgent ?? USER_AGENT,
    },
    offers,
  );
  const failure = await connection.connect({ url: target, request, deflateOffers: offers, refusalDropMs: 0 });
  const connectMs = performance.now() - connection.connectStartedAt;
  if (!failure) player.start();
  const played = await player.finish();
  if (failure) played.verdict.result = connectFailureText(failure, connectMs);
  return buildCaseResult(def, connection, {
    verdict: played.verdict,
    agent: options.agent ?? 'server',
    url,
    started,
    durationMs: played.durationMs,
    expected: played.expected,
    received: played.received,
    trafficStats: played.trafficStats,
    ...(played.expectedClose ? { expectedClose: played.expectedClose } : {}),
    connectFailure: failure,
  });
}
