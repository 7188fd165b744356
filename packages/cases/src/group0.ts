/**
 * Group 0, "Opening handshake": how a server answers valid, malformed and hostile upgrade requests.
 * Schema and verdict rules: handshake-case.ts. RFC references are RFC 6455 unless said otherwise.
 */
import type { HandshakeCaseDef, HandshakeExpectation, HandshakeRequestSpec, RequiredHeader } from './handshake-case.js';

/** How long the runner waits for the response head; also the case's time limit. */
export const HANDSHAKE_RESPONSE_WINDOW_MS = 5000;

/** The RFC's sample key (§1.3) and the accept value it must produce. */
const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const UPGRADE_WEBSOCKET: RequiredHeader = ['Upgrade', 'websocket'];
const VERSION_13: RequiredHeader = ['Sec-WebSocket-Version', '13'];

type Extra = { forbidden?: string[] };

function describeExpectation(e: HandshakeExpectation): string {
  switch (e.kind) {
    case 'refuse': {
      const headers = (e.headers ?? []).map(([n, t]) => ` with ${n}: ${t}`).join(' and');
      return (
        `Refused with ${e.status}${headers} (OK); another 4xx/5xx, or closing without a response, is NON-STRICT; ` +
        `101 is ${e.onAccept}.`
      );
    }
    case 'accept':
      return (
        `A valid 101${e.acceptValue ? ` with Sec-WebSocket-Accept ${e.acceptValue}` : ''}` +
        `${e.expectEcho ? ' followed by the echo of the pipelined frame' : ''} (OK); a refusal is ${e.onRefuse}.`
      );
    case 'open':
      return (
        'The RFC leaves this to the server: any answer is INFORMATIONAL ' +
        '(an invalid 101 or no answer at all is FAILED).'
      );
  }
}

function hs(
  id: string,
  description: string,
  rule: string,
  request: HandshakeRequestSpec,
  expect: HandshakeExpectation,
  extra: Extra = {},
): HandshakeCaseDef {
  const expectation =
    describeExpectation(expect) + (extra.forbidden ? ' Reflecting the injected text in the response is FAILED.' : '');
  return {
    id,
    description,
    expectation,
    steps: [],
    expected: {},
    expectedClose: { closedByMe: true, closeCode: [1000], requireClean: false },
    timeLimitMs: HANDSHAKE_RESPONSE_WINDOW_MS,
    handshake: { request, expect, rule, ...(extra.forbidden ? { forbidden: extra.forbidden } : {}) },
  };
}

const refuse = (
  status: number,
  onAccept: 'FAILED' | 'INFORMATIONAL',
  ...headers: RequiredHeader[]
): HandshakeExpectation =>
  headers.length === 0 ? { kind: 'refuse', status, onAccept } : { kind: 'refuse', status, onAccept, headers };
const accept = (
  onRefuse: 'FAILED' | 'NON-STRICT' | 'INFORMATIONAL',
  more: { acceptValue?: string; expectEcho?: boolean } = {},
): HandshakeExpectation => ({
  kind: 'accept',
  onRefuse,
  ...more,
});
const open: HandshakeExpectation = { kind: 'open' };

