/**
 * Group 0 (opening handshake): the request builder, the verdict rules, and the engine against servers
 * that accept everything, refuse everything, go silent, reflect headers or answer garbage.
 */
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allCases, caseById, isHandshakeCase, type HandshakeCaseDef } from '@wsmatrix/cases';
import { HeaderList, computeAcceptKey } from '@wsmatrix/protocol';
import { isTargetDown } from '../src/pass-rules.js';
import { runCase } from '../src/run-case.js';
import { runSuite } from '../src/suite.js';
import { buildHandshakeRequest } from '../src/handshake-request.js';
import { handshakeVerdict, type HandshakeObservation } from '../src/handshake-verdict.js';
import { afterUpgrade, hostileServers, onRequestHead, refusedUrl } from './fixtures/hostile-server.js';

const servers = hostileServers();
afterEach(() => servers.closeAll());
const server = servers.serve;

const hs = (id: string): HandshakeCaseDef => {
  const def = caseById(id);
  if (!def || !isHandshakeCase(def)) throw new Error(`${id} is not a handshake case`);
  return def;
};
const ctx = { host: '127.0.0.1:9001', path: '/p?q=1', key: 'AAAAAAAAAAAAAAAAAAAAAA==', userAgent: 'test' };

/** After the 101: answer the runner's Close with a Close, then end TCP. */
const closesNicely = (socket: net.Socket) =>
  socket.once('data', () => socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8])));

function response(
  status: number,
  headers: Array<[string, string]> = [],
  extra: Partial<Extract<HandshakeObservation, { kind: 'response' }>> = {},
): HandshakeObservation {
  return {
    kind: 'response',
    status,
    reason: 'X',
    headers: new HeaderList(headers),
    rawHead: '',
    upgrade: null,
    echo: null,
    endedCleanly: true,
    ...extra,
  };
}

describe('group 0 request builder', () => {
  it('builds the valid request with the edits applied in place', () => {
    const r = buildHandshakeRequest(
      { replace: [{ name: 'Connection', value: 'keep-alive' }], extra: [{ name: 'Connection', value: 'Upgrade' }] },
      ctx,
    );
    expect(r.head).toBe(
      'GET /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n' +
        'Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n' +
        'User-Agent: test\r\nConnection: Upgrade\r\n\r\n',
    );
  });

  it('removes lines, fills before, expands targets and appends bodies and frames', () => {
    const r = buildHandshakeRequest(
      {
        method: 'POST',
        target: 'http://{host}{path}',
        remove: ['HOST'],
        fillBefore: { count: 2, prefix: 'X-', value: '1' },
        body: 'abc',
        pipelinedText: 'Hi',
      },
      ctx,
    );
    expect(
      r.head.startsWith('POST http://127.0.0.1:9001/p?q=1 HTTP/1.1\r\nX-1: 1\r\nX-2: 1\r\nUpgrade: websocket\r\n'),
    ).toBe(true);
    expect(r.head).not.toMatch(/^Host:/m);
    const tail = r.bytes.subarray(Buffer.byteLength(r.head));
    expect(tail.subarray(0, 3).toString()).toBe('abc');
    expect([tail[3], tail[4]]).toEqual([0x81, 0x82]); // FIN text, masked, 2 bytes
  });

  it('reports the key, the offered subprotocols and extension names', () => {
    const r = buildHandshakeRequest(hs('0.6.1').handshake.request, ctx);
    expect(r.offeredProtocols).toEqual(['chat', 'superchat']);
    expect(buildHandshakeRequest(hs('0.4.10').handshake.request, ctx).key).toBe('dGhlIHNhbXBsZSBub25jZQ==');
    expect(buildHandshakeRequest(hs('0.6.5').handshake.request, ctx).offeredExtensions).toEqual(['x-wsmatrix-unknown']);
  });

  it('builds every group 0 case', () => {
    for (const def of allCases.filter(isHandshakeCase))
      expect(buildHandshakeRequest(def.handshake.request, ctx).bytes.length, def.id).toBeGreaterThan(50);
  });
});

