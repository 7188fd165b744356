/** Autobahn's verdict rules as a pure function: the order of the close checks and the special rules. */
import { describe, expect, it } from 'vitest';
import { caseDef } from '@wsmatrix/cases/testing';
import { autobahnAcceptsCloseCode } from '../src/autobahn-close.js';
import { computeVerdict, type ObservedEvent } from '../src/verdict.js';
import { expandExpected } from '../src/events.js';
import type { ClosingRecord } from '../src/closing-record.js';
import { cleanCloseByRunner } from '../testing/index.js';

function verdict(
  id: string,
  received: ObservedEvent[],
  record: Partial<ClosingRecord>,
  open = true,
  tx: Record<number, number> = {},
) {
  const def = caseDef(id);
  return computeVerdict({
    def,
    expected: expandExpected(def),
    received,
    connectionWasOpen: open,
    record: { ...cleanCloseByRunner(), ...record },
    txFrameStats: tx,
  });
}
const text = (s: string): ObservedEvent => ({ type: 'message', payload: Buffer.from(s), binary: false });

describe('computeVerdict', () => {
  it('matches the events exactly (type, payload and binary flag)', () => {
    expect(verdict('7.1.1', [text('Hello World!')], {}).behavior).toBe('OK');
    expect(
      verdict('7.1.1', [{ type: 'message', payload: Buffer.from('Hello World!'), binary: true }], {}).behavior,
    ).toBe('FAILED');
    expect(verdict('3.2', [], { closedByMe: false, remoteCloseCode: 1002 }).behavior).toBe('NON-STRICT');
  });

  it('checks the close in Autobahn order: never open, wrong endpoint, unclean, wrong code, dropped by me', () => {
    expect(verdict('1.1.1', [], {}, false).behaviorClose).toBe('FAILED');
    expect(verdict('1.1.1', [], { closedByMe: false }).behaviorClose).toBe('FAILED');
    expect(verdict('1.1.1', [], { wasClean: false, remoteCloseCode: 1002 }).behaviorClose).toBe('UNCLEAN');
    expect(verdict('1.1.1', [], { remoteCloseCode: 1001 }).behaviorClose).toBe('WRONG CODE');
    expect(verdict('3.1', [], { closedByMe: false, remoteCloseCode: null, droppedByMe: true }).behaviorClose).toBe(
      'FAILED BY CLIENT',
    );
    expect(verdict('3.1', [], { closedByMe: false, remoteCloseCode: null }).behaviorClose).toBe('OK');
  });

  it('fails both verdicts of a case whose connection never opened, even one expecting no events (5.1)', () => {
    // With the connection open and nothing received, 5.1 passes: the server failed the connection.
    expect(verdict('5.1', [], { closedByMe: false, remoteCloseCode: 1002 })).toMatchObject({
      behavior: 'OK',
      behaviorClose: 'OK',
    });
    expect(verdict('5.1', [], {}, false)).toMatchObject({ behavior: 'FAILED', behaviorClose: 'FAILED' });
    expect(verdict('7.13.1', [], {}, false)).toMatchObject({ behavior: 'FAILED', behaviorClose: 'FAILED' });
  });

  it('fails 7.7 / 7.9 / 7.1.x on a wrong close code, not 1.x', () => {
    expect(verdict('7.9.1', [], { remoteCloseCode: 1000 })).toMatchObject({
      behavior: 'FAILED',
      behaviorClose: 'WRONG CODE',
    });
    expect(verdict('7.7.4', [], { remoteCloseCode: 1003 })).toMatchObject({ behavior: 'OK', behaviorClose: 'OK' });
    expect(verdict('1.1.1', [text('')], { remoteCloseCode: 1001 })).toMatchObject({
      behavior: 'OK',
      behaviorClose: 'WRONG CODE',
    });
  });

  it('fails the UTF-8 cases when the runner had to close', () => {
    expect(verdict('6.3.1', [], { closedByMe: true, remoteCloseCode: 1000 }).behavior).toBe('FAILED');
    expect(verdict('6.3.1', [], { closedByMe: false, remoteCloseCode: 1007 }).behavior).toBe('OK');
  });

  it('reports 7.1.6 and 7.13.x as INFORMATIONAL whatever happened', () => {
    expect(verdict('7.13.1', [], { wasClean: false, remoteCloseCode: null })).toMatchObject({
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
    });
    expect(verdict('7.1.6', [text('x')], { closedByMe: false })).toMatchObject({
      behavior: 'INFORMATIONAL',
      behaviorClose: 'INFORMATIONAL',
    });
  });

  it('fails 10.1.1 when the runner did not send 1 text and 50 continuation frames', () => {
    const echo = text('*'.repeat(65536));
    expect(verdict('10.1.1', [echo], {}, true, { 0: 50, 1: 1, 8: 1 }).behavior).toBe('OK');
    expect(verdict('10.1.1', [echo], {}, true, { 1: 1 }).behavior).toBe('FAILED');
  });

  it('judges close codes as AutobahnPython does (1012-1014 are not allowed)', () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1011, 3000, 4999])
      expect(autobahnAcceptsCloseCode(code)).toBe(true);
    for (const code of [0, 999, 1004, 1005, 1006, 1012, 1014, 1015, 2999, 5000, 65535])
      expect(autobahnAcceptsCloseCode(code)).toBe(false);
  });
});
