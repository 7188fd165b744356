import { describe, expect, it } from 'vitest';
import {
  CLIENT_HANDSHAKE_WINDOW_MS,
  allCaseIds,
  allCases,
  autobahnCaseIds,
  caseById,
  casePosition,
  clientCaseIds,
  clientCases,
  compareCaseIds,
  groupsOfCase,
  isClientHandshakeCase,
  isHandshakeCase,
  rawText,
  selectCaseIds,
  type ClientRequirement,
} from '../src/index.js';

const clientGroup0 = clientCases.filter(isClientHandshakeCase);
const requirements = (e: (typeof clientGroup0)[number]['clientHandshake']['expect']): ClientRequirement[] =>
  'kind' in e ? [e] : [e.whenMet, e.otherwise];

describe('client group 0: opening handshake from the server side', () => {
  it('holds at least 20 cases, ids 0.7.y-0.11.y, unique, titled, before Autobahn in clientCases', () => {
    expect(clientGroup0.length).toBeGreaterThanOrEqual(20);
    const ids = clientGroup0.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of clientGroup0) {
      expect(c.id).toMatch(/^0\.(7|8|9|10|11)\.[1-9]\d*$/);
      expect(groupsOfCase(c.id).map((g) => g.id)).toEqual(['0', c.id.split('.').slice(0, 2).join('.')]);
      expect(c.role).toBe('client');
      expect(c.timeLimitMs).toBe(CLIENT_HANDSHAKE_WINDOW_MS);
      expect(c.description.length, c.id).toBeGreaterThan(10);
      expect(casePosition(c.id)).toBeUndefined();
    }
    expect(clientCaseIds.slice(0, clientGroup0.length)).toEqual(ids);
    for (let i = 1; i < clientCaseIds.length; i++)
      expect(compareCaseIds(clientCaseIds[i - 1]!, clientCaseIds[i]!)).toBeLessThan(0);
  });

  it('states in every expectation the RFC rule it rests on', () => {
    for (const c of clientGroup0) {
      expect(c.clientHandshake.rule, c.id).toMatch(/§\d/);
      expect(c.expectation, c.id).toContain(`Rule: ${c.clientHandshake.rule}`);
      expect(c.expectation, c.id).toMatch(/(RFC \d{4} )?§\d+(\.\d+)*/);
      expect(c.expectation, c.id).toMatch(/must (fail the connection|accept)/);
    }
  });

  it('keeps the server lists unchanged and the two group 0 parts apart', () => {
    const serverGroup0 = allCases.filter(isHandshakeCase);
    expect(serverGroup0).toHaveLength(53);
    expect(autobahnCaseIds).toHaveLength(517);
    // Group 14 (26 cases, deflate-edge-case.ts) serves both roles.
    expect(allCaseIds).toHaveLength(53 + 517 + 26);
    expect(allCases.some(isClientHandshakeCase)).toBe(false);
    expect(clientCases.some(isHandshakeCase)).toBe(false);
    expect(clientCaseIds).toHaveLength(clientGroup0.length + 517 + 26);
    expect(clientCaseIds.filter((id) => !id.startsWith('0.') && !id.startsWith('14.'))).toEqual(autobahnCaseIds);
    expect(clientCaseIds.filter((id) => id.startsWith('14.'))).toEqual(allCaseIds.filter((id) => id.startsWith('14.')));
    for (const c of clientGroup0) expect(isHandshakeCase(c), c.id).toBe(false);
    for (const c of serverGroup0) expect(isClientHandshakeCase(c), c.id).toBe(false);
  });

  it('selects "*" from the list of the mode: a server spec never reaches a client case, nor the reverse', () => {
    expect(selectCaseIds(clientCaseIds, ['*'], [])).toEqual(clientCaseIds);
    expect(selectCaseIds(allCaseIds, ['*'], [])).toEqual(allCaseIds);
    expect(selectCaseIds(clientCaseIds, ['0.*'], [])).toEqual(clientGroup0.map((c) => c.id));
    expect(() => selectCaseIds(allCaseIds, ['0.7.1'], [])).toThrow(/unknown case id "0.7.1"/);
    expect(() => selectCaseIds(clientCaseIds, ['0.1.1'], [])).toThrow(/unknown case id "0.1.1"/);
    expect(caseById('0.7.1')).toBe(clientGroup0[0]);
    expect(caseById('0.1.1') && isHandshakeCase(caseById('0.1.1')!)).toBe(true);
  });

  it('covers what the issue names, with the expected outcome', () => {
    const kindOf = (id: string): string => {
      const c = caseById(id);
      if (!c || !isClientHandshakeCase(c)) throw new Error(`${id} is not a client handshake case`);
      const e = c.clientHandshake.expect;
      return 'kind' in e ? e.kind : `${e.whenMet.kind} if ${e.ifOffered}, else ${e.otherwise.kind}`;
    };
    const expected: Record<string, string> = {
      '0.7.1': 'accept', // valid
      '0.7.2': 'refuse', // 200
      '0.7.3': 'refuse', // 3xx
      '0.7.4': 'refuse', // 4xx with a body
      '0.7.5': 'refuse', // 1xx other than 101
      '0.8.1': 'refuse', // wrong accept
      '0.8.2': 'refuse', // missing accept
      '0.9.1': 'refuse', // missing Upgrade
      '0.9.2': 'refuse', // wrong Upgrade
      '0.9.3': 'refuse', // missing Connection
      '0.9.4': 'refuse', // wrong Connection
      '0.9.5': 'accept', // upgrade: WEBSOCKET
      '0.9.6': 'accept', // connection: keep-alive, Upgrade
      '0.10.1': 'refuse', // subprotocol not offered
      '0.10.2': 'refuse', // extension not offered
      '0.10.4': 'accept if offers-deflate-allowing-client-window-9, else refuse',
      '0.10.5': 'refuse', // server_max_window_bits=7
      '0.10.6': 'refuse', // server_max_window_bits=16
      '0.10.7': 'refuse', // unknown parameter
      '0.10.8': 'refuse', // duplicate parameter
      '0.10.9': 'refuse', // two permessage-deflate elements
      '0.11.1': 'refuse', // bare CR
      '0.11.2': 'accept', // obs-fold
      '0.11.3': 'refuse', // oversized head
      '0.11.4': 'accept', // frames in the same write as the 101
    };
    for (const [id, kind] of Object.entries(expected)) expect(kindOf(id), id).toBe(kind);
    const sameWrite = caseById('0.11.4');
    expect(sameWrite && isClientHandshakeCase(sameWrite) && sameWrite.clientHandshake.probe.sameWrite).toBe(true);
  });

  it('only lets a MUST case fail: INFORMATIONAL on accept only for the head size limit', () => {
    for (const c of clientGroup0) {
      for (const r of requirements(c.clientHandshake.expect)) {
        if (r.kind === 'refuse') expect(r.onAccept, c.id).toBe(c.id === '0.11.3' ? 'INFORMATIONAL' : 'FAILED');
      }
    }
  });

  it('gives every body a matching Content-Length, and uses only the documented placeholders', () => {
    for (const c of clientGroup0) {
      const r = c.clientHandshake.response;
      const lines = [...(r.replace ?? []), ...(r.extra ?? [])];
      const length = lines.find((h) => h.name.toLowerCase() === 'content-length');
      if (r.body !== undefined) expect(length?.value, c.id).toBe(String(Buffer.byteLength(rawText(r.body))));
      for (const h of lines) {
        for (const m of rawText(h.value).matchAll(/\{[^}]*\}/g))
          expect(['{accept}', '{accept:swapcase}', '{deflate}'], `${c.id} ${h.name}`).toContain(m[0]);
      }
    }
  });
});