describe('group 0 verdict rules', () => {
  const v12 = hs('0.3.2').handshake;
  it('a MUST-refuse case: preferred status and headers OK, other refusals NON-STRICT, 101 FAILED', () => {
    expect(
      handshakeVerdict(
        v12,
        response(426, [
          ['Upgrade', 'websocket'],
          ['Sec-WebSocket-Version', '13, 8'],
        ]),
      ).behavior,
    ).toBe('OK');
    const without = handshakeVerdict(v12, response(426, [['Upgrade', 'websocket']]));
    expect([without.behavior, without.result]).toEqual([
      'NON-STRICT',
      'Refused with 426 X but without Sec-WebSocket-Version: 13.',
    ]);
    expect(handshakeVerdict(v12, response(400)).behavior).toBe('NON-STRICT');
    expect(handshakeVerdict(v12, { kind: 'closed', socketError: null }).behavior).toBe('NON-STRICT');
    expect(handshakeVerdict(v12, response(101, [], { upgrade: { ok: true, extensions: [] } })).behavior).toBe('FAILED');
  });

  it('a limit case: 101 is only INFORMATIONAL', () => {
    expect(
      handshakeVerdict(hs('0.5.1').handshake, response(101, [], { upgrade: { ok: true, extensions: [] } })).behavior,
    ).toBe('INFORMATIONAL');
  });

  it('silence, garbage, an invalid 101 and reflected injection are FAILED in every kind', () => {
    for (const id of ['0.1.1', '0.3.2', '0.6.8']) {
      const spec = hs(id).handshake;
      expect(handshakeVerdict(spec, { kind: 'silent', windowMs: 5 }).behavior).toBe('FAILED');
      expect(handshakeVerdict(spec, { kind: 'invalid', message: 'x' }).behavior).toBe('FAILED');
      expect(
        handshakeVerdict(spec, response(101, [], { upgrade: { ok: false, message: 'bad accept' } })).behavior,
      ).toBe('FAILED');
    }
    const injected = handshakeVerdict(
      hs('0.6.2').handshake,
      response(400, [], { rawHead: 'HTTP/1.1 400 X\r\nX-Injected: yes\r\n\r\n' }),
    );
    expect(injected.behavior).toBe('FAILED');
  });

  it('close verdicts: OK when the server ends the connection, INFORMATIONAL when it lingers', () => {
    expect(handshakeVerdict(v12, response(400)).behaviorClose).toBe('OK');
    expect(handshakeVerdict(v12, response(400, [], { endedCleanly: false })).behaviorClose).toBe('INFORMATIONAL');
  });
});