const group01: HandshakeCaseDef[] = [
  hs(
    '0.1.1',
    'A valid opening handshake, exactly as the runner sends it for every other case.',
    '§4.2.1: a valid request gets 101 with the right Sec-WebSocket-Accept.',
    {},
    accept('FAILED'),
  ),
  hs(
    '0.1.2',
    'Upgrade request with method POST.',
    '§4.2.1 item 1: the method MUST be GET; RFC 9110 §15.5.6: 405 carries Allow.',
    { method: 'POST' },
    refuse(405, 'FAILED', ['Allow', 'GET']),
  ),
  hs(
    '0.1.3',
    'Upgrade request with method HEAD.',
    '§4.2.1 item 1: the method MUST be GET; RFC 9110 §15.5.6: 405 carries Allow.',
    { method: 'HEAD' },
    refuse(405, 'FAILED', ['Allow', 'GET']),
  ),
  hs(
    '0.1.4',
    'Upgrade request with the method in lower case ("get"); methods are case-sensitive.',
    '§4.2.1 item 1; RFC 9110 §9.1: "get" is not GET but an unknown method, which SHOULD get 501.',
    { method: 'get' },
    refuse(501, 'FAILED'),
  ),
  hs(
    '0.1.5',
    'Upgrade request over HTTP/1.0.',
    '§4.2.1 item 1: an HTTP/1.1 or higher GET; RFC 9110 §15.6.6: 505 for an unsupported version.',
    { httpVersion: 'HTTP/1.0' },
    refuse(505, 'FAILED'),
  ),
  hs(
    '0.1.6',
    'Upgrade request with the absolute-form target http://host:port/path.',
    '§4.1 item 2 and RFC 9112 §3.2.2: a server MUST accept the absolute form.',
    { target: 'http://{host}{path}' },
    accept('NON-STRICT'),
  ),
  hs(
    '0.1.7',
    'Upgrade request declaring HTTP/1.2 (a higher minor version).',
    '§4.2.1 says "HTTP/1.1 or higher"; RFC 9110 §2.5 lets a server treat 1.2 as 1.1.',
    { httpVersion: 'HTTP/1.2' },
    open,
  ),
];

