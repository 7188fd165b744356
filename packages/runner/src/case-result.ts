import { casePosition, type CaseDef, type ExpectedClose } from '@wsmatrix/cases';
import { eventToJson } from './events.js';
import type { ConnectFailure, FuzzingConnection } from './fuzzing-connection.js';
import type { CaseResult } from './result.js';
import type { TrafficStatsJson } from './traffic-stats.js';
import type { ExpectedSequences, ObservedEvent, Verdict } from './verdict.js';

/** What the case's engine decided and measured; the connection supplies the rest. */
export interface CaseOutcome {
  verdict: Verdict;
  agent: string;
  /** Where the case was played: the server's URL, or the URL the client asked for (server role). */
  url: string;
  started: Date;
  durationMs: number;
  expected?: ExpectedSequences;
  received?: readonly ObservedEvent[];
  trafficStats?: TrafficStatsJson | null;
  connectFailure?: ConnectFailure | null;
  /** The close rule the verdict applied, when not the case's own (group 14 picks it by how the case ended). */
  expectedClose?: ExpectedClose;
  /** Overrides the case's own expectation text (group 0 adds its rule). */
  expectation?: string;
  /** Overrides the request head as recorded (group 0 cuts long heads). */
  httpRequest?: string;
}

/**
 * The one way a case's record is made, in either role, with Autobahn's field names (fuzzing.py
 * connectionLost): the case, the verdict, and what the connection saw and recorded.
 */
export function buildCaseResult(def: CaseDef, connection: FuzzingConnection, outcome: CaseOutcome): CaseResult {
  const { verdict } = outcome;
  const log = connection.wirelog.snapshot();
  return {
    case: casePosition(def.id) ?? 0,
    id: def.id,
    description: def.description,
    expectation: outcome.expectation ?? def.expectation,
    agent: outcome.agent,
    started: outcome.started.toISOString(),
    duration: outcome.durationMs,
    reportTime: def.reportTime ?? false,
    reportCompressionRatio: def.reportCompressionRatio ?? false,
    behavior: verdict.behavior,
    behaviorClose: verdict.behaviorClose,
    expected: Object.fromEntries(Object.entries(outcome.expected ?? {}).map(([k, seq]) => [k, seq.map(eventToJson)])),
    expectedClose: outcome.expectedClose ?? def.expectedClose,
    received: (outcome.received ?? []).map(eventToJson),
    result: verdict.result,
    resultClose: verdict.resultClose,
    wirelog: log.entries,
    wirelogTimes: log.times,
    createWirelog: true,
    ...connection.record,
    createStats: true,
    ...connection.stats,
    httpRequest: outcome.httpRequest ?? connection.httpRequest,
    httpResponse: connection.httpResponse,
    trafficStats: outcome.trafficStats ?? null,
    connectFailure: outcome.connectFailure ?? null,
    url: outcome.url,
  };
}
