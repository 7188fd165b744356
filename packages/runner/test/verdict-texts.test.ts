/**
 * A case whose connection never opened is never passed, and the result texts say what happened and
 * when: who ended the connection and after how long, not the case's full timeout it never reached.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isTargetDown, resultPassed } from '../src/pass-rules.js';
import { runCase } from '../src/run-case.js';
import { runSuite } from '../src/suite.js';
import type { ConnectFailure } from '../src/fuzzing-connection.js';
import { afterUpgrade, hostileServers, onRequestHead, refusedUrl } from './fixtures/hostile-server.js';
import { caseDef as def } from '@wsmatrix/cases/testing';

const servers = hostileServers();
afterEach(() => servers.closeAll());
const serve = servers.serve;

const SECONDS = String.raw`\d+\.\d\d s`;
/** A destroy with unread bytes in the server's buffer is a reset; without, a plain drop. */
const DROPPED = String.raw`The server (dropped the TCP connection|reset the connection \(ECONNRESET[^)]*\))`;

describe('never opened is never passed', () => {
  it('5.1 against a server that never answers the upgrade: FAILED, not OK, and not passed', async () => {
    const url = await serve(() => undefined);
    const r = await runCase(url, def('5.1'), { timeouts: { openHandshakeMs: 200 } });
    expect(r.connectFailure?.kind).toBe('handshake-timeout');
    expect([r.behavior, r.behaviorClose]).toEqual(['FAILED', 'FAILED']);
    expect(r.result).toMatch(
      new RegExp(
        '^The WebSocket connection never opened: no complete handshake response ' +
          `within 200 ms \\(after ${SECONDS}\\)\\.$`,
      ),
    );
    expect(resultPassed(r)).toBe(false);
    expect(isTargetDown(r)).toBe(false);
  });

  it('an informational case (7.13.1) whose handshake is refused is FAILED too', async () => {
    const url = await serve(onRequestHead((_h, s) => s.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')));
    const r = await runCase(url, def('7.13.1'));
    expect(r.connectFailure?.kind).toBe('handshake-rejected');
    expect([r.behavior, r.behaviorClose]).toEqual(['FAILED', 'FAILED']);
  });

  it('resultPassed is false whenever connectFailure is set, whatever behavior holds', () => {
    const failure: ConnectFailure = { kind: 'lost', message: 'gone' };
    expect(resultPassed({ behavior: 'OK', behaviorClose: 'OK', connectFailure: null })).toBe(true);
    expect(resultPassed({ behavior: 'OK', behaviorClose: 'OK' })).toBe(true);
    expect(resultPassed({ behavior: 'OK', behaviorClose: 'OK', connectFailure: failure })).toBe(false);
    expect(resultPassed({ behavior: 'INFORMATIONAL', behaviorClose: 'INFORMATIONAL', connectFailure: failure })).toBe(
      false,
    );
    expect(resultPassed({ behavior: 'NON-STRICT', behaviorClose: 'OK', connectFailure: null })).toBe(true);
    expect(resultPassed({ behavior: 'FAILED', behaviorClose: 'OK', connectFailure: null })).toBe(false);
  });

  it('isTargetDown only for a refused TCP connection', () => {
    expect(isTargetDown({ connectFailure: { kind: 'refused', message: 'ECONNREFUSED' } })).toBe(true);
    for (const kind of ['connect-timeout', 'handshake-timeout', 'handshake-rejected', 'lost'] as const) {
      expect(isTargetDown({ connectFailure: { kind, message: '' } }), kind).toBe(false);
    }
    expect(isTargetDown({ connectFailure: null })).toBe(false);
  });
});

describe('a dead target', () => {
  it('is reported once, every row target down in Autobahn vocabulary with an "unreachable" text', async () => {
    const url = await refusedUrl();
    const down: string[] = [];
    const byAgent = await runSuite({
      servers: [{ agent: 'dead', url }],
      cases: ['1.1.1', '1.1.2', '2.1', '5.1', '7.1.1', '9.1.1'].map(def),
      onTargetDown: (agent, reason) => down.push(`${agent}: ${reason}`),
    });
    expect(down).toHaveLength(1);
    expect(down[0]).toMatch(/^dead: .*ECONNREFUSED/);
    const results = byAgent.get('dead')!;
    expect(results).toHaveLength(6);
    for (const r of results) {
      expect(isTargetDown(r), r.id).toBe(true);
      expect(resultPassed(r), r.id).toBe(false);
      expect([r.behavior, r.behaviorClose], r.id).toEqual(['FAILED', 'FAILED']);
      expect(r.result, r.id).toMatch(/^Not run: the server was unreachable \(.*ECONNREFUSED.*\)\.$/);
    }
  });
});

describe('result texts say what happened and when', () => {
  it('9.1.1 dropped by the server at once: the drop and its time, not "within 10 seconds"', async () => {
    const url = await serve(afterUpgrade((s) => s.once('data', () => s.destroy())));
    const r = await runCase(url, def('9.1.1'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(new RegExp(`^${DROPPED} after ${SECONDS}, before the expected message arrived\\.$`));
  });

  it(
    '9.1.1 answered with a reserved opcode: the runner failed the connection, ' +
      'and the text names the violation by its code',
    async () => {
      const url = await serve(afterUpgrade((s) => s.once('data', () => s.end(Buffer.from([0x83, 0x00])))));
      const r = await runCase(url, def('9.1.1'));
      expect([r.behavior, r.localCloseCode]).toEqual(['FAILED', 1002]);
      expect(r.result).toMatch(
        new RegExp(
          '^The runner failed the connection \\(close code 1002, WS_ERR_INVALID_OPCODE: reserved opcode 0x3\\) ' +
            `after ${SECONDS}, before the expected message arrived\\.$`,
        ),
      );
    },
  );

  it('9.7.1 (many messages) closed by the server with 1001: its Close, its code and its time', async () => {
    const id = '9.7.1';
    expect(def(id).echoTiming!.count).toBeGreaterThan(1);
    const url = await serve(afterUpgrade((s) => s.once('data', () => s.end(Buffer.from([0x88, 0x02, 0x03, 0xe9])))));
    const r = await runCase(url, def(id));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(
      new RegExp(
        `^The server closed the connection \\(close code 1001\\) after ${SECONDS}, ` +
          'before all \\d+ echoes arrived \\(0 did\\)\\.$',
      ),
    );
  });

  it('12.1.1 with deflate accepted, then dropped: not "did not finish within N seconds"', async () => {
    const url = await serve(
      afterUpgrade((s) => s.once('data', () => s.destroy()), 'Sec-WebSocket-Extensions: permessage-deflate\r\n'),
    );
    const r = await runCase(url, def('12.1.1'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(
      new RegExp(`^${DROPPED} after ${SECONDS}, before all \\d+ echoes arrived \\(0 did\\)\\.$`),
    );
  });
});
