import { computeAcceptKey, HttpHeadParser, type HttpResponseHead } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import { Upgrade } from '../src/load/upgrade.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='; // RFC 6455 §1.3
const good = [
  'HTTP/1.1 101 Switching Protocols',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Accept: ${ACCEPT}`,
  '',
  '',
].join('\r\n');

const upgradeRequest = (host: string, port: number, deflate: boolean): string =>
  new Upgrade(host, port, deflate, KEY).request.toString('latin1');

function check(head: string, deflate = false): string | null {
  const parsed = new HttpHeadParser('response').push(Buffer.from(head, 'latin1')) as HttpResponseHead;
  return new Upgrade('127.0.0.1', 9001, deflate, KEY).check(parsed);
}

describe('upgrade request', () => {
  it('is a complete GET for ws://host:port/ without extensions', () => {
    const text = upgradeRequest('127.0.0.1', 9001, false);
    expect(text.startsWith('GET / HTTP/1.1\r\n')).toBe(true);
    expect(text).toContain('\r\nHost: 127.0.0.1:9001\r\n');
    expect(text).toContain('\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n');
    expect(text).toContain(`\r\nSec-WebSocket-Key: ${KEY}\r\n`);
    expect(text).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    expect(text).not.toMatch(/extensions/i);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(upgradeRequest('::1', 80, false)).toContain('Host: [::1]:80');
  });

  it('a deflate job offers permessage-deflate with client_no_context_takeover, once', () => {
    const text = upgradeRequest('127.0.0.1', 9001, true);
    expect(text).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n');
    expect(text.match(/extensions/gi)).toHaveLength(1);
  });
});

describe('the check of a 101', () => {
  it('accepts a valid 101, header names in any case, extra headers', () => {
    expect(computeAcceptKey(KEY)).toBe(ACCEPT);
    expect(check(good)).toBeNull();
    expect(check(good.replace('Upgrade: websocket', 'uWebSockets: 20\r\nupgrade: WebSocket'))).toBeNull();
  });

  it.each([
    ['another status', good.replace('101 Switching Protocols', '400 Bad Request'), /expected 101/],
    ['a wrong accept', good.replace(ACCEPT, computeAcceptKey('other')), /Sec-WebSocket-Accept/],
    ['no upgrade header', good.replace('Upgrade: websocket\r\n', ''), /Upgrade/],
    [
      'an extension that was not offered',
      good.replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'),
      /not offered/,
    ],
  ])('rejects %s', (_what, response, why) => {
    expect(check(response)).toMatch(why);
  });
});

describe("the check of a deflate job's 101", () => {
  const withExtensions = (value: string): string =>
    good.replace('\r\n\r\n', `\r\nSec-WebSocket-Extensions: ${value}\r\n\r\n`);

  it.each([
    ['bare', 'permessage-deflate'],
    ['what ws answers', 'permessage-deflate; client_no_context_takeover'],
    ['what uWS shared answers', 'permessage-deflate; server_no_context_takeover; client_no_context_takeover'],
    ['server window bits', 'permessage-deflate; server_max_window_bits=10'],
  ])('accepts a valid answer: %s', (_what, value) => {
    expect(check(withExtensions(value), true)).toBeNull();
  });

  it('FAILS when the server declines deflate that was wanted (no uncompressed +deflate figure)', () => {
    expect(check(good, true)).toMatch(/declined permessage-deflate/);
  });

  it.each([
    ['another extension', 'x-webkit-deflate-frame', /not offered/],
    ['permessage-deflate twice', 'permessage-deflate, permessage-deflate', /more than once/],
    ['an unknown parameter', 'permessage-deflate; foo', /invalid/],
    ['window bits out of range', 'permessage-deflate; server_max_window_bits=16', /invalid/],
    ['client window bits we did not offer', 'permessage-deflate; client_max_window_bits=10', /not offered/],
  ])('rejects an answer with %s', (_what, value, why) => {
    expect(check(withExtensions(value), true)).toMatch(why);
  });

  it('still checks the rest of the 101', () => {
    expect(check(withExtensions('permessage-deflate').replace(ACCEPT, computeAcceptKey('other')), true)).toMatch(
      /Accept/,
    );
  });
});
