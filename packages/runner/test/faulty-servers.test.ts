/**
 * Each fixture breaks exactly one rule. The runner must flag exactly the cases that test that rule and
 * pass every other case of groups 1-7 and 10 (group 9 is timing, covered against the reference server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Autobahn's cases only: group 0 (handshake) has its own tests in handshake-cases.test.ts.
import { autobahnCases as allCases } from '@wsmatrix/cases';
import { startFaultyServer, type Faults, type FaultyServer } from './fixtures/faulty-server.js';
import { NON_TIMING_CASES, describeResult, flaggedIds, idsWithPrefix, play } from './helpers.js';

const byId = new Map(allCases.map((c) => [c.id, c]));
/** Invalid-UTF-8 text cases: the server must fail with 1007 and must be the one to close. */
const INVALID_UTF8 = allCases.filter((c) => c.expectedClose.closedByWrongEndpointIsFatal).map((c) => c.id);
/**
 * Cases in which the runner starts the close, minus the informational ones and 7.3.6, whose 126-octet
 * Close breaks the control frame size rule and is failed (1002) before any close handling.
 */
const RUNNER_CLOSES = allCases
  .filter(
    (c) =>
      c.expectedClose.closedByMe && !c.informational && !c.id.startsWith('9.') && !c.compressedEcho && c.id !== '7.3.6',
  )
  .map((c) => c.id);

interface Expectation {
  faults: Faults;
  flagged: string[];
  /** Extra check on the flagged cases' verdicts. */
  verdicts?: Record<string, [string, string]>;
}

const FIXTURES: Record<string, Expectation> = {
  'accepts RSV bits': { faults: { acceptRsv: true }, flagged: ['3.1', '3.2', '3.3', '3.4', '3.5', '3.6'] },
  'accepts reserved opcodes': { faults: { acceptReservedOpcodes: true }, flagged: idsWithPrefix('4') },
  'never answers pings': {
    faults: { noPong: true },
    flagged: ['2.1', '2.2', '2.3', '2.4', '2.6', '2.9', '2.10', '2.11', '5.6', '5.7', '5.8', '5.19', '5.20'],
  },
  'skips UTF-8 validation': { faults: { skipUtf8: true }, flagged: INVALID_UTF8 },
  'validates UTF-8 only at message end': {
    faults: { utf8AtEndOnly: true },
    flagged: ['6.4.1', '6.4.2', '6.4.3', '6.4.4'],
    verdicts: Object.fromEntries(['6.4.1', '6.4.2', '6.4.3', '6.4.4'].map((id) => [id, ['NON-STRICT', 'OK']])),
  },
  'accepts oversized or fragmented control frames': {
    faults: { acceptBadControl: true },
    flagged: ['2.5', '5.1', '5.2', '7.3.6'],
  },
  'accepts continuation frames with no message': {
    faults: { acceptStrayContinuation: true },
    flagged: ['5.9', '5.10', '5.11', '5.12', '5.13', '5.14', '5.15', '5.16', '5.17'],
  },
  'accepts invalid close codes': {
    faults: { acceptInvalidCloseCodes: true },
    flagged: idsWithPrefix('7.9'),
    verdicts: Object.fromEntries(idsWithPrefix('7.9').map((id) => [id, ['FAILED', 'WRONG CODE']])),
  },
  'never answers a close': { faults: { neverAnswerClose: true }, flagged: RUNNER_CLOSES },
};

describe('the reference fixture (no fault)', () => {
  let server: FaultyServer;
  beforeAll(async () => (server = await startFaultyServer()));
  afterAll(() => server.close());

  it('passes every case of groups 1-7 and 10, with OK (not NON-STRICT) on 6.4.x', async () => {
    const results = await play(server.url, NON_TIMING_CASES);
    expect(results.size).toBe(247);
    expect(flaggedIds(results).map((id) => describeResult(results.get(id)!))).toEqual([]);
    for (const id of ['6.4.1', '6.4.2', '6.4.3', '6.4.4']) expect(results.get(id)!.behavior).toBe('OK');
  });
});

for (const [name, { faults, flagged, verdicts }] of Object.entries(FIXTURES)) {
  describe(`a server that ${name}`, () => {
    let server: FaultyServer;
    beforeAll(async () => (server = await startFaultyServer(faults)));
    afterAll(() => server.close());

    it('is flagged on exactly the cases testing that rule', async () => {
      const results = await play(server.url, NON_TIMING_CASES);
      const got = flaggedIds(results);
      const want = flagged.filter((id) => byId.has(id));
      expect(want.length).toBeGreaterThan(0);
      // On mismatch, show the verdicts that differ.
      const unexpected = got.filter((id) => !want.includes(id)).map((id) => describeResult(results.get(id)!));
      const missed = want.filter((id) => !got.includes(id)).map((id) => describeResult(results.get(id)!));
      expect({ unexpected, missed }).toEqual({ unexpected: [], missed: [] });
      for (const [id, [behavior, behaviorClose]] of Object.entries(verdicts ?? {})) {
        expect(describeResult(results.get(id)!)).toContain(`${id}: ${behavior}/${behaviorClose}`);
      }
    });
  });
}
