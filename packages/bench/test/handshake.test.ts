import { describe, expect, it } from 'vitest';
import { DEFLATE_OFFER_HEADER } from '../src/deflate-offer.js';
import { acceptFor, buildUpgradeRequest, headEnd, randomKey, validateUpgradeResponse } from '../src/handshake.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455 §1.3
const good = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${ACCEPT}`, '', ''].join('\r\n');

describe('handshake', () => {
  it('computes the RFC example accept value', () => {
    expect(acceptFor(KEY)).toBe(ACCEPT);
  });

  it('builds a complete upgrade request without extensions', () => {
    const text = buildUpgradeRequest('127.0.0.1', 9001, KEY).toString('latin1');
    expect(text.startsWith('GET / HTTP/1.1\r\n')).toBe(true);
    expect(text).toContain('\r\nHost: 127.0.0.1:9001\r\n');
    expect(text).toContain('\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
    expect(text).toContain(`\r\nSec-WebSocket-Key: ${KEY}\r\n`);
    expect(text).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    expect(text).not.toMatch(/extensions/i);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(buildUpgradeRequest('::1', 80, KEY).toString()).toContain('Host: [::1]:80');
  });

  it('makes 16-byte base64 keys', () => {
    expect(Buffer.from(randomKey(), 'base64')).toHaveLength(16);
  });

  it('finds the end of the response head', () => {
    expect(headEnd(Buffer.from('HTTP/1.1 101 x\r\nA: b\r\n'))).toBe(-1);
    expect(headEnd(Buffer.from(`${good}\x81\x00`))).toBe(good.length);
  });

  it('accepts a valid 101, header names in any case, extra headers', () => {
    expect(validateUpgradeResponse(good, KEY)).toBeNull();
    expect(validateUpgradeResponse(good.toLowerCase().replace(ACCEPT.toLowerCase(), ACCEPT).replace('http/1.1', 'HTTP/1.1'), KEY)).toBeNull();
    expect(validateUpgradeResponse(good.replace('Upgrade: websocket', 'uWebSockets: 20\r\nUpgrade: WebSocket'), KEY)).toBeNull();
  });

  it.each([
    ['another status', good.replace('101 Switching Protocols', '400 Bad Request'), /status 101/],
    ['garbage', 'hello', /status line/],
    ['a wrong accept', good.replace(ACCEPT, acceptFor('other')), /Accept/],
    ['no accept', good.replace(`Sec-WebSocket-Accept: ${ACCEPT}\r\n`, ''), /Accept/],
    ['no upgrade header', good.replace('Upgrade: websocket\r\n', ''), /Upgrade/],
    ['no connection header', good.replace('Connection: Upgrade\r\n', ''), /Connection/],
    ['an unrequested extension', good.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'), /extension/],
    ['a malformed header line', good.replace('Upgrade: websocket', 'Upgrade websocket'), /malformed/],
  ])('rejects %s', (_what, response, why) => {
    expect(validateUpgradeResponse(response, KEY)).toMatch(why);
  });
});

describe('permessage-deflate offer and answer', () => {
  const withExtensions = (value: string): string => good.replace('\r\n\r\n', `\r\nSec-WebSocket-Extensions: ${value}\r\n\r\n`);
  const deflate = { deflate: true };

  it('a deflate request offers permessage-deflate with client_no_context_takeover, once', () => {
    const text = buildUpgradeRequest('127.0.0.1', 9001, KEY, { deflate: true }).toString('latin1');
    expect(text).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n');
    expect(text.match(/extensions/gi)).toHaveLength(1);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(DEFLATE_OFFER_HEADER).toBe('permessage-deflate; client_no_context_takeover');
  });

  it.each([
    ['bare', 'permessage-deflate'],
    ['what ws answers', 'permessage-deflate; client_no_context_takeover'],
    ['what uWS shared answers', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'],
    ['server window bits', 'permessage-deflate; server_max_window_bits=10'],
    ['odd spacing and case of parameters', 'permessage-deflate ;Server_No_Context_Takeover'],
  ])('accepts a valid answer: %s', (_what, value) => {
    expect(validateUpgradeResponse(withExtensions(value), KEY, deflate)).toBeNull();
  });

  it('rejects permessage-deflate accepted twice (two header lines)', () => {
    const twoLines = good.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n');
    expect(validateUpgradeResponse(twoLines, KEY, deflate)).toMatch(/exactly one/);
  });

  it('FAILS when the server declines deflate that was wanted (no uncompressed +deflate figure)', () => {
    expect(validateUpgradeResponse(good, KEY, deflate)).toMatch(/declined permessage-deflate/);
  });

  it.each([
    ['another extension', 'x-webkit-deflate-frame', /exactly one permessage-deflate/],
    ['deflate plus another', 'permessage-deflate, x-foo', /exactly one/],
    ['an unknown parameter', 'permessage-deflate; foo', /unknown parameter/],
    ['a duplicated parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover', /duplicate/],
    ['a value on a flag', 'permessage-deflate; client_no_context_takeover=1', /takes no value/],
    ['window bits out of range', 'permessage-deflate; server_max_window_bits=16', /8\.\.15/],
    ['window bits without a value', 'permessage-deflate; server_max_window_bits', /8\.\.15/],
    ['client window bits we did not offer', 'permessage-deflate; client_max_window_bits=10', /not offered/],
    ['a malformed header', 'permessage-deflate;', /invalid/],
  ])('rejects a deflate answer with %s', (_what, value, why) => {
    expect(validateUpgradeResponse(withExtensions(value), KEY, deflate)).toMatch(why);
  });

  it('rejects permessage-deflate when it was not offered', () => {
    expect(validateUpgradeResponse(withExtensions('permessage-deflate'), KEY)).toMatch(/not offered/);
    expect(validateUpgradeResponse(withExtensions('permessage-deflate'), KEY, { deflate: false })).toMatch(/not offered/);
  });

  it('still checks the rest of the 101 when deflate was offered', () => {
    expect(validateUpgradeResponse(withExtensions('permessage-deflate').replace(ACCEPT, acceptFor('other')), KEY, deflate)).toMatch(/Accept/);
  });
});
