/**
 * The server role's answer to an upgrade request (server-opening.ts): the permessage-deflate accept of
 * Autobahn's fuzzingserver per case, and its refusals.
 */
import { describe, expect, it } from 'vitest';
import { caseById } from '@wsmatrix/cases';
import { HttpHeadParser, type HttpRequestHead } from '@wsmatrix/protocol';
import { answerUpgradeRequest } from '../src/server-opening.js';

function request(extensions?: string): HttpRequestHead {
  const head =
    'GET /runCase?case=1&agent=a HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
    (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) +
    '\r\n';
  return new HttpHeadParser('request').push(Buffer.from(head)) as HttpRequestHead;
}

function answer(id: string, extensions?: string) {
  const opening = answerUpgradeRequest(request(extensions), caseById(id)!, 'test-server');
  if (!opening.ok) return { status: opening.status, message: opening.message };
  return {
    extensions: /Sec-WebSocket-Extensions: (.*)\r\n/.exec(opening.response)?.[1] ?? null,
    deflate: opening.deflate,
  };
}

describe('answerUpgradeRequest', () => {
  it('answers a valid request with a 101 carrying the accept key and the Server header', () => {
    const opening = answerUpgradeRequest(request(), caseById('1.1.1')!, 'test-server');
    expect(opening.ok && opening.response).toBe(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: test-server\r\n\r\n',
    );
  });

  it('declines every offer in a case without permessage-deflate', () => {
    expect(answer('1.1.1', 'permessage-deflate; client_max_window_bits')).toEqual({ extensions: null, deflate: null });
  });

  it('12.x accepts the first offer as offered, confirming what it asks of the server', () => {
    expect(answer('12.1.1', 'permessage-deflate; server_no_context_takeover; server_max_window_bits=10')).toEqual({
      extensions: 'permessage-deflate; server_no_context_takeover; server_max_window_bits=10',
      deflate: {
        serverNoContextTakeover: true,
        clientNoContextTakeover: false,
        serverMaxWindowBits: 10,
        clientMaxWindowBits: 15,
      },
    });
  });

  it('13.3.x asks client_max_window_bits=9 only of an offer that carries client_max_window_bits', () => {
    expect(answer('13.3.1', 'permessage-deflate')).toEqual({ extensions: null, deflate: null });
    expect(answer('13.3.1', 'permessage-deflate, permessage-deflate; client_max_window_bits=12')).toMatchObject({
      extensions: 'permessage-deflate; client_max_window_bits=9',
      deflate: { clientMaxWindowBits: 9, serverMaxWindowBits: 15 },
    });
  });

  it('13.2.x asks client_no_context_takeover of any offer (AutobahnPython assumes every client accepts it)', () => {
    expect(answer('13.2.1', 'permessage-deflate')).toMatchObject({
      extensions: 'permessage-deflate; client_no_context_takeover',
      deflate: { clientNoContextTakeover: true },
    });
  });

  it('13.7.x tries its asks in order, each against every offer in order', () => {
    // (no context takeover, 9) fits the second offer only; it wins over (no context takeover) on the first.
    expect(answer('13.7.1', 'permessage-deflate, permessage-deflate; client_max_window_bits').extensions).toBe(
      'permessage-deflate; client_no_context_takeover; client_max_window_bits=9',
    );
    expect(answer('13.7.1', 'permessage-deflate').extensions).toBe('permessage-deflate; client_no_context_takeover');
  });

  it('refuses a malformed permessage-deflate offer with 400 in any case, as AutobahnPython raises on it', () => {
    expect(answer('1.1.1', 'permessage-deflate; x_unknown')).toEqual({
      status: 400,
      message: "illegal extension parameter 'x_unknown' for extension 'permessage-deflate'",
    });
    expect(answer('12.1.1', 'permessage-deflate; server_max_window_bits=16').status).toBe(400);
    expect(answer('12.1.1', 'permessage-deflate; client_no_context_takeover=1').status).toBe(400);
    expect(answer('12.1.1', 'permessage-deflate; server_max_window_bits; server_max_window_bits=9').status).toBe(400);
  });

  it('refuses an invalid upgrade request with the status RFC 6455 names', () => {
    const bad = new HttpHeadParser('request').push(
      Buffer.from(
        'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n\r\n',
      ),
    ) as HttpRequestHead;
    const opening = answerUpgradeRequest(bad, caseById('1.1.1')!, 'test-server');
    expect(opening.ok).toBe(false);
    expect(!opening.ok && [opening.status, opening.headers]).toEqual([
      426,
      [
        ['Upgrade', 'websocket'],
        ['Sec-WebSocket-Version', '13'],
      ],
    ]);
  });
});
