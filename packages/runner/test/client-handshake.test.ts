/**
 * Client group 0 (0.7.x-0.11.x): the response builder, the offer conditions and the verdict rules, then
 * the engine against real clients in-process: the `ws` client, a lax client that validates nothing (its
 * FAILED verdicts prove they come from the bytes), and scripted clients that stay silent, answer with a
 * Close, speak HTTP again, flood, or never finish the close handshake.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type ClientHandshakeCaseDef,
  type ClientRequirement,
  caseById,
  clientCases,
  isClientHandshakeCase,
} from '@wsmatrix/cases';
import {
  HttpHeadParser,
  type HttpRequestHead,
  Opcode,
  computeAcceptKey,
  encodeClosePayload,
  encodeFrame,
  generateKey,
} from '@wsmatrix/protocol';
import WebSocket from 'ws';
import { playClientHandshakeCase } from '../src/client-handshake/index.js';
import { applicableRequirement, deflateAcceptance, readClientOffer } from '../src/client-handshake/offer.js';
import { buildClientResponse } from '../src/client-handshake/response.js';
import { type ClientObservation, clientHandshakeVerdict } from '../src/client-handshake/verdict.js';
import type { CaseResult } from '../src/result.js';
import { type ClientSide, playWith, runLaxClient, runWsClient } from './fixtures/client-handshake-harness.js';

const CLIENT_GROUP_0 = clientCases.filter(isClientHandshakeCase);

const ch = (id: string): ClientHandshakeCaseDef => {
  const def = caseById(id);
  if (!def || !isClientHandshakeCase(def)) throw new Error(`${id} is not a client handshake case`);
  return def;
};

function requestHead(extraLines: string[] = [], key = 'dGhlIHNhbXBsZSBub25jZQ=='): HttpRequestHead {
  const text =
    `GET /runCase?case=1&agent=a HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraLines.map((l) => `${l}\r\n`).join('')}\r\n`;
  const head = new HttpHeadParser('request').push(Buffer.from(text, 'latin1'));
  if (head === null || head.kind !== 'request') throw new Error('incomplete request head');
  return head;
}

const SAMPLE_CTX = { accept: computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ=='), deflate: 'permessage-deflate' };

describe('client handshake responses', () => {
  it('builds the valid 101 and sends the probe in a write of its own', () => {
    const b = buildClientResponse(ch('0.7.1').clientHandshake.response, ch('0.7.1').clientHandshake.probe, SAMPLE_CTX);
    expect(b.text).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n',
    );
    expect(b.writes).toEqual([Buffer.from(b.text, 'latin1')]);
    expect(b.probeAfter).toBe(true);
    expect([b.probe[0], b.probe[1]]).toEqual([0x81, Buffer.byteLength(ch('0.7.1').clientHandshake.probe.text)]);
  });

  it('fills the placeholders, keeps replaced lines in place with their own name case, adds interim and body', () => {
    const swapped = buildClientResponse(
      ch('0.8.3').clientHandshake.response,
      ch('0.8.3').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(swapped.text).toContain('Sec-WebSocket-Accept: S3PplmbItXAq9KygZZHzrBk+XoO=\r\n');
    const named = buildClientResponse(
      ch('0.9.5').clientHandshake.response,
      ch('0.9.5').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(named.text.split('\r\n')[1]).toBe('upgrade: WEBSOCKET');
    const interim = buildClientResponse(
      ch('0.7.6').clientHandshake.response,
      ch('0.7.6').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(interim.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    const body = buildClientResponse(
      ch('0.7.4').clientHandshake.response,
      ch('0.7.4').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(body.text).toMatch(
      /^HTTP\/1\.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text\/plain\r\nContent-Length: 25\r\n\r\n.{25}$/,
    );
    const deflate = buildClientResponse(ch('0.10.9').clientHandshake.response, ch('0.10.9').clientHandshake.probe, {
      ...SAMPLE_CTX,
      deflate: 'permessage-deflate; server_max_window_bits=10',
    });
    expect(deflate.text).toContain(
      'Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10, ' +
        'permessage-deflate; server_max_window_bits=10\r\n',
    );
    expect(deflate.mentionsDeflate).toBe(true);
  });

  it('puts the probe in the response write, or chops both into one-byte writes', () => {
    const same = buildClientResponse(
      ch('0.11.4').clientHandshake.response,
      ch('0.11.4').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(same.probeAfter).toBe(false);
    expect(same.writes).toHaveLength(1);
    expect(same.writes[0]!.subarray(-same.probe.length)).toEqual(same.probe);
    const chopped = buildClientResponse(
      ch('0.11.5').clientHandshake.response,
      ch('0.11.5').clientHandshake.probe,
      SAMPLE_CTX,
    );
    expect(chopped.writes.every((w) => w.length === 1)).toBe(true);
    expect(Buffer.concat(chopped.writes)).toEqual(Buffer.concat([Buffer.from(chopped.text, 'latin1'), chopped.probe]));
  });
});

describe('a response that refuses the upgrade says the connection closes after it', () => {
  /**
   * The final response's status and its Connection tokens, read from the bytes the builder writes (by lines,
   * not with the strict parser: some heads are malformed on purpose, 0.11.1's bare CR).
   */
  function finalResponse(def: ClientHandshakeCaseDef): { status: number; connection: string[] } {
    const built = buildClientResponse(def.clientHandshake.response, def.clientHandshake.probe, SAMPLE_CTX);
    let text = Buffer.concat(built.writes).toString('latin1');
    for (;;) {
      const end = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
      text = text.slice(end + 4);
      // An interim 1xx other than 101 is followed by the final response, when there is one (0.7.6).
      if (status >= 200 || status === 101 || !text.startsWith('HTTP/')) {
        const connection = lines
          .filter((l) => /^connection:/i.test(l))
          .flatMap((l) => l.slice(l.indexOf(':') + 1).split(','))
          .map((t) => t.trim().toLowerCase());
        return { status, connection };
      }
    }
  }

  it('every final response other than 101 has Connection: close (RFC 9112 §9.6), so no client reuses it', () => {
    const refusing = CLIENT_GROUP_0.map((def) => ({ id: def.id, ...finalResponse(def) })).filter(
      (r) => r.status >= 200,
    );
    expect(refusing.map((r) => r.id)).toEqual(['0.7.2', '0.7.3', '0.7.4']);
    for (const r of refusing) expect(r.connection, r.id).toContain('close');
    // The 200 keeps every upgrade header: its Connection names both tokens.
    expect(refusing[0]!.connection).toEqual(['upgrade', 'close']);
  });
});

