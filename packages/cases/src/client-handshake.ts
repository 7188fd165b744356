/**
 * Client group 0, "Opening handshake" from the server's side: responses a client must refuse or handle.
 * Schema and verdict rules: client-handshake-case.ts. RFC references are RFC 6455 unless said otherwise.
 *
 * Every final response other than 101 says `Connection: close` (`closing`): the fuzzingserver closes the
 * connection after such a response, and a server that does so must say so (RFC 9112 §9.6), else an HTTP/1.1
 * client that pools connections sends its next case's request on this one. 0.7.5's interim 100 is no final
 * response: no response completes on that connection, so no client can take it for another request.
 */
import type {
  ClientExpectation,
  ClientHandshakeCaseDef,
  ClientOfferCondition,
  ClientRequirement,
  ClientResponseSpec,
} from './client-handshake-case.js';

/** How long the runner watches the client after its response; also the case's time limit. */
export const CLIENT_HANDSHAKE_WINDOW_MS = 5000;

/** The probe every case sends after its response. */
const PROBE_TEXT = 'wsmatrix probe: echo me';

/** Sec-WebSocket-Accept of the RFC's sample key (§1.3): right for that key, wrong for any fresh one. */
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

const OFFER_TEXT: Record<ClientOfferCondition, string> = {
  'offers-deflate': 'the client offered permessage-deflate',
  'offers-deflate-without-server-no-context-takeover':
    'the client offered permessage-deflate without asking for server_no_context_takeover',
  'offers-deflate-allowing-client-window-9':
    'the client offered permessage-deflate with client_max_window_bits (no value, or 9 or more)',
};

function describeRequirement(r: ClientRequirement): string {
  return r.kind === 'refuse'
    ? 'The client must fail the connection: closing TCP without sending a frame is OK, ' +
        `a lone Close frame is NON-STRICT, echoing the probe (or any other frame) is ${r.onAccept}.`
    : `The client must accept: echoing the probe intact is OK, refusing is ${r.onRefuse}, a wrong echo is FAILED.`;
}

function describeExpectation(e: ClientExpectation): string {
  if ('kind' in e) return describeRequirement(e);
  return (
    `When ${OFFER_TEXT[e.ifOffered]}: ${describeRequirement(e.whenMet)} ` +
    `Otherwise: ${describeRequirement(e.otherwise)}`
  );
}

function ch(
  id: string,
  description: string,
  rule: string,
  response: ClientResponseSpec,
  expect: ClientExpectation,
  probe: { sameWrite?: boolean } = {},
): ClientHandshakeCaseDef {
  return {
    id,
    description,
    expectation: `${describeExpectation(expect)} Rule: ${rule}`,
    steps: [],
    expected: {},
    expectedClose: { closedByMe: true, closeCode: [1000], requireClean: false },
    timeLimitMs: CLIENT_HANDSHAKE_WINDOW_MS,
    role: 'client',
    clientHandshake: { response, probe: { text: PROBE_TEXT, sameWrite: probe.sameWrite ?? false }, expect, rule },
  };
}

const refuse = (onAccept: 'FAILED' | 'INFORMATIONAL' = 'FAILED'): ClientRequirement => ({ kind: 'refuse', onAccept });
const accept = (onRefuse: 'FAILED' | 'NON-STRICT' | 'INFORMATIONAL' = 'FAILED'): ClientRequirement => ({
  kind: 'accept',
  onRefuse,
});
const ALL_UPGRADE_LINES = ['upgrade', 'connection', 'sec-websocket-accept'];

/** A final response other than 101, with the `Connection: close` the server that closes after it owes. */
function closing(response: ClientResponseSpec & { statusLine: string }): ClientResponseSpec {
  const keepsConnectionLine = !(response.remove ?? []).includes('connection');
  return keepsConnectionLine
    ? { ...response, replace: [...(response.replace ?? []), { name: 'Connection', value: 'Upgrade, close' }] }
    : { ...response, extra: [{ name: 'Connection', value: 'close' }, ...(response.extra ?? [])] };
}

