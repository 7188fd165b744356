/**
 * Every wire log entry is timed from one origin, the start of the case's connection attempt: the
 * handshake's entries come first and no time is smaller than the one before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCases } from '@wsmatrix/cases';
import { caseDef } from '@wsmatrix/cases/testing';
import { runCase } from '../src/run-case.js';
import type { CaseResult } from '../src/result.js';
import { startFaultyServer, type FaultyServer } from './fixtures/faulty-server.js';

let server: FaultyServer;
beforeAll(async () => {
  server = await startFaultyServer();
});
afterAll(async () => {
  await server.close();
});

function expectNonDecreasing(r: CaseResult): void {
  expect(r.wirelogTimes).toHaveLength(r.wirelog.length);
  expect(r.wirelogTimes[0], r.id).toBeGreaterThanOrEqual(0);
  for (let i = 1; i < r.wirelogTimes.length; i++) {
    if (r.wirelogTimes[i]! < r.wirelogTimes[i - 1]!) {
      throw new Error(
        `${r.id}: entry ${i} (${JSON.stringify(r.wirelog[i]).slice(0, 40)}) ` +
          `at ${r.wirelogTimes[i]} ms comes after ${r.wirelogTimes[i - 1]} ms`,
      );
    }
  }
}

describe('wire log times', () => {
  // Pings and Pongs, a fragmented message with pauses, a Close from the server, a chopped frame.
  for (const id of ['2.10', '5.19', '6.4.3', '7.7.1', '1.1.8']) {
    it(`${id}: the handshake entries first, then every later entry, never decreasing`, async () => {
      const r = await runCase(server.url, caseDef(id));
      expect(r.connectFailure).toBeNull();
      // The request goes out as octets before any frame, and the response head arrives before any frame.
      expect(r.wirelog[0]![0]).toBe('TO');
      expect(r.wirelog[1]![0]).toBe('RO');
      expect(r.wirelog.findIndex((e) => e[0] === 'TF' || e[0] === 'RF')).toBeGreaterThan(1);
      expectNonDecreasing(r);
    });
  }

  it('a group 0 (opening handshake) case too', async () => {
    const def = allCases.find((c) => c.id.startsWith('0.'))!;
    const r = await runCase(server.url, def);
    expect(r.wirelog.length).toBeGreaterThan(0);
    expectNonDecreasing(r);
  });
});
