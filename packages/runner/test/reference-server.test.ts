/**
 * A correct echo server (ws, with its fragment cap lifted so the 4 MiB / 64-octet fragment cases fit)
 * gets no FAILED anywhere in 1-10; the only non-OK verdicts are the ones Autobahn gives it too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
// Autobahn's cases only: group 0 (handshake) has its own tests in handshake-cases.test.ts.
import { autobahnCases as allCases } from '@wsmatrix/cases';
import { runSuite, type SuiteResult } from '../src/suite.js';
import { describeResult } from './helpers.js';

/** Cases whose NON-STRICT outcome is timing-dependent (Autobahn's own list). */
const MAY_BE_NON_STRICT = ['3.2', '3.3', '3.4', '4.1.3', '4.1.4', '4.1.5', '4.2.3', '4.2.4', '4.2.5', '5.15'];
/** ws validates UTF-8 when the message is complete, not as fragments arrive. */
const WS_VALIDATES_AT_END = ['6.4.1', '6.4.2', '6.4.3', '6.4.4'];
const INFORMATIONAL = ['7.1.6', '7.13.1', '7.13.2'];

let wss: WebSocketServer;
let url: string;
let suite: SuiteResult;
let maxOpenDuringTiming = 0;

beforeAll(async () => {
  wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    maxPayload: 64 * 1024 * 1024,
    perMessageDeflate: false,
    maxFragments: 0,
  } as never);
  await new Promise((resolve) => wss.on('listening', resolve));
  let open = 0;
  wss.on('connection', (ws) => {
    open++;
    let timing = false;
    ws.on('message', (data: Buffer, isBinary) => {
      // Only group 9 sends messages of 1 MiB and more.
      if (!timing && data.length >= 1024 * 1024) timing = true;
      if (timing) maxOpenDuringTiming = Math.max(maxOpenDuringTiming, open);
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', () => open--);
    ws.on('error', () => undefined);
  });
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  suite = await runSuite({ url, agent: 'ws', cases: allCases });
}, 80_000);

afterAll(() => new Promise<void>((resolve) => wss.close(() => resolve())));

describe('against ws 8 (correct echo server)', () => {
  it('plays all 517 cases with no FAILED verdict; without deflate, 12.x and 13.x are UNIMPLEMENTED', () => {
    expect(suite.results).toHaveLength(517);
    const failed = suite.results.filter(
      (r) => r.behavior === 'FAILED' || !['OK', 'INFORMATIONAL'].includes(r.behaviorClose),
    );
    expect(failed.map(describeResult)).toEqual([]);
    const compression = suite.results.filter((r) => /^1[23]\./.test(r.id));
    expect(compression).toHaveLength(216);
    for (const r of compression) {
      expect([r.id, r.behavior, r.behaviorClose, r.remoteCloseCode]).toEqual([r.id, 'UNIMPLEMENTED', 'OK', 1000]);
      expect(r.reportCompressionRatio).toBe(true);
      expect(r.trafficStats).toBeNull();
    }
  });

  it('gives non-OK verdicts only where Autobahn does', () => {
    for (const r of suite.results) {
      if (INFORMATIONAL.includes(r.id))
        expect([r.id, r.behavior, r.behaviorClose]).toEqual([r.id, 'INFORMATIONAL', 'INFORMATIONAL']);
      else if (WS_VALIDATES_AT_END.includes(r.id)) expect([r.id, r.behavior]).toEqual([r.id, 'NON-STRICT']);
      else if (MAY_BE_NON_STRICT.includes(r.id)) expect(['OK', 'NON-STRICT']).toContain(r.behavior);
      else if (/^1[23]\./.test(r.id)) expect(r.behavior).toBe('UNIMPLEMENTED');
      else expect(describeResult(r)).toContain(`${r.id}: OK/OK`);
    }
  });

  it('reports the timing cases with their durations and runs them alone', () => {
    const timing = suite.results.filter((r) => r.id.startsWith('9.'));
    expect(timing).toHaveLength(54);
    for (const r of timing) expect(r.reportTime).toBe(true);
    expect(maxOpenDuringTiming).toBe(1);
  });

  it('checks its own transmitted frame counts on 10.1.1', () => {
    const r = suite.results.find((x) => x.id === '10.1.1')!;
    expect(r.txFrameStats[1]).toBe(1);
    expect(r.txFrameStats[0]).toBe(50);
  });
});