const group07: ClientHandshakeCaseDef[] = [
  ch(
    '0.7.1',
    'A valid 101 response, as a server must send it; the reference for the other cases.',
    '§4.1: a 101 with Upgrade: websocket, Connection: Upgrade and the right Sec-WebSocket-Accept ' +
      'establishes the connection (§4.2.2 item 5).',
    {},
    accept(),
  ),
  ch(
    '0.7.2',
    '200 OK carrying every upgrade header (Connection: Upgrade, close) and the right Sec-WebSocket-Accept, ' +
      'Content-Length: 0.',
    '§4.1: any status other than 101 is handled as HTTP, never as an open WebSocket connection.',
    closing({ statusLine: 'HTTP/1.1 200 OK', extra: [{ name: 'Content-Length', value: '0' }] }),
    refuse(),
  ),
  ch(
    '0.7.3',
    '302 Found with a Location header (a redirect).',
    '§4.1: a 3xx is handled per HTTP; a client may follow it on a new connection (it is not required to), ' +
      'but never uses this one as a WebSocket.',
    closing({
      statusLine: 'HTTP/1.1 302 Found',
      remove: ALL_UPGRADE_LINES,
      extra: [
        { name: 'Location', value: '/wsmatrix-redirect-target' },
        { name: 'Content-Length', value: '0' },
      ],
    }),
    refuse(),
  ),
  ch(
    '0.7.4',
    '403 Forbidden with a short text body.',
    '§4.1: a status other than 101 is handled per HTTP; the connection never opens.',
    closing({
      statusLine: 'HTTP/1.1 403 Forbidden',
      remove: ALL_UPGRADE_LINES,
      extra: [
        { name: 'Content-Type', value: 'text/plain' },
        { name: 'Content-Length', value: '25' },
      ],
      body: 'no WebSocket for you here',
    }),
    refuse(),
  ),
  ch(
    '0.7.5',
    '100 Continue and no final response: the probe frame follows the interim response.',
    '§4.1 and RFC 9110 §15.2: a 1xx other than 101 is interim, the client keeps waiting for the final ' +
      'response, and frame bytes are no HTTP response.',
    { statusLine: 'HTTP/1.1 100 Continue', remove: ALL_UPGRADE_LINES },
    refuse(),
  ),
  ch(
    '0.7.6',
    '100 Continue, then a valid 101, in one write.',
    'RFC 9110 §15.2: a client MUST parse interim 1xx responses it did not ask for; the 101 after it is ' +
      'the answer to the upgrade (§4.1).',
    { interim: 'HTTP/1.1 100 Continue\r\n\r\n' },
    accept('NON-STRICT'),
  ),
  ch(
    '0.7.7',
    'A valid 101 whose reason phrase is "Go Ahead" instead of "Switching Protocols".',
    'RFC 9112 §4: a client SHOULD ignore the reason phrase; §4.1 checks the status code only.',
    { statusLine: 'HTTP/1.1 101 Go Ahead' },
    accept('NON-STRICT'),
  ),
];

const group08: ClientHandshakeCaseDef[] = [
  ch(
    '0.8.1',
    "Sec-WebSocket-Accept of another key (the RFC's sample value s3pPLMBiTxaQ9kYGzzhZRbK+xOo=).",
    '§4.1 item 4: the value MUST be base64(SHA-1(key + GUID)) of the key the client sent.',
    { replace: [{ name: 'Sec-WebSocket-Accept', value: SAMPLE_ACCEPT }] },
    refuse(),
  ),
  ch(
    '0.8.2',
    'A 101 without Sec-WebSocket-Accept.',
    '§4.1 item 4: a response lacking Sec-WebSocket-Accept MUST fail the connection.',
    { remove: ['sec-websocket-accept'] },
    refuse(),
  ),
  ch(
    '0.8.3',
    'Sec-WebSocket-Accept with the right value in swapped letter case.',
    '§4.1 item 4: the value is compared exactly; base64 is case-sensitive.',
    { replace: [{ name: 'Sec-WebSocket-Accept', value: '{accept:swapcase}' }] },
    refuse(),
  ),
  ch(
    '0.8.4',
    'Sec-WebSocket-Accept sent twice, both lines with the right value.',
    '§11.3.3: the header MUST NOT appear more than once in a response; combined (RFC 9110 §5.3) the ' +
      'value is not the hash, so §4.1 item 4 fails the connection.',
    { extra: [{ name: 'Sec-WebSocket-Accept', value: '{accept}' }] },
    refuse(),
  ),
  ch(
    '0.8.5',
    'Sec-WebSocket-Accept with spaces and a tab around the right value.',
    'RFC 9110 §5.5: whitespace around a field value is not part of it; the value is the right hash (§4.1 item 4).',
    { replace: [{ name: 'Sec-WebSocket-Accept', value: '  \t{accept} \t ' }] },
    accept('NON-STRICT'),
  ),
];