describe('group 0 engine against misbehaving servers', () => {
  it('a server that upgrades anything fails the MUST-refuse cases and passes the valid ones', async () => {
    const url = await server(afterUpgrade(closesNicely));
    const suite = await runSuite({ url, agent: 'yes', cases: ['0.1.1', '0.3.2', '0.4.7', '0.2.1', '0.5.1'].map(hs) });
    const by = new Map(suite.results.map((r) => [r.id, r]));
    expect([by.get('0.1.1')!.behavior, by.get('0.1.1')!.behaviorClose]).toEqual(['OK', 'OK']);
    expect(by.get('0.4.7')!.behavior).toBe('OK');
    expect(by.get('0.4.7')!.httpResponse).toContain(
      `Sec-WebSocket-Accept: ${computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')}`,
    );
    expect(by.get('0.3.2')!.behavior).toBe('FAILED');
    expect(by.get('0.3.2')!.result).toMatch(/Accepted with 101/);
    expect(by.get('0.2.1')!.behavior).toBe('FAILED');
    expect(by.get('0.5.1')!.behavior).toBe('INFORMATIONAL');
    expect(by.get('0.1.1')!.case).toBe(0);
  });

  it('a server that closes without a response: NON-STRICT for refusals, onRefuse for valid requests', async () => {
    const url = await server(onRequestHead((_head, socket) => socket.end()));
    const [refuse, valid] = await Promise.all([runCase(url, hs('0.2.1')), runCase(url, hs('0.1.1'))]);
    expect([refuse.behavior, refuse.behaviorClose]).toEqual(['NON-STRICT', 'OK']);
    expect(refuse.result).toMatch(/without any HTTP response/);
    expect(valid.behavior).toBe('FAILED');
  });

  it('a silent server is FAILED at the end of the response window, with the timeout recorded', async () => {
    const url = await server(() => undefined);
    const r = await runCase(url, hs('0.3.2'), { timeouts: { openHandshakeMs: 300 } });
    expect(r.behavior).toBe('FAILED');
    expect(r.wasOpenHandshakeTimeout).toBe(true);
    expect(r.result).toMatch(/No response within 300 ms/);
  });

  it('a server that reflects the injected header is FAILED', async () => {
    const url = await server(
      onRequestHead((_head, socket) =>
        socket.end('HTTP/1.1 400 Bad Request\r\nX-Injected: yes\r\nContent-Length: 0\r\n\r\n'),
      ),
    );
    const r = await runCase(url, hs('0.6.3'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/reflects injected/);
  });

  it('garbage instead of HTTP, and a 101 with the wrong accept, are FAILED', async () => {
    const garbage = await server(onRequestHead((_head, socket) => socket.end('hello there\r\n\r\n')));
    expect((await runCase(garbage, hs('0.2.1'))).result).toMatch(/not a valid HTTP response/);
    const wrong = await server(
      onRequestHead((_h, socket) =>
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n',
        ),
      ),
    );
    const r = await runCase(wrong, hs('0.1.1'));
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/101 is invalid: server sent Sec-WebSocket-Accept/);
  });

  it('the pipelined frame: echoed is OK, not echoed is INFORMATIONAL', async () => {
    const echo = await server(
      afterUpgrade((socket, frame) => {
        // The client's "Hello" frame came with the head: unmask it (2-byte header, 4-byte mask), send it back.
        const mask = frame.subarray(2, 6);
        const payload = Buffer.from(frame.subarray(6, 6 + (frame[1]! & 0x7f)).map((b, i) => b ^ mask[i % 4]!));
        socket.write(Buffer.concat([Buffer.from([0x81, payload.length]), payload]));
        closesNicely(socket);
      }),
    );
    expect((await runCase(echo, hs('0.6.7'))).behavior).toBe('OK');
    const mute = await server(
      afterUpgrade((socket) =>
        socket.on('data', (d) => (d[0] === 0x88 ? socket.end(Buffer.from([0x88, 0])) : undefined)),
      ),
    );
    const r = await runCase(mute, hs('0.6.7'), { timeouts: { closeHandshakeMs: 300 } });
    expect([r.behavior, r.result]).toEqual([
      'INFORMATIONAL',
      'Answered a valid 101 but did not echo the pipelined frame.',
    ]);
  });

  it('a dead target: the first case reports it, the rest are "not run" at once', async () => {
    const suite = await runSuite({
      url: await refusedUrl(),
      agent: 'down',
      cases: allCases.filter(isHandshakeCase),
      concurrency: 1,
    });
    expect(suite.unreachable).toMatch(/ECONNREFUSED/);
    expect(
      suite.results.every((r) => isTargetDown(r) && r.result.startsWith('Not run: the server was unreachable')),
    ).toBe(true);
    // Only the first case tried to connect; the rest were recorded without a connection attempt.
    expect(suite.results.filter((r) => r.wasNotCleanReason === 'server unreachable').length).toBe(
      suite.results.length - 1,
    );
  });
});