describe("the client's offer", () => {
  it('derives the accept value and a valid acceptance of the first permessage-deflate offer', () => {
    const none = readClientOffer(requestHead());
    expect(none.accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect([none.deflate, none.requestProblem, deflateAcceptance(none)]).toEqual([null, null, 'permessage-deflate']);
    const asks = readClientOffer(
      requestHead([
        'Sec-WebSocket-Extensions: x-other, ' +
          'permessage-deflate; server_no_context_takeover; server_max_window_bits=10, permessage-deflate',
      ]),
    );
    expect(deflateAcceptance(asks)).toBe('permessage-deflate; server_no_context_takeover; server_max_window_bits=10');
    expect(readClientOffer(requestHead([], 'short')).requestProblem).toMatch(/Sec-WebSocket-Key/);
  });

  it('picks the requirement of a conditional case from the offer', () => {
    const kind = (id: string, lines: string[]): string =>
      applicableRequirement(ch(id).clientHandshake.expect, readClientOffer(requestHead(lines))).requirement.kind;
    const wsOffer = ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'];
    expect(kind('0.10.3', wsOffer)).toBe('accept');
    expect(kind('0.10.3', [])).toBe('refuse');
    expect(kind('0.10.4', wsOffer)).toBe('accept');
    expect(kind('0.10.4', ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=12'])).toBe('accept');
    expect(kind('0.10.4', ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=8'])).toBe('refuse');
    expect(kind('0.10.4', ['Sec-WebSocket-Extensions: permessage-deflate'])).toBe('refuse');
    expect(kind('0.10.10', wsOffer)).toBe('accept');
    expect(kind('0.10.10', ['Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover'])).toBe(
      'refuse',
    );
    expect(kind('0.8.1', wsOffer)).toBe('refuse');
  });
});

describe('client handshake verdict rules', () => {
  const refuse: ClientRequirement = { kind: 'refuse', onAccept: 'FAILED' };
  const accept: ClientRequirement = { kind: 'accept', onRefuse: 'NON-STRICT' };
  const obs = (o: Partial<ClientObservation>): ClientObservation => ({
    reply: { kind: 'none' },
    controlFrames: 0,
    closeHandshake: false,
    droppedByRunner: false,
    windowMs: 5000,
    ...o,
  });
  const v = (r: ClientRequirement, o: Partial<ClientObservation>): string => {
    const x = clientHandshakeVerdict(r, obs(o));
    return `${x.behavior}/${x.behaviorClose}`;
  };

  it('must refuse: no frame is OK, a lone Close NON-STRICT, any other frame onAccept', () => {
    expect(v(refuse, {})).toBe('OK/OK');
    expect(v(refuse, { droppedByRunner: true })).toBe('OK/INFORMATIONAL');
    expect(v(refuse, { reply: { kind: 'http-request', preview: 'GET /x HTTP/1.1', served: false } })).toBe('OK/OK');
    const reply = { kind: 'http-request', preview: 'GET /', served: true } as const;
    const served = clientHandshakeVerdict(refuse, obs({ reply }));
    expect([served.behavior, served.behaviorClose]).toEqual(['OK', 'OK']);
    expect(served.resultClose).toMatch(/served the new HTTP request as a request of its own/);
    expect(v(refuse, { reply: { kind: 'close', code: 1002 }, closeHandshake: true })).toBe('NON-STRICT/OK');
    expect(v(refuse, { reply: { kind: 'echo' }, closeHandshake: true })).toBe('FAILED/OK');
    expect(v(refuse, { controlFrames: 1, droppedByRunner: true })).toBe('FAILED/INFORMATIONAL');
    expect(v(refuse, { reply: { kind: 'invalid', message: 'unmasked' }, droppedByRunner: true })).toBe(
      'FAILED/INFORMATIONAL',
    );
    expect(v({ kind: 'refuse', onAccept: 'INFORMATIONAL' }, { reply: { kind: 'echo' } })).toBe(
      'INFORMATIONAL/INFORMATIONAL',
    );
  });

  it('must accept: the intact echo is OK, a wrong one FAILED, no echo onRefuse', () => {
    expect(v(accept, { reply: { kind: 'echo' }, closeHandshake: true })).toBe('OK/OK');
    expect(v(accept, { reply: { kind: 'echo' }, droppedByRunner: true })).toBe('OK/INFORMATIONAL');
    expect(v(accept, { reply: { kind: 'other-message', detail: 'x' }, closeHandshake: true })).toBe('FAILED/OK');
    expect(v(accept, { reply: { kind: 'invalid', message: 'x' } })).toBe('FAILED/INFORMATIONAL');
    expect(v(accept, {})).toBe('NON-STRICT/OK');
    expect(v(accept, { reply: { kind: 'close', code: 1002 }, closeHandshake: true })).toBe('NON-STRICT/OK');
    expect(v(accept, { droppedByRunner: true })).toBe('NON-STRICT/INFORMATIONAL');
  });
});

/** The verdict a client's own view earns: took the connection (opened) or not. */
function earned(requirement: ClientRequirement, side: ClientSide): string {
  if (requirement.kind === 'refuse') return side.opened ? requirement.onAccept : 'OK';
  return side.opened ? 'OK' : requirement.onRefuse;
}

function requirementFor(def: ClientHandshakeCaseDef, deflateOffered: boolean): ClientRequirement {
  const lines = deflateOffered ? ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'] : [];
  return applicableRequirement(def.clientHandshake.expect, readClientOffer(requestHead(lines))).requirement;
}

describe('the ws client (8.x)', () => {
  it('gets, case by case, the verdict its own open/error events earn', async () => {
    const seen: Record<string, string> = {};
    for (const def of CLIENT_GROUP_0) {
      const { result, side } = await playWith(def, runWsClient);
      // ws offers "permessage-deflate; client_max_window_bits" by default.
      expect(result.behavior, `${def.id}: ${result.result} (ws: ${side.error})`).toBe(
        earned(requirementFor(def, true), side),
      );
      expect(result.behaviorClose, `${def.id}: ${result.resultClose}`).toBe('OK');
      seen[def.id] = result.behavior;
    }
    // What ws 8 does, from its source: it checks the status, Upgrade, Sec-WebSocket-Accept, the
    // subprotocol and the extension names and parameters; Node's HTTP parser (llhttp, strict) refuses
    // a missing or wrong Connection (no 'upgrade' event), bare CR, obs-fold and heads over 16 KiB; ws
    // takes the first of two permessage-deflate elements.
    const notOk = Object.entries(seen).filter(([, b]) => b !== 'OK');
    expect(notOk).toEqual([
      ['0.10.9', 'FAILED'],
      ['0.11.2', 'NON-STRICT'],
    ]);
  });

  it('inflates a compressed echo, with the window the response imposed', async () => {
    const compressingWs = (url: string): Promise<ClientSide> =>
      new Promise((resolve) => {
        const side: ClientSide = { opened: false, error: null };
        const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
        ws.on('open', () => {
          side.opened = true;
        });
        ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
        ws.on('error', (err) => {
          side.error ??= err.message;
        });
        ws.on('close', () => resolve(side));
      });
    for (const id of ['0.10.3', '0.10.4', '0.10.10']) {
      const { result } = await playWith(ch(id), compressingWs);
      expect(`${result.behavior}/${result.behaviorClose}`, `${id}: ${result.result}`).toBe('OK/OK');
      const dataFrames = result.wirelog.filter((e) => e[0] === 'RF' && e[2] === Opcode.Text);
      expect(
        dataFrames.map((e) => e[4]),
        id,
      ).toEqual([4]); // RSV1: the echo came compressed
      expect(result.received).toEqual([['message', ch(id).clientHandshake.probe.text, false]]);
    }
  });
});

describe('a lax client that validates nothing', () => {
  it('gets onAccept on every must-refuse case and OK where it must accept the plain 101', async () => {
    for (const def of CLIENT_GROUP_0) {
      const requirement = requirementFor(def, false);
      const { result, side } = await playWith(def, runLaxClient);
      if (requirement.kind === 'refuse') {
        expect(side.opened, def.id).toBe(true);
        expect(result.behavior, `${def.id}: ${result.result}`).toBe(requirement.onAccept);
        expect(result.received, def.id).toEqual([['message', def.clientHandshake.probe.text, false]]);
      }
    }
    for (const id of ['0.7.1', '0.7.7', '0.8.5', '0.9.5', '0.9.6', '0.11.2', '0.11.4', '0.11.5']) {
      const { result } = await playWith(ch(id), runLaxClient);
      expect(`${result.behavior}/${result.behaviorClose}`, `${id}: ${result.result}`).toBe('OK/OK');
    }
  });
});

/** A raw client: sends a valid request, then lets `react` answer the server's bytes. */
function scriptedClient(react: (socket: net.Socket, chunk: Buffer, index: number) => void) {
  return (url: string): Promise<ClientSide> => {
    const target = new URL(url);
    return new Promise((resolve) => {
      const side: ClientSide = { opened: false, error: null };
      const socket = net.connect({ host: target.hostname, port: Number(target.port) });
      let index = 0;
      socket.on('connect', () =>
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${generateKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ),
      );
      socket.on('data', (chunk: Buffer) => react(socket, chunk, index++));
      socket.on('error', (err) => {
        side.error ??= err.message;
      });
      socket.on('close', () => resolve(side));
    });
  };
}

const maskedClose = (code: number): Buffer =>
  encodeFrame({ opcode: Opcode.Close, payload: encodeClosePayload(code), mask: true });

describe('the engine against scripted clients', () => {
  const short = { windowMs: 300, closeHandshakeMs: 200, connectionDropMs: 200 };

  it('a silent client that keeps TCP open: the window ends it, the runner drops TCP', async () => {
    const silent = scriptedClient(() => undefined);
    const refused = (await playWith(ch('0.8.1'), silent, short)).result;
    expect([refused.behavior, refused.behaviorClose, refused.droppedByMe]).toEqual(['OK', 'INFORMATIONAL', true]);
    const ignored = (await playWith(ch('0.7.1'), silent, short)).result;
    expect([ignored.behavior, ignored.behaviorClose]).toEqual(['FAILED', 'INFORMATIONAL']);
    expect(ignored.result).toMatch(/sent nothing within 300 ms/);
  });

  it('a client that fails the connection with a Close 1002 is NON-STRICT, and gets its Close answered', async () => {
    const closer = scriptedClient((socket, _chunk, i) => {
      if (i === 0) socket.write(maskedClose(1002));
    });
    const { result } = await playWith(ch('0.8.1'), closer, short);
    expect([result.behavior, result.behaviorClose, result.remoteCloseCode]).toEqual(['NON-STRICT', 'OK', 1002]);
    expect(result.wirelog.some((e) => e[0] === 'TF' && e[2] === Opcode.Close)).toBe(true);
  });

  it('a client that reads a redirect as HTTP and sends its next request on the connection is OK', async () => {
    const follower = scriptedClient((socket, _chunk, i) => {
      if (i === 0) socket.write('GET /wsmatrix-redirect-target HTTP/1.1\r\nHost: h\r\n\r\n');
    });
    const { result } = await playWith(ch('0.7.3'), follower, short);
    expect([result.behavior, result.behaviorClose]).toEqual(['OK', 'OK']);
    expect(result.result).toMatch(/new HTTP request .*GET \/wsmatrix-redirect-target/);
  });

  it('with onNextRequest, the next request ends the case and the open connection goes to the caller', async () => {
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const { port } = server.address() as net.AddressInfo;
    const handedOver = new Promise<{ socket: net.Socket; bytes: Buffer; result: Promise<CaseResult> }>((res) =>
      server.once('connection', (socket: net.Socket) => {
        const parser = new HttpHeadParser('request');
        const onData = (chunk: Buffer): void => {
          const head = parser.push(chunk);
          if (head === null || head.kind !== 'request') return;
          socket.off('data', onData);
          socket.pause();
          const request = { head, raw: chunk.subarray(0, chunk.length - parser.rest().length), rest: parser.rest() };
          const result = playClientHandshakeCase(socket, request, ch('0.7.4'), {
            agent: 'pooled',
            onNextRequest: (bytes) => res({ socket, bytes, result }),
          });
        };
        socket.on('data', onData);
      }),
    );
    const client = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const next = 'GET /next HTTP/1.1\r\nHost: h\r\n\r\n';
    const probe = ch('0.7.4').clientHandshake.probe.text;
    client.on('data', (chunk: Buffer) => {
      const before = received.includes(probe);
      received = Buffer.concat([received, chunk]);
      // The next request goes out once the response and its probe are in, as a pooling client sends it.
      if (!before && received.includes(probe)) client.write(next);
    });
    const clientClosed = new Promise((res) => client.on('close', res));
    client.write(
      'GET /runCase?case=1&agent=pooled HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${generateKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const { socket, bytes, result } = await handedOver;
    server.close();
    expect(bytes.toString('latin1')).toBe(next);
    // The case is over and the engine has let go: nothing of it listens, nothing of it is still to come.
    const r = await result;
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    expect(r.result).toMatch(/new HTTP request .*GET \/next HTTP\/1\.1/);
    expect(r.resultClose).toMatch(/served the new HTTP request/);
    // ('end' keeps the one listener every net.Socket has of its own.)
    const own = new net.Socket().listenerCount('end');
    expect(['data', 'end', 'close'].map((e) => socket.listenerCount(e))).toEqual([0, own, 0]);
    expect(socket.destroyed).toBe(false);
    // The connection is the caller's: what it writes reaches the client after the 403 and the probe.
    socket.end('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n');
    await clientClosed;
    const text = received.toString('latin1');
    expect(text.startsWith('HTTP/1.1 403 Forbidden\r\n')).toBe(true);
    expect(text.endsWith(`${probe}HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n`)).toBe(true);
  });

  it('an unmasked echo is not a valid client frame: FAILED on a must-accept case', async () => {
    const unmasked = scriptedClient((socket, chunk, i) => {
      if (i === 0 && chunk.includes(0x81))
        socket.write(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('x') }));
    });
    const { result } = await playWith(ch('0.11.4'), unmasked, short);
    expect(result.behavior).toBe('FAILED');
    expect(result.result).toMatch(/not a valid client frame/);
  });

  it('a client that echoes but never answers the Close: OK, and an INFORMATIONAL close after the timeout', async () => {
    const probe = Buffer.from(ch('0.11.4').clientHandshake.probe.text);
    let echoed = false;
    const echoOnly = scriptedClient((socket, chunk) => {
      if (echoed || !chunk.includes(probe)) return;
      echoed = true;
      socket.write(encodeFrame({ opcode: Opcode.Text, payload: probe, mask: true }));
    });
    const { result } = await playWith(ch('0.11.4'), echoOnly, short);
    expect([result.behavior, result.behaviorClose]).toEqual(['OK', 'INFORMATIONAL']);
    expect(result.wasCloseHandshakeTimeout).toBe(true);
  });

  it('a flooding client is cut off at the byte bound and the case still ends', async () => {
    const flood = scriptedClient((socket, _chunk, i) => {
      if (i !== 0) return;
      const block = encodeFrame({ opcode: Opcode.Ping, payload: Buffer.alloc(100), mask: true });
      const many = Buffer.concat(Array.from({ length: 12_000 }, () => block));
      socket.write(many);
    });
    const { result } = await playWith(ch('0.8.2'), flood, short);
    expect(result.behavior).toBe('FAILED');
    expect(result.droppedByMe).toBe(true);
    expect(result.wasNotCleanReason).toMatch(/flooded|answer the Close/);
  });

  it('reports the request as received, the response as sent, and the run it belongs to', async () => {
    const { result } = await playWith(ch('0.7.1'), runWsClient, { caseNumber: 7, agent: 'ws-test' });
    expect(result.httpRequest.startsWith('GET /runCase?case=1&agent=test HTTP/1.1\r\n')).toBe(true);
    expect(result.httpResponse.startsWith('HTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    expect([result.case, result.agent, result.isServer, result.url]).toEqual([
      7,
      'ws-test',
      true,
      '/runCase?case=1&agent=test',
    ]);
    expect(result.wirelog.map((e) => e[0]).slice(0, 4)).toEqual(['RO', 'TO', 'TF', 'TO']);
    for (let i = 1; i < result.wirelogTimes.length; i++)
      expect(result.wirelogTimes[i]!).toBeGreaterThanOrEqual(result.wirelogTimes[i - 1]!);
  });

  it('resolves for a client that left before the case began', async () => {
    const server = net.createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const accepted = new Promise<net.Socket>((res) => server.once('connection', res));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    const socket = await accepted;
    client.destroy();
    await new Promise((res) => socket.once('close', res));
    server.close();
    const request = { head: requestHead(), raw: Buffer.from('GET / HTTP/1.1\r\n\r\n'), rest: Buffer.alloc(0) };
    const result = await playClientHandshakeCase(socket, request, ch('0.7.1'), { agent: 'a' });
    expect([result.behavior, result.droppedByMe]).toEqual(['FAILED', false]);
  });

  it('refuses a case that is not a client handshake case', async () => {
    const socket = new net.Socket();
    await expect(
      playClientHandshakeCase(
        socket,
        { head: requestHead(), raw: Buffer.alloc(0), rest: Buffer.alloc(0) },
        caseById('1.1.1')!,
        {
          agent: 'a',
        },
      ),
    ).rejects.toThrow(/not a client handshake case/);
  });
});