const group09: ClientHandshakeCaseDef[] = [
  ch(
    '0.9.1',
    'A 101 without an Upgrade header.',
    '§4.1 item 2: a response lacking Upgrade MUST fail the connection.',
    { remove: ['upgrade'] },
    refuse(),
  ),
  ch(
    '0.9.2',
    'A 101 with Upgrade: h2c.',
    '§4.1 item 2: Upgrade must be "websocket" (ASCII case-insensitive), else the client MUST fail.',
    { replace: [{ name: 'Upgrade', value: 'h2c' }] },
    refuse(),
  ),
  ch(
    '0.9.3',
    'A 101 without a Connection header.',
    '§4.1 item 3: a response lacking Connection MUST fail the connection.',
    { remove: ['connection'] },
    refuse(),
  ),
  ch(
    '0.9.4',
    'A 101 with Connection: keep-alive (no Upgrade token).',
    '§4.1 item 3: Connection must contain the token Upgrade, else the client MUST fail.',
    { replace: [{ name: 'Connection', value: 'keep-alive' }] },
    refuse(),
  ),
  ch(
    '0.9.5',
    'A 101 with "upgrade: WEBSOCKET" (lower-case name, upper-case value).',
    '§4.1 item 2: the value is compared ASCII case-insensitively; RFC 9110 §5.1: names are case-insensitive.',
    { replace: [{ name: 'upgrade', value: 'WEBSOCKET' }] },
    accept(),
  ),
  ch(
    '0.9.6',
    'A 101 with "connection: keep-alive, Upgrade".',
    '§4.1 item 3: Connection must contain the token Upgrade, in a list and in any case.',
    { replace: [{ name: 'connection', value: 'keep-alive, Upgrade' }] },
    accept(),
  ),
];

const deflateAnswer = (value: string): ClientResponseSpec => ({
  extra: [{ name: 'Sec-WebSocket-Extensions', value }],
});

