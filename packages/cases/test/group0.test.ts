import { describe, expect, it } from 'vitest';
import {
  allCaseIds,
  allCases,
  autobahnCaseIds,
  caseById,
  casePosition,
  groupsOfCase,
  isAutobahnCaseId,
  isHandshakeCase,
  rawText,
  selectCaseIds,
} from '../src/index.js';

const group0 = allCases.filter(isHandshakeCase);

describe('group 0: opening handshake', () => {
  it("holds at least 30 cases, ids 0.x.y in six titled sub-groups, listed before Autobahn's", () => {
    expect(group0.length).toBeGreaterThanOrEqual(30);
    for (const c of group0) {
      expect(c.id).toMatch(/^0\.[1-6]\.[1-9]\d*$/);
      expect(groupsOfCase(c.id).map((g) => g.id)).toEqual(['0', c.id.split('.').slice(0, 2).join('.')]);
      expect(c.description.length, c.id).toBeGreaterThan(10);
      expect(c.expectation.length, c.id).toBeGreaterThan(10);
      expect(c.handshake.rule.length, c.id).toBeGreaterThan(10);
    }
    expect(allCaseIds.slice(0, group0.length)).toEqual(group0.map((c) => c.id));
    // Then Autobahn's and our group 14 (deflate-edge-case.ts).
    expect(allCaseIds.filter((id) => !id.startsWith('14.'))).toHaveLength(autobahnCaseIds.length + group0.length);
  });

  it('is kept apart from Autobahn: no Autobahn case number, a predicate to filter it out', () => {
    expect(casePosition('0.1.1')).toBeUndefined();
    expect(casePosition('1.1.1')).toBe(1);
    expect(isAutobahnCaseId('0.4.7')).toBe(false);
    expect(isAutobahnCaseId('10.1.1')).toBe(true);
    expect(autobahnCaseIds.some((id) => id.startsWith('0.'))).toBe(false);
    expect(selectCaseIds(allCaseIds, ['0.*'], [])).toEqual(group0.map((c) => c.id));
  });

  it('covers the rules the issue names', () => {
    const ids = new Set(group0.map((c) => c.id));
    for (const id of [
      '0.1.2',
      '0.1.3',
      '0.1.5',
      '0.2.1',
      '0.3.2',
      '0.3.3',
      '0.3.5',
      '0.4.2',
      '0.4.3',
      '0.4.7',
      '0.5.5',
      '0.6.7',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
    const v12 = caseById('0.3.2');
    expect(v12 && isHandshakeCase(v12) && v12.handshake.expect).toEqual({
      kind: 'refuse',
      status: 426,
      onAccept: 'FAILED',
      headers: [
        ['Upgrade', 'websocket'],
        ['Sec-WebSocket-Version', '13'],
      ],
    });
  });

  it('expands raw text patterns', () => {
    expect(rawText({ repeat: 'ab', length: 5 })).toBe('ababa');
    expect(rawText('x')).toBe('x');
  });
});
