import { casePosition, type CaseDef } from '@wsmatrix/cases';
import { freshClosingRecord } from './closing-record.js';
import type { CaseResult } from './result.js';

/**
 * The record of a case that was not played because its server could not be reached ("target down":
 * `isTargetDown` is true for it), in Autobahn's vocabulary.
 */
export function notRunResult(def: CaseDef, agent: string, url: string, reason: string): CaseResult {
  return {
    case: casePosition(def.id) ?? 0,
    id: def.id,
    description: def.description,
    expectation: def.expectation,
    agent,
    started: new Date().toISOString(),
    duration: 0,
    reportTime: false,
    reportCompressionRatio: false,
    // What Autobahn records for a connection that never opened with nothing received.
    behavior: 'FAILED',
    behaviorClose: 'FAILED',
    expected: {},
    expectedClose: def.expectedClose,
    received: [],
    result: `Not run: the server was unreachable (${reason}).`,
    resultClose: 'The WebSocket opening handshake was never completed!',
    wirelog: [],
    wirelogTimes: [],
    createWirelog: false,
    ...freshClosingRecord(),
    wasNotCleanReason: 'server unreachable',
    createStats: false,
    rxOctetStats: {},
    txOctetStats: {},
    rxFrameStats: {},
    txFrameStats: {},
    httpRequest: '',
    httpResponse: '',
    trafficStats: null,
    connectFailure: { kind: 'refused', message: reason },
    url,
  };
}
