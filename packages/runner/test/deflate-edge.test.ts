/**
 * Group 14 (permessage-deflate edge cases) through the one engine, in both roles, against scripted peers
 * (fixtures/deflate-peer.ts) that keep or break one rule each: every verdict the group can give, from the
 * frames and the close the runner saw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  allCases,
  caseById,
  expectedReplies,
  isDeflateEdgeCase,
  type CaseDef,
  type DeflateEdgeCaseDef,
} from '@wsmatrix/cases';
import type { CaseResult } from '../src/result.js';
import { runCase } from '../src/run-case.js';
import { startCaseServer, type CaseServer } from './fixtures/case-server.js';
import {
  runScriptedClient,
  startScriptedServer,
  type PeerScript,
  type ScriptedServer,
} from './fixtures/deflate-peer.js';

const edgeCase = (id: string): DeflateEdgeCaseDef => {
  const def = caseById(id);
  if (!def || !isDeflateEdgeCase(def)) throw new Error(`no group 14 case ${id}`);
  return def;
};

/** The case with a short window, for peers that stay silent (the verdict then waits for the window). */
const withWindow = (id: string, windowMs: number): CaseDef => {
  const def = edgeCase(id);
  return { ...def, timeLimitMs: windowMs, deflateEdge: { ...def.deflateEdge, windowMs } } as DeflateEdgeCaseDef;
};

const verdict = (r: CaseResult) => [r.behavior, r.behaviorClose, r.remoteCloseCode];

const STRICT: PeerScript = { extensions: 'permessage-deflate', strictRsv1: true };
const LENIENT: PeerScript = { extensions: 'permessage-deflate', strictRsv1: false };

let server: ScriptedServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function playAgainstServer(script: PeerScript, def: CaseDef): Promise<CaseResult> {
  server = await startScriptedServer(script);
  return runCase(server.url, def);
}