const group10: ClientHandshakeCaseDef[] = [
  ch(
    '0.10.1',
    'A 101 selecting the subprotocol x-wsmatrix-unoffered, which the client did not offer.',
    '§4.1 item 6: a subprotocol not present in the request MUST fail the connection.',
    { extra: [{ name: 'Sec-WebSocket-Protocol', value: 'x-wsmatrix-unoffered' }] },
    refuse(),
  ),
  ch(
    '0.10.2',
    'A 101 accepting the extension x-wsmatrix-unoffered, which the client did not offer.',
    '§4.1 item 5 and §9.1: an extension not present in the request MUST fail the connection.',
    deflateAnswer('x-wsmatrix-unoffered'),
    refuse(),
  ),
  ch(
    '0.10.3',
    "A 101 accepting the client's permessage-deflate offer as offered.",
    'RFC 7692 §5 and §7: a valid acceptance of an offered permessage-deflate is taken, and compressed ' +
      'messages follow; an unoffered one fails the connection (§4.1 item 5).',
    deflateAnswer('{deflate}'),
    { ifOffered: 'offers-deflate', whenMet: accept(), otherwise: refuse() },
  ),
  ch(
    '0.10.4',
    'permessage-deflate with client_max_window_bits=9 in the response.',
    'RFC 7692 §7.1.2.2: a response MUST NOT hold client_max_window_bits unless the offer had it, and not ' +
      'above its value; a client MUST fail a response it did not allow (§7).',
    deflateAnswer('{deflate}; client_max_window_bits=9'),
    { ifOffered: 'offers-deflate-allowing-client-window-9', whenMet: accept(), otherwise: refuse() },
  ),
  ch(
    '0.10.5',
    'permessage-deflate with server_max_window_bits=7 (below the range 8..15).',
    'RFC 7692 §7.1.2.1 and §7: an invalid parameter value MUST fail the connection.',
    deflateAnswer('{deflate}; server_max_window_bits=7'),
    refuse(),
  ),
  ch(
    '0.10.6',
    'permessage-deflate with server_max_window_bits=16 (above the range 8..15).',
    'RFC 7692 §7.1.2.1 and §7: an invalid parameter value MUST fail the connection.',
    deflateAnswer('{deflate}; server_max_window_bits=16'),
    refuse(),
  ),
  ch(
    '0.10.7',
    'permessage-deflate with an unknown parameter x_wsmatrix_unknown=1.',
    'RFC 7692 §7: a parameter not defined for use in a response MUST fail the connection.',
    deflateAnswer('{deflate}; x_wsmatrix_unknown=1'),
    refuse(),
  ),
  ch(
    '0.10.8',
    'permessage-deflate with server_no_context_takeover given twice.',
    'RFC 7692 §7: a response with the same parameter twice MUST fail the connection.',
    deflateAnswer('{deflate}; server_no_context_takeover; server_no_context_takeover'),
    refuse(),
  ),
  ch(
    '0.10.9',
    'Two permessage-deflate elements in one response.',
    'RFC 7692 §5: a server accepts one of the offers, and a client MUST fail a response that accepts a ' +
      'PMCE together with an extension that also uses RSV1, which a second permessage-deflate does.',
    deflateAnswer('{deflate}, {deflate}'),
    refuse(),
  ),
  ch(
    '0.10.10',
    'permessage-deflate with server_no_context_takeover, which the client did not ask for.',
    'RFC 7692 §7.1.1.1: a server MAY add server_no_context_takeover unasked, and the client must take it.',
    deflateAnswer('{deflate}; server_no_context_takeover'),
    { ifOffered: 'offers-deflate-without-server-no-context-takeover', whenMet: accept(), otherwise: refuse() },
  ),
];

const group11: ClientHandshakeCaseDef[] = [
  ch(
    '0.11.1',
    'A bare CR between "Upgrade: websocket" and "Connection: Upgrade" on one line, and no other Connection line.',
    'RFC 9112 §2.2: a bare CR is invalid or read as a space, never a line break, so Connection is missing ' +
      '(§4.1 item 3).',
    { replace: [{ name: 'Upgrade', value: 'websocket\rConnection: Upgrade' }], remove: ['connection'] },
    refuse(),
  ),
  ch(
    '0.11.2',
    'A valid 101 with an obs-fold line continuing an unknown header (X-Wsmatrix-Folded).',
    'RFC 9112 §5.2: a user agent MUST replace obs-fold in a response with spaces and go on.',
    { extra: [{ name: 'X-Wsmatrix-Folded', value: 'first part\r\n second part' }] },
    accept('NON-STRICT'),
  ),
  ch(
    '0.11.3',
    'A valid 101 with 64 extra header lines of 4 000 bytes (a response head of about 256 KiB).',
    'No RFC limit; §10.4 asks an endpoint to protect itself against what exceeds its limits, so refusing ' +
      'such a head is the safe choice and taking it is no violation.',
    {
      extra: Array.from({ length: 64 }, (_, i) => ({
        name: `X-Wsmatrix-Filler-${i + 1}`,
        value: { repeat: 'x', length: 4000 },
      })),
    },
    refuse('INFORMATIONAL'),
  ),
  ch(
    '0.11.4',
    'A valid 101 and the probe frame in the same TCP write.',
    '§4.2.2 item 5: the server may send frames right after its response; §4.1: once the 101 is valid ' +
      'the connection is open, so the bytes after the head are frames and must not be lost.',
    {},
    accept(),
    { sameWrite: true },
  ),
  ch(
    '0.11.5',
    'A valid 101 written one byte per write, the probe frame too.',
    '§4.1 validates the response head as a whole; TCP keeps no write boundaries (RFC 9293 §3.8), so a head ' +
      'split over many reads is the same head.',
    { chop: 1 },
    accept(),
    { sameWrite: true },
  ),
];

/** Every client group 0 case, in id order. */
export const clientGroup0: ClientHandshakeCaseDef[] = [...group07, ...group08, ...group09, ...group10, ...group11];