const group02: HandshakeCaseDef[] = [
  hs(
    '0.2.1',
    'Upgrade request without a Host header.',
    '§4.2.1 item 2 and RFC 9112 §3.2: a request without Host MUST get 400.',
    { remove: ['host'] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.2.2',
    'Upgrade request with two Host headers.',
    'RFC 9112 §3.2: more than one Host MUST get 400.',
    { extra: [{ name: 'Host', value: 'other.example' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.2.3',
    'Upgrade request without an Upgrade header.',
    '§4.2.1 item 3; RFC 9110 §15.5.22: a 426 carries Upgrade naming the protocol.',
    { remove: ['upgrade'] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET),
  ),
  hs(
    '0.2.4',
    'Upgrade: h2c instead of websocket.',
    '§4.2.1 item 3: Upgrade must contain "websocket".',
    { replace: [{ name: 'Upgrade', value: 'h2c' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET),
  ),
  hs(
    '0.2.5',
    'Upgrade request without a Connection header.',
    '§4.2.1 item 4: Connection must contain the token Upgrade.',
    { remove: ['connection'] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET),
  ),
  hs(
    '0.2.6',
    'Connection: keep-alive, without the Upgrade token.',
    '§4.2.1 item 4: Connection must contain the token Upgrade.',
    { replace: [{ name: 'Connection', value: 'keep-alive' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET),
  ),
  hs(
    '0.2.7',
    'Upgrade: WebSocket in mixed case.',
    '§4.2.1 item 3: the value is compared ASCII case-insensitively.',
    { replace: [{ name: 'Upgrade', value: 'WebSocket' }] },
    accept('FAILED'),
  ),
  hs(
    '0.2.8',
    'Connection: keep-alive, Upgrade (what browsers send).',
    '§4.2.1 item 4: Connection must include the token, in any list.',
    { replace: [{ name: 'Connection', value: 'keep-alive, Upgrade' }] },
    accept('FAILED'),
  ),
  hs(
    '0.2.9',
    'Connection: UPGRADE in upper case.',
    '§4.2.1 item 4: the token is compared ASCII case-insensitively.',
    { replace: [{ name: 'Connection', value: 'UPGRADE' }] },
    accept('FAILED'),
  ),
  hs(
    '0.2.10',
    'Upgrade: websocket, h2c (a list that contains websocket).',
    '§4.2.1 item 3: Upgrade containing "websocket"; RFC 9110 §7.8: Upgrade is a list.',
    { replace: [{ name: 'Upgrade', value: 'websocket, h2c' }] },
    accept('NON-STRICT'),
  ),
  hs(
    '0.2.11',
    'Connection split over two lines: "Connection: keep-alive" and "Connection: Upgrade".',
    'RFC 9110 §5.3: repeated list headers are one list, so Connection contains Upgrade.',
    { replace: [{ name: 'Connection', value: 'keep-alive' }], extra: [{ name: 'Connection', value: 'Upgrade' }] },
    accept('NON-STRICT'),
  ),
];

const group03: HandshakeCaseDef[] = [
  hs(
    '0.3.1',
    'Upgrade request without Sec-WebSocket-Version.',
    '§4.2.1 item 6 and §4.2.2: refuse, listing the versions spoken in Sec-WebSocket-Version.',
    { remove: ['sec-websocket-version'] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
  hs(
    '0.3.2',
    'Sec-WebSocket-Version: 12.',
    '§4.2.2: a version not understood MUST be refused with an error code (426) and Sec-WebSocket-Version.',
    { replace: [{ name: 'Sec-WebSocket-Version', value: '12' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
  hs(
    '0.3.3',
    'Sec-WebSocket-Version: 14.',
    '§4.2.2: a version not understood MUST be refused with an error code (426) and Sec-WebSocket-Version.',
    { replace: [{ name: 'Sec-WebSocket-Version', value: '14' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
  hs(
    '0.3.4',
    'Sec-WebSocket-Version: 8 (the last hybi draft).',
    '§4.4: a server may also speak older versions; refusing must list 13.',
    { replace: [{ name: 'Sec-WebSocket-Version', value: '8' }] },
    open,
  ),
  hs(
    '0.3.5',
    'Sec-WebSocket-Version: 13, 8 (a list where one value is required).',
    '§4.1 item 9: the client sends exactly 13; a list is not a version.',
    { replace: [{ name: 'Sec-WebSocket-Version', value: '13, 8' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
  hs(
    '0.3.6',
    'Sec-WebSocket-Version sent twice (13 and 13).',
    '§11.3.5: the header must not appear more than once in a request.',
    { extra: [{ name: 'Sec-WebSocket-Version', value: '13' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
  hs(
    '0.3.7',
    'Sec-WebSocket-Version: abc.',
    '§4.2.2: a version not understood MUST be refused with Sec-WebSocket-Version.',
    { replace: [{ name: 'Sec-WebSocket-Version', value: 'abc' }] },
    refuse(426, 'FAILED', UPGRADE_WEBSOCKET, VERSION_13),
  ),
];

const group04: HandshakeCaseDef[] = [
  hs(
    '0.4.1',
    'Upgrade request without Sec-WebSocket-Key.',
    '§4.2.1 item 5: the key is required.',
    { remove: ['sec-websocket-key'] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.2',
    'Sec-WebSocket-Key of 15 bytes (20 base64 characters).',
    '§4.2.1 item 5: the key MUST decode to 16 bytes.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: 'AAECAwQFBgcICQoLDA0O' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.3',
    'Sec-WebSocket-Key of 17 bytes (24 base64 characters, one pad).',
    '§4.2.1 item 5: the key MUST decode to 16 bytes.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: 'AAECAwQFBgcICQoLDA0ODxA=' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.4',
    'Sec-WebSocket-Key of 24 characters that are not base64.',
    '§4.2.1 item 5: the key is base64.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: '!!!!!!!!!!!!!!!!!!!!!!==' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.5',
    'Sec-WebSocket-Key of 16 bytes without its == padding (22 characters).',
    '§4.2.1 item 5 and §4.1 item 7: 16 bytes base64-encoded, which is 24 characters.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZQ' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.6',
    'Two different Sec-WebSocket-Key headers.',
    '§11.3.1: the header must not appear more than once in a request.',
    { extra: [{ name: 'Sec-WebSocket-Key', value: 'AAAAAAAAAAAAAAAAAAAAAA==' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.7',
    "The RFC's sample key dGhlIHNhbXBsZSBub25jZQ==.",
    `§1.3: the sample key's accept value is ${SAMPLE_ACCEPT}.`,
    { replace: [{ name: 'Sec-WebSocket-Key', value: SAMPLE_KEY }] },
    accept('FAILED', { acceptValue: SAMPLE_ACCEPT }),
  ),
  hs(
    '0.4.8',
    'An empty Sec-WebSocket-Key.',
    '§4.2.1 item 5: the key MUST decode to 16 bytes.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: '' }] },
    refuse(400, 'FAILED'),
  ),
  hs(
    '0.4.9',
    'A key with non-zero padding bits in its last character (dGhlIHNhbXBsZSBub25jZR==).',
    'RFC 4648 §3.5 lets a decoder reject it or accept it; it still decodes to 16 bytes.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZR==' }] },
    open,
  ),
  hs(
    '0.4.10',
    'Sec-WebSocket-Key with spaces around the value.',
    'RFC 9110 §5.5: optional whitespace around a field value is not part of it; ' +
      'the accept value is computed from the key alone.',
    { replace: [{ name: 'Sec-WebSocket-Key', value: `   ${SAMPLE_KEY}   ` }] },
    accept('NON-STRICT', { acceptValue: SAMPLE_ACCEPT }),
  ),
];

const filler = (n: number, size: number) => ({ name: `X-Filler-${n}`, value: { repeat: 'x', length: size } });

const group05: HandshakeCaseDef[] = [
  hs(
    '0.5.1',
    'A request target of 9 000 characters (request line over 8 KiB).',
    'No RFC limit; §10.4 asks servers to protect themselves. RFC 9110 §15.5.15: 414 URI Too Long.',
    { target: { repeat: '/aaaaaaaa', length: 9000 } },
    refuse(414, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.2',
    'One header line of 12 000 bytes.',
    'No RFC limit; RFC 6585 §5: 431 Request Header Fields Too Large.',
    { extra: [filler(1, 12_000)] },
    refuse(431, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.3',
    'A request head of about 20 KiB in 20 header lines of 1 000 bytes.',
    'No RFC limit; RFC 6585 §5: 431 Request Header Fields Too Large.',
    { extra: Array.from({ length: 20 }, (_, i) => filler(i + 1, 1000)) },
    refuse(431, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.4',
    '101 header fields in all (95 short fillers after the 6 standard lines).',
    'No RFC limit; RFC 6585 §5: 431 Request Header Fields Too Large.',
    { extra: Array.from({ length: 95 }, (_, i) => filler(i + 1, 1)) },
    refuse(431, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.5',
    '2 100 short header fields before the required ones (ws CVE-2024-37890 crashed on this).',
    'No RFC limit, but never assume a header that was cut off is absent: 431 (or any refusal), never a crash.',
    { fillBefore: { count: 2100, prefix: 'X-', value: '1' } },
    refuse(431, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.6',
    'Upgrade request with Content-Length: 100000 and the first 1 000 body bytes.',
    'RFC 9110 §9.3.1: a GET body has no meaning; buffering it before the upgrade is an attack surface ' +
      '(Vert.x CVE-2018-12541). 400 expected.',
    { extra: [{ name: 'Content-Length', value: '100000' }], body: { repeat: 'x', length: 1000 } },
    refuse(400, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.7',
    'Upgrade request with Transfer-Encoding: chunked and a chunked body.',
    'RFC 9110 §9.3.1: a GET body has no meaning; 400 expected.',
    { extra: [{ name: 'Transfer-Encoding', value: 'chunked' }], body: '5\r\nhello\r\n0\r\n\r\n' },
    refuse(400, 'INFORMATIONAL'),
  ),
  hs(
    '0.5.8',
    'Upgrade request with Content-Length: 0.',
    'An empty body is no body: the upgrade stands.',
    { extra: [{ name: 'Content-Length', value: '0' }] },
    accept('NON-STRICT'),
  ),
];

const group06: HandshakeCaseDef[] = [
  hs(
    '0.6.1',
    'Sec-WebSocket-Protocol offering "chat, superchat".',
    '§4.2.2 item 5.4: the server picks one offered value or none; it MUST NOT select one not offered.',
    { extra: [{ name: 'Sec-WebSocket-Protocol', value: 'chat, superchat' }] },
    accept('FAILED'),
  ),
  hs(
    '0.6.2',
    'Sec-WebSocket-Protocol whose value carries a bare CR followed by an injected header.',
    'RFC 9112 §2.2: a bare CR in a field is invalid (reject with 400 or replace it); ' +
      'nothing of it may reach the response.',
    { extra: [{ name: 'Sec-WebSocket-Protocol', value: 'chat\rX-Injected: yes' }] },
    refuse(400, 'INFORMATIONAL'),
    { forbidden: ['x-injected'] },
  ),
  hs(
    '0.6.3',
    'Sec-WebSocket-Protocol continued on an obs-fold line holding an injected header.',
    'RFC 9112 §5.2: a server MUST reject obs-fold with 400 or replace it with spaces; ' +
      'nothing of it may reach the response.',
    { extra: [{ name: 'Sec-WebSocket-Protocol', value: 'chat\r\n X-Injected: yes' }] },
    refuse(400, 'INFORMATIONAL'),
    { forbidden: ['x-injected'] },
  ),
  hs(
    '0.6.4',
    'Sec-WebSocket-Protocol with a non-token value: "b" + 7 000 spaces + "x" (ws CVE-2021-32640 burnt CPU on it).',
    '§4.1 item 10: the values are tokens; the server must answer at once and never reflect the value.',
    { extra: [{ name: 'Sec-WebSocket-Protocol', value: `b${' '.repeat(7000)}x` }] },
    refuse(400, 'INFORMATIONAL'),
    { forbidden: ['b   '] },
  ),
  hs(
    '0.6.5',
    'Sec-WebSocket-Extensions offering an unknown extension x-wsmatrix-unknown.',
    '§9.1: the server MUST NOT accept an extension it does not support; it declines by leaving it out.',
    { extra: [{ name: 'Sec-WebSocket-Extensions', value: 'x-wsmatrix-unknown; foo=1' }] },
    accept('NON-STRICT'),
  ),
  hs(
    '0.6.6',
    'Sec-WebSocket-Extensions naming constructor, __proto__ and hasOwnProperty (ws 3.3.1 crashed on this).',
    '§9.1: unknown extensions are declined; a parser keyed by plain objects must not break.',
    { extra: [{ name: 'Sec-WebSocket-Extensions', value: 'constructor, __proto__; hasOwnProperty=1, toString' }] },
    accept('NON-STRICT'),
  ),
  hs(
    '0.6.7',
    'A masked text frame "Hello" pipelined in the same write as the request.',
    '§4.1 asks the client to wait for the 101; once it upgraded, the server should still ' +
      'process the frame (docs/limits.md#pipelined-frames).',
    { pipelinedText: 'Hello' },
    accept('FAILED', { expectEcho: true }),
  ),
  hs(
    '0.6.8',
    'Origin: http://evil.example with no origin policy configured.',
    "§10.2: checking Origin is the server's choice; 403 when it does not accept the origin.",
    { extra: [{ name: 'Origin', value: 'http://evil.example' }] },
    open,
  ),
  hs(
    '0.6.9',
    'Unknown header fields (X-Custom, X-Other with odd but valid values).',
    'RFC 9110 §5.1: unrecognized fields are ignored.',
    {
      extra: [
        { name: 'X-Custom', value: 'some value; with=params, "and quotes"' },
        { name: 'X-Other', value: '' },
      ],
    },
    accept('FAILED'),
  ),
  hs(
    '0.6.10',
    'Sec-WebSocket-Extensions with an unterminated quoted parameter and 8 000 backslash pairs ' +
      '(CVE-2020-7662 backtracked on it).',
    'RFC 9110 §5.6.4: an invalid quoted-string; the server must answer at once (400, or decline the extension) ' +
      'and never reflect it.',
    { extra: [{ name: 'Sec-WebSocket-Extensions', value: `a; b="${'\\c'.repeat(4000)}` }] },
    open,
    { forbidden: ['\\c\\c'] },
  ),
];

/** Every case of group 0, in id order. */
export const group0: HandshakeCaseDef[] = [...group01, ...group02, ...group03, ...group04, ...group05, ...group06];