describe('group 14 against a scripted server (the runner is the client)', () => {
  it('a strict server: the violations fail with their codes, valid data is echoed, OK throughout', async () => {
    for (const [id, code] of [
      ['14.1.1', 1002],
      ['14.1.2', 1002],
      ['14.1.3', 1002],
      ['14.1.4', 1002],
      ['14.1.5', 1002],
      ['14.5.1', 1007],
      ['14.5.3', 1007],
      ['14.5.4', 1007],
    ] as const) {
      const r = await playAgainstServer(STRICT, edgeCase(id));
      expect(verdict(r), `${id}: ${r.result}`).toEqual(['OK', 'OK', code]);
      // The report shows the close rule the verdict applied: the peer's failure, with the case's codes.
      expect(r.expectedClose).toEqual({
        closedByMe: false,
        closeCode: edgeCase(id).deflateEdge.failCodes,
        requireClean: false,
      });
      await server?.close();
    }
    for (const id of ['14.2.1', '14.2.2', '14.2.5', '14.2.6', '14.2.7', '14.3.1', '14.3.2', '14.3.5']) {
      const r = await playAgainstServer({ ...STRICT, compressEchoes: 'takeover' }, edgeCase(id));
      expect(verdict(r), `${id}: ${r.result}`).toEqual(['OK', 'OK', 1000]);
      expect(r.result).toMatch(/^Every reply arrived intact/);
      await server?.close();
    }
  });

  it('offers permessage-deflate without client_no_context_takeover, naming its own window where asked', async () => {
    const plain = await playAgainstServer(STRICT, edgeCase('14.2.1'));
    expect(plain.httpRequest).toMatch(/Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/);
    await server?.close();
    const nine = await playAgainstServer(STRICT, edgeCase('14.3.3'));
    expect(nine.httpRequest).toMatch(/Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9\r\n/);
    await server?.close();
    const asks = await playAgainstServer(STRICT, edgeCase('14.4.1'));
    expect(asks.httpRequest).toMatch(/permessage-deflate; client_max_window_bits; server_no_context_takeover\r\n/);
  });

  it('a server that ignores RSV1 on a continuation frame echoes the message: FAILED, saying what it took', async () => {
    const r = await playAgainstServer(LENIENT, edgeCase('14.1.1'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/took message 2 \(RSV1 on its continuation frame\): it sent a text message of 5 bytes/);
    expect(r.received.slice(0, 2).map((e) => e[1])).toEqual(['Hello', 'World']);
  });

  it('a server that answers a Ping with RSV1 with a Pong: FAILED', async () => {
    const r = await playAgainstServer(LENIENT, edgeCase('14.1.3'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/took the Ping with RSV1: it sent a Pong/);
  });

  it('a server that answers a Close with RSV1 with a Close 1000: FAILED and WRONG CODE', async () => {
    const r = await playAgainstServer(LENIENT, edgeCase('14.1.5'));
    expect(verdict(r)).toEqual(['FAILED', 'WRONG CODE', 1000]);
  });

  it('a server that fails on a valid message: FAILED; the code of a failure is judged apart', async () => {
    const fails = (code: number | null): PeerScript => ({ ...STRICT, onMessage: () => ({ kind: 'fail', code }) });
    const r = await playAgainstServer(fails(1007), edgeCase('14.2.1'));
    expect(verdict(r)).toEqual(['FAILED', 'OK', 1007]);
    expect(r.result).toMatch(/failed the connection with a Close 1007 after 0 intact replies on the stored-block/);
    await server?.close();
    const wrongCode = await playAgainstServer(fails(1011), edgeCase('14.1.1'));
    // Failing on message 1 is FAILED whatever the code; the code alone is the close verdict.
    expect(verdict(wrongCode)).toEqual(['FAILED', 'WRONG CODE', 1011]);
    await server?.close();
    const dropped = await playAgainstServer(fails(null), edgeCase('14.2.1'));
    expect(verdict(dropped)).toEqual(['FAILED', 'OK', null]);
    expect(dropped.result).toMatch(/without a close code/);
  });

  it('the lenient tail cases: failing on message 1 is OK, on message 2 NON-STRICT, taking both OK', async () => {
    const failAt = (n: number): PeerScript => ({
      ...STRICT,
      onMessage: (i, m) =>
        i === n ? { kind: 'fail', code: 1002 } : m.data ? { kind: 'echo' } : { kind: 'fail', code: 1007 },
    });
    for (const id of ['14.2.8', '14.2.9']) {
      expect(verdict(await playAgainstServer(failAt(0), edgeCase(id))), id).toEqual(['OK', 'OK', 1002]);
      await server?.close();
      expect(verdict(await playAgainstServer(failAt(1), edgeCase(id))), id).toEqual(['NON-STRICT', 'OK', 1002]);
      await server?.close();
      expect(verdict(await playAgainstServer(STRICT, edgeCase(id))), id).toEqual(['OK', 'OK', 1000]);
      await server?.close();
    }
    // 14.2.4: a fresh window after the BFINAL block makes message 2 fail to inflate: NON-STRICT.
    const r = await playAgainstServer({ ...STRICT, receiveTakeover: false }, edgeCase('14.2.4'));
    expect(verdict(r)).toEqual(['NON-STRICT', 'OK', 1007]);
  });

  it('a server that changes an echo, or delivers nothing for it: FAILED with both messages named', async () => {
    const changed = await playAgainstServer(
      { ...STRICT, onMessage: () => ({ kind: 'echo', data: Buffer.from('Hellx') }) },
      edgeCase('14.2.1'),
    );
    expect(changed.behavior).toBe('FAILED');
    expect(changed.result).toMatch(/sent a text message of 5 bytes "Hellx", not a text message of 5 bytes "Hello"/);
    await server?.close();
    const emptied = await playAgainstServer(
      { ...STRICT, onMessage: (i) => ({ kind: 'echo', data: i === 1 ? Buffer.alloc(0) : Buffer.from('Hello') }) },
      edgeCase('14.2.3'),
    );
    expect(emptied.behavior).toBe('FAILED');
    expect(emptied.result).toMatch(/After message 2 the server sent a text message of 0 bytes/);
  });

  it('a silent server: FAILED once the window has passed, closed by the runner with 1000', async () => {
    const r = await playAgainstServer({ ...STRICT, onMessage: () => ({ kind: 'ignore' }) }, withWindow('14.2.1', 300));
    expect(verdict(r)).toEqual(['FAILED', 'OK', 1000]);
    expect(r.result).toMatch(/neither replied on the stored-block message nor failed the connection within 300 ms/);
    await server?.close();
    const ignores = await playAgainstServer(
      { ...LENIENT, onMessage: (i) => (i === 0 ? { kind: 'echo' } : { kind: 'ignore' }) },
      withWindow('14.1.4', 300),
    );
    expect(ignores.result).toMatch(/neither failed the connection on the Pong with RSV1 nor answered within 300 ms/);
  });

  it('a server without permessage-deflate: UNIMPLEMENTED, closed at once with 1000', async () => {
    const r = await playAgainstServer({ extensions: null }, edgeCase('14.1.1'));
    expect(verdict(r)).toEqual(['UNIMPLEMENTED', 'OK', 1000]);
    expect(r.result).toBe('The server did not accept permessage-deflate.');
    expect(r.wirelog.filter((e) => e[0] === 'TF').map((e) => e[2])).toEqual([8]);
  });

  it('client_no_context_takeover agreed: the cases that refer back are UNIMPLEMENTED, the others play', async () => {
    const script = { ...STRICT, extensions: 'permessage-deflate; client_no_context_takeover', receiveTakeover: false };
    const r = await playAgainstServer(script, edgeCase('14.3.2'));
    expect(verdict(r)).toEqual(['UNIMPLEMENTED', 'OK', 1000]);
    expect(r.result).toMatch(/client_no_context_takeover/);
    await server?.close();
    expect(verdict(await playAgainstServer(script, edgeCase('14.3.1')))).toEqual(['OK', 'OK', 1000]);
    await server?.close();
    const small = { ...STRICT, extensions: 'permessage-deflate; client_max_window_bits=10' };
    const limited = await playAgainstServer(small, edgeCase('14.3.1'));
    expect(limited.behavior).toBe('UNIMPLEMENTED');
    expect(limited.result).toMatch(/client_max_window_bits=10: smaller than the 2\^15-byte window/);
  });

  it("a server's compressor that keeps its window although server_no_context_takeover was agreed: FAILED", async () => {
    const keeps = { extensions: 'permessage-deflate; server_no_context_takeover', compressEchoes: 'takeover' as const };
    const r = await playAgainstServer(keeps, edgeCase('14.4.1'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/The runner failed the connection \(close code 1007\) after 1 intact reply/);
    await server?.close();
    const honours = { ...keeps, compressEchoes: 'fresh' as const };
    expect(verdict(await playAgainstServer(honours, edgeCase('14.4.1')))).toEqual(['OK', 'OK', 1000]);
  });

  it('a server that does not confirm a requested server_max_window_bits: FAILED before anything is sent', async () => {
    const r = await playAgainstServer({ extensions: 'permessage-deflate' }, edgeCase('14.4.2'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/breaks RFC 7692 §7\.1: server_max_window_bits=9 was requested but not confirmed/);
    expect(r.wirelog.filter((e) => e[0] === 'TF').map((e) => e[2])).toEqual([8]);
  });
});

describe('group 14 against a scripted client (the runner is the server)', () => {
  let cases: CaseServer;
  afterEach(async () => {
    await cases?.close();
  });

  async function playAgainstClient(script: PeerScript, id: string): Promise<CaseResult> {
    cases ??= await startCaseServer();
    await runScriptedClient(cases.url, id, 'scripted', script);
    return cases.result('scripted', id);
  }

  it('a strict client: violations fail, valid data is echoed; the frames go out unmasked', async () => {
    cases = await startCaseServer();
    const offer: PeerScript = { ...STRICT, extensions: 'permessage-deflate; client_max_window_bits' };
    expect(verdict(await playAgainstClient(offer, '14.1.1'))).toEqual(['OK', 'OK', 1002]);
    expect(verdict(await playAgainstClient(offer, '14.5.2'))).toEqual(['OK', 'OK', 1007]);
    const r = await playAgainstClient(offer, '14.3.2');
    expect(verdict(r)).toEqual(['OK', 'OK', 1000]);
    expect(r.wirelog.filter((e) => e[0] === 'TF').every((e) => e[5] === null)).toBe(true);
  });

  it("the runner's answer announces its own window unasked (server_max_window_bits=9) and the case plays", async () => {
    cases = await startCaseServer();
    const r = await playAgainstClient(
      { ...STRICT, extensions: 'permessage-deflate; client_max_window_bits' },
      '14.3.3',
    );
    expect(r.httpResponse).toMatch(/Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n/);
    expect(verdict(r)).toEqual(['OK', 'OK', 1000]);
  });

  it('a client that ignores RSV1 on a continuation frame: FAILED', async () => {
    cases = await startCaseServer();
    const r = await playAgainstClient(LENIENT, '14.1.2');
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/The client took message 2/);
  });

  it('a client that offers no permessage-deflate: UNIMPLEMENTED', async () => {
    cases = await startCaseServer();
    const r = await playAgainstClient({ extensions: null }, '14.2.1');
    expect(verdict(r)).toEqual(['UNIMPLEMENTED', 'OK', 1000]);
    expect(r.result).toBe('The client offered no permessage-deflate this case can accept.');
  });

  it('a window limit for the client needs its client_max_window_bits: UNIMPLEMENTED without it', async () => {
    cases = await startCaseServer();
    const r = await playAgainstClient(STRICT, '14.4.2');
    expect(r.behavior).toBe('UNIMPLEMENTED');
  });

  it("a client's compressor that ignores the client_max_window_bits=9 it was given: FAILED", async () => {
    cases = await startCaseServer();
    const script: PeerScript = {
      ...STRICT,
      extensions: 'permessage-deflate; client_max_window_bits',
      compressEchoes: 'takeover',
    };
    const r = await playAgainstClient(script, '14.4.2');
    expect(r.httpResponse).toMatch(/permessage-deflate; client_max_window_bits=9\r\n/);
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/The runner failed the connection \(close code 1007\)/);
  });
});

/** What a peer that keeps every rule answers to the case's offer, as a server. */
function confirmingExtensions(def: DeflateEdgeCaseDef): string {
  const offer = def.deflateOffers![0]!;
  let response = 'permessage-deflate';
  if (offer.requestNoContextTakeover) response += '; server_no_context_takeover';
  if (offer.requestMaxWindowBits) response += `; server_max_window_bits=${offer.requestMaxWindowBits}`;
  return response;
}

/** A peer that keeps every rule of RFC 7692 and RFC 6455 the cases test. */
const goodPeer = (def: DeflateEdgeCaseDef, role: 'server' | 'client'): PeerScript => ({
  extensions: role === 'server' ? confirmingExtensions(def) : 'permessage-deflate; client_max_window_bits',
  strictRsv1: true,
  compressEchoes: 'fresh',
});

/**
 * A peer that breaks the case's rule: it takes the violation (ignoring RSV1, echoing what does not inflate as
 * an empty message), changes the last echo of a case without one, or compresses with the whole window and
 * context takeover whatever was agreed.
 */
function badPeer(def: DeflateEdgeCaseDef, role: 'server' | 'client'): PeerScript {
  const last = expectedReplies(def.deflateEdge).length - 1;
  const takesViolation = def.deflateEdge.failAt !== undefined;
  return {
    ...goodPeer(def, role),
    strictRsv1: false,
    compressEchoes: 'takeover',
    onMessage: (i, m) => {
      if (takesViolation) return { kind: 'echo', data: m.data ?? Buffer.alloc(0) };
      if (i === last && m.data) return { kind: 'echo', data: Buffer.concat([m.data, Buffer.from('!')]) };
      return m.data ? { kind: 'echo' } : { kind: 'fail', code: 1007 };
    },
  };
}

describe('every group 14 case, both roles: OK against a peer keeping its rule, FAILED against one breaking it', () => {
  const group14 = allCases.filter(isDeflateEdgeCase);
  let cases: CaseServer | null = null;
  afterEach(async () => {
    await cases?.close();
    cases = null;
  });

  it('the runner as the client', async () => {
    expect(group14).toHaveLength(26);
    for (const def of group14) {
      const good = await playAgainstServer(goodPeer(def, 'server'), def);
      expect(verdict(good).slice(0, 2), `${def.id} good: ${good.result}`).toEqual(['OK', 'OK']);
      await server?.close();
      const bad = await playAgainstServer(badPeer(def, 'server'), def);
      expect(bad.behavior, `${def.id} bad: ${bad.result}`).toBe('FAILED');
      await server?.close();
    }
  });

  it('the runner as the server', async () => {
    cases = await startCaseServer();
    for (const def of group14) {
      await runScriptedClient(cases.url, def.id, 'good', goodPeer(def, 'client'));
      const good = await cases.result('good', def.id);
      expect(verdict(good).slice(0, 2), `${def.id} good: ${good.result}`).toEqual(['OK', 'OK']);
      await runScriptedClient(cases.url, def.id, 'bad', badPeer(def, 'client'));
      const bad = await cases.result('bad', def.id);
      expect(bad.behavior, `${def.id} bad: ${bad.result}`).toBe('FAILED');
    }
  });
});
