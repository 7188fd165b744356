/**
 * The runner as the server (Autobahn's fuzzingserver side): Autobahn's cases played by playCaseAsServer
 * against real clients that connected to it — the `ws` client driven as ws's own Autobahn client script
 * drives it (open /runCase?case=N&agent=A, echo every message with its binary flag), a strict raw-socket
 * client, and raw-socket clients that each break one rule — with the verdicts Autobahn gives.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autobahnCases, casePosition, caseById } from '@wsmatrix/cases';
import { HttpHeadParser, Opcode, type HttpRequestHead } from '@wsmatrix/protocol';
import WebSocket from 'ws';
import type { CaseResult } from '../src/result.js';
import { playCaseAsServer } from '../src/serve-case.js';
import { startCaseServer, type CaseServer } from './fixtures/case-server.js';
import { runRawEchoClient, type ClientFaults } from './fixtures/raw-echo-client.js';
import { describeResult } from './helpers.js';
import published from './fixtures/published/ws-8.18.3-client.json' with { type: 'json' };

const n = (id: string): number => {
  const position = casePosition(id);
  if (position === undefined) throw new Error(`no case ${id}`);
  return position;
};

/** ws's Autobahn client script, one case: open /runCase, echo every message as it came, wait for the close. */
function wsEchoClient(base: string, id: string, agent: string, options: WebSocket.ClientOptions = {}): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base}/runCase?case=${n(id)}&agent=${agent}`, options);
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    ws.on('close', () => resolve());
    ws.on('error', () => undefined);
  });
}

/** Plays the cases with `play` (at most `concurrency` at once) and returns their results by id. */
async function playAll(
  server: CaseServer,
  agent: string,
  ids: readonly string[],
  play: (id: string) => Promise<void>,
  concurrency = 12,
): Promise<Map<string, CaseResult>> {
  const results = new Map<string, CaseResult>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      await play(id);
      results.set(id, await server.result(agent, id));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const verdict = (r: CaseResult) => [r.behavior, r.behaviorClose, r.remoteCloseCode];

/** Every TF entry of the server's wire log has no mask, and every frame it received was masked. */
function maskingOf(r: CaseResult): { sentMasked: number; receivedUnmasked: number } {
  let sentMasked = 0;
  let receivedUnmasked = 0;
  for (const e of r.wirelog) {
    if (e[0] === 'TF' && e[5] !== null) sentMasked++;
    if (e[0] === 'RF' && e[5] !== true) receivedUnmasked++;
  }
  return { sentMasked, receivedUnmasked };
}

/** The MASK bit of every frame in `bytes` (frames back to back, as a client read them after the 101). */
function maskBits(bytes: Buffer): boolean[] {
  const bits: boolean[] = [];
  let i = 0;
  while (i + 2 <= bytes.length) {
    const masked = (bytes[i + 1]! & 0x80) !== 0;
    let length = bytes[i + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      if (i + 4 > bytes.length) break;
      length = bytes.readUInt16BE(i + 2);
      header = 4;
    } else if (length === 127) {
      if (i + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(i + 2));
      header = 10;
    }
    bits.push(masked);
    i += header + (masked ? 4 : 0) + length;
  }
  return bits;
}

/** The MASK bit of the first frame the server wrote after its 101, as its wire log recorded the octets. */
function firstFrameMaskBitInWireLog(r: CaseResult): boolean | null {
  const writes = r.wirelog.filter((e) => e[0] === 'TO').map((e) => (e[1] as [number, string])[1]);
  const first = writes[1];
  return first === undefined ? null : (Number.parseInt(first.slice(2, 4), 16) & 0x80) !== 0;
}

describe('the ws client (8.x) against playCaseAsServer', () => {
  let server: CaseServer;
  beforeAll(async () => (server = await startCaseServer()));
  afterAll(() => server.close());

  it('gets the verdicts Autobahn published for ws 8.18.3 on every case of groups 1-7 and 10', async () => {
    const ids = autobahnCases.filter((c) => /^(1|2|3|4|5|6|7|10)\./.test(c.id)).map((c) => c.id);
    const results = await playAll(server, 'ws', ids, (id) => wsEchoClient(server.url, id, 'ws'));
    expect(results.size).toBe(247);
    const want = published.verdicts as unknown as Record<string, [string, string, number | null]>;
    const differ = ids
      .filter((id) => JSON.stringify(verdict(results.get(id)!)) !== JSON.stringify(want[id]))
      .map((id) => `${describeResult(results.get(id)!)} — published ${want[id]!.join('/')}`);
    expect(differ).toEqual([]);
    // The server's frames are never masked, the client's always are.
    for (const r of results.values())
      expect([r.id, maskingOf(r)]).toEqual([r.id, { sentMasked: 0, receivedUnmasked: 0 }]);
    expect(results.get('6.4.1')!.behavior).toBe('NON-STRICT');
  }, 180_000);

  it('9.1.1, 12.1.1 and 13.x.1: echoes in time; permessage-deflate negotiated as Autobahn does per case', async () => {
    const ids = ['9.1.1', '12.1.1', '13.1.1', '13.2.1', '13.3.1', '13.5.1', '13.7.1'];
    const results = await playAll(server, 'ws', ids, (id) => wsEchoClient(server.url, id, 'ws'), 1);
    for (const id of ids)
      expect(verdict(results.get(id)!), describeResult(results.get(id)!)).toEqual(['OK', 'OK', 1000]);
    const extensions = (id: string) => /Sec-WebSocket-Extensions: (.*)\r\n/.exec(results.get(id)!.httpResponse)?.[1];
    // ws offers "permessage-deflate; client_max_window_bits": what each case's accept asks of it, confirmed.
    expect(extensions('12.1.1')).toBe('permessage-deflate');
    expect(extensions('13.1.1')).toBe('permessage-deflate');
    expect(extensions('13.2.1')).toBe('permessage-deflate; client_no_context_takeover');
    expect(extensions('13.3.1')).toBe('permessage-deflate; client_max_window_bits=9');
    expect(extensions('13.5.1')).toBe('permessage-deflate; client_no_context_takeover; client_max_window_bits=9');
    expect(extensions('13.7.1')).toBe('permessage-deflate; client_no_context_takeover; client_max_window_bits=9');
    const t = results.get('13.1.1')!.trafficStats!;
    expect([t.outgoingWebSocketMessages, t.incomingWebSocketMessages]).toEqual([1000, 1000]);
    expect(t.incomingCompressionRatio).toBeLessThan(1);
    expect(results.get('9.1.1')!.result).toMatch(/^Received text message of length 65536/);
  }, 120_000);

  it('a client that offers no permessage-deflate gets UNIMPLEMENTED on 12.1.1, with a clean close', async () => {
    await wsEchoClient(server.url, '12.1.1', 'ws-plain', { perMessageDeflate: false });
    const r = await server.result('ws-plain', '12.1.1');
    expect(verdict(r)).toEqual(['UNIMPLEMENTED', 'OK', 1000]);
    expect(r.httpResponse).not.toMatch(/Sec-WebSocket-Extensions/);
    expect(r.result).toBe('The client offered no permessage-deflate this case can accept.');
  });

  it("a client group 0 case goes to its own engine (client-handshake/), which sends the case's response", async () => {
    const ws = new WebSocket(`${server.url}/runCase?casetuple=0.7.4&agent=ws`);
    ws.on('error', () => undefined);
    const r = await server.result('ws', '0.7.4');
    expect(r.id).toBe('0.7.4');
    expect(r.httpResponse).toMatch(/^HTTP\/1.1 403 /);
  });

  it('a case without permessage-deflate declines the offer', async () => {
    await wsEchoClient(server.url, '1.1.1', 'ws');
    const r = await server.result('ws', '1.1.1');
    expect(r.httpRequest).toMatch(/Sec-WebSocket-Extensions: permessage-deflate/);
    expect(r.httpResponse).toMatch(/^HTTP\/1.1 101 /);
    expect(r.httpResponse).not.toMatch(/Sec-WebSocket-Extensions/);
  });
});

/** One case of every group, the close codes of 7.x and the fail-fast UTF-8 cases 6.4.x. */
const REPRESENTATIVE = [
  '1.1.1',
  '1.1.8',
  '1.2.8',
  '2.1',
  '2.10',
  '2.11',
  '3.1',
  '3.7',
  '4.1.1',
  '4.2.5',
  '5.1',
  '5.15',
  '5.19',
  '6.1.1',
  '6.4.1',
  '6.4.2',
  '6.4.3',
  '6.4.4',
  '6.12.1',
  '6.22.1',
  '7.1.1',
  '7.3.1',
  '7.5.1',
  '7.7.1',
  '7.7.13',
  '7.9.1',
  '7.9.9',
  '9.1.1',
  '9.7.1',
  '10.1.1',
];

describe('a strict client against playCaseAsServer', () => {
  let server: CaseServer;
  beforeAll(async () => (server = await startCaseServer()));
  afterAll(() => server.close());

  it('gets OK/OK on representative cases of every group, 6.4.x included; the server drops TCP', async () => {
    const wire = new Map<string, Buffer>();
    const results = await playAll(server, 'strict', REPRESENTATIVE, async (id) => {
      const run = await runRawEchoClient(`${server.url}/runCase?case=${n(id)}&agent=strict`);
      wire.set(id, run.received);
    });
    const failed = [...results.values()].filter((r) => r.behavior !== 'OK' || r.behaviorClose !== 'OK');
    expect(failed.map(describeResult)).toEqual([]);
    for (const r of results.values()) {
      expect(r.isServer).toBe(true);
      expect(r.agent).toBe('strict');
      expect(r.case).toBe(n(r.id));
      // AutobahnPython's server drops TCP itself once the close handshake is over.
      expect([r.id, r.wasClean, r.droppedByMe]).toEqual([r.id, true, true]);
      // Unmasked as the wire log has it (no mask key on any frame, the MASK bit clear) and as the client read it.
      expect(maskingOf(r)).toEqual({ sentMasked: 0, receivedUnmasked: 0 });
      expect([r.id, firstFrameMaskBitInWireLog(r)]).toEqual([r.id, false]);
      const bits = maskBits(wire.get(r.id)!);
      expect(bits.length).toBeGreaterThan(0);
      expect([r.id, bits.filter((masked) => masked).length]).toEqual([r.id, 0]);
    }
    expect(results.get('7.9.1')!.remoteCloseCode).toBe(1002);
    expect(results.get('6.4.1')!.remoteCloseCode).toBe(1007);
  }, 120_000);
});

interface FaultCase {
  faults: ClientFaults;
  id: string;
  /** [behavior, behaviorClose, remote close code] as Autobahn's case.py gives them for what happened. */
  verdict: [string, string, number | null];
  check?: (r: CaseResult) => void;
}

const FAULTY: Record<string, FaultCase> = {
  // Violation: the server fails with 1002; the client's reply is unmasked too, so the close handshake
  // cannot complete and the server drops TCP: unclean.
  'sends unmasked frames': {
    faults: { unmasked: true },
    id: '1.1.2',
    verdict: ['FAILED', 'UNCLEAN', null],
    check: (r) => {
      expect([r.failedByMe, r.localCloseCode, r.localCloseReason]).toEqual([
        true,
        1002,
        'unmasked frame from a client',
      ]);
      expect(r.received).toEqual([]);
    },
  },
  // The echo differs: the events match nothing, no auto-close; the case's kill timer closes with 1001.
  'echoes wrong data': {
    faults: { corruptEcho: true },
    id: '1.1.2',
    verdict: ['FAILED', 'WRONG CODE', 1001],
    check: (r) => expect(r.localCloseCode).toBe(1001),
  },
  // The echo matches, the server closes with 1000 and waits; the case's kill timer (1 s from the open,
  // armed before the 1 s close handshake timeout) then finds it closing and drops TCP: unclean.
  'never answers Close': {
    faults: { neverAnswerClose: true },
    id: '1.1.2',
    verdict: ['OK', 'UNCLEAN', null],
    check: (r) => {
      expect([r.localCloseCode, r.droppedByMe, r.wasClean]).toEqual([1000, true, false]);
      expect(r.wirelog.some((e) => e[0] === 'KLE')).toBe(true);
    },
  },
  // 9.1.1 has no kill timer: the close handshake timeout drops the client.
  'never answers Close (no kill timer)': {
    faults: { neverAnswerClose: true },
    id: '9.1.1',
    verdict: ['OK', 'UNCLEAN', null],
    check: (r) => {
      expect([r.wasCloseHandshakeTimeout, r.droppedByMe, r.wasClean]).toEqual([true, true, false]);
      expect(r.wasNotCleanReason).toBe('peer did not respond (in time) in closing handshake');
    },
  },
  'answers Close with a wrong code': {
    faults: { closeCode: 1001 },
    id: '1.1.2',
    verdict: ['OK', 'WRONG CODE', 1001],
  },
  // 7.9.1 sends Close with code 0: the client must fail with 1002; this one answers 1000.
  'answers an invalid close code with 1000 instead of 1002': {
    faults: { closeCode: 1000 },
    id: '7.9.1',
    verdict: ['FAILED', 'WRONG CODE', 1000],
  },
};

for (const [name, { faults, id, verdict: want, check }] of Object.entries(FAULTY)) {
  describe(`a client that ${name}`, () => {
    let server: CaseServer;
    beforeAll(async () => (server = await startCaseServer()));
    afterAll(() => server.close());

    it(`gets ${want.slice(0, 2).join('/')} on ${id}`, async () => {
      await runRawEchoClient(`${server.url}/runCase?case=${n(id)}&agent=faulty`, faults);
      const r = await server.result('faulty', id);
      expect(verdict(r), describeResult(r)).toEqual(want);
      check?.(r);
    });
  });
}

/** Writes `request` to a socket handed to playCaseAsServer; returns what the client read and the result. */
async function rawRequest(request: string | Buffer): Promise<{ response: string; result: CaseResult }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const played = new Promise<CaseResult>((resolve) =>
    server.once('connection', (socket) => {
      const parser = new HttpHeadParser('request');
      socket.once('data', (chunk: Buffer) => {
        const head = parser.push(chunk) as HttpRequestHead;
        const rest = parser.rest();
        const raw = chunk.subarray(0, chunk.length - rest.length);
        resolve(playCaseAsServer(socket, { head, raw, rest }, caseById('1.1.1')!, { agent: 'raw' }));
      });
    }),
  );
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => client.on('close', resolve));
  client.write(request);
  const result = await played;
  await ended;
  server.close();
  return { response: Buffer.concat(chunks).toString('latin1'), result };
}

describe('an invalid upgrade request', () => {
  it('gets 400 with a one-line reason and a FAILED result that says why', async () => {
    const { response, result } = await rawRequest(
      'GET /runCase?case=1&agent=raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\n\r\n',
    );
    expect(response).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
    expect(response.split('\r\n\r\n')[1]).toBe('missing Sec-WebSocket-Key\n');
    expect([result.behavior, result.behaviorClose]).toEqual(['FAILED', 'FAILED']);
    expect(result.result).toBe("The client's upgrade request was refused: missing Sec-WebSocket-Key.");
    expect(result.httpResponse).toBe(response);
    expect(result.connectFailure).toEqual({ kind: 'handshake-rejected', message: 'missing Sec-WebSocket-Key' });
  });

  it('an invalid permessage-deflate offer fails the handshake with 400, as AutobahnPython raises on it', async () => {
    const { response, result } = await rawRequest(
      'GET /runCase?case=1&agent=raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=7\r\n\r\n',
    );
    expect(response).toMatch(/^HTTP\/1.1 400 /);
    expect(result.result).toMatch(/illegal extension parameter value '7' for parameter 'client_max_window_bits'/);
  });

  it('frames pipelined after the request are read once the case has started', async () => {
    // A masked Close 1000 right behind the request: the server answers it and drops TCP.
    const close = Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xe8 ^ 2]);
    const { response, result } = await rawRequest(
      Buffer.concat([
        Buffer.from(
          'GET /runCase?case=1&agent=raw HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
        close,
      ]),
    );
    expect(response).toMatch(/^HTTP\/1.1 101 /);
    expect([result.remoteCloseCode, result.closedByMe, result.wasClean, result.droppedByMe]).toEqual([
      1000,
      false,
      true,
      true,
    ]);
    // The case's own frame went out before the pipelined Close was read (Autobahn: onOpen, then the rest).
    const sent = result.wirelog.filter((e) => e[0] === 'TF').map((e) => e[2]);
    expect(sent).toEqual([Opcode.Text, Opcode.Close]);
  });
});
