import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WEBSOCKET_GUID,
  buildErrorResponse,
  buildUpgradeRequest,
  buildUpgradeResponse,
  computeAcceptKey,
  generateKey,
  headerHasToken,
  validateUpgradeRequest,
  validateUpgradeResponse,
  type UpgradeRequestCheck,
} from '../src/handshake.js';
import {
  HeaderList,
  HttpHeadError,
  HttpHeadParser,
  type HttpRequestHead,
  type HttpResponseHead,
} from '../src/http-head.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, propertyParams } from '../testing/index.js';

const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

function parseHead(kind: 'request', text: string): HttpRequestHead;
function parseHead(kind: 'response', text: string): HttpResponseHead;
function parseHead(kind: 'request' | 'response', text: string): HttpRequestHead | HttpResponseHead {
  const head = new HttpHeadParser(kind).push(Buffer.from(text, 'latin1'));
  if (!head) throw new Error('incomplete head');
  return head;
}

const BASE: Array<[string, string]> = [
  ['Host', 'server.example.com'],
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Key', RFC_KEY],
  ['Sec-WebSocket-Version', '13'],
];

/**
 * A request from BASE with edits: `set` replaces every line of a header (an array value gives several
 * lines, null removes it), `add` appends lines.
 */
function request(
  edits: {
    method?: string;
    httpVersion?: string;
    set?: Record<string, string | string[] | null>;
    add?: Array<[string, string]>;
  } = {},
): UpgradeRequestCheck {
  let pairs: Array<[string, string]> = BASE.map(([n, v]) => [n, v]);
  for (const [name, value] of Object.entries(edits.set ?? {})) {
    const lower = name.toLowerCase();
    const at = pairs.findIndex(([n]) => n.toLowerCase() === lower);
    pairs = pairs.filter(([n]) => n.toLowerCase() !== lower);
    if (value === null) continue;
    const lines: Array<[string, string]> = (Array.isArray(value) ? value : [value]).map((v) => [name, v]);
    pairs.splice(at === -1 ? pairs.length : at, 0, ...lines);
  }
  pairs.push(...(edits.add ?? []));
  return validateUpgradeRequest({
    method: edits.method ?? 'GET',
    httpVersion: edits.httpVersion ?? '1.1',
    headers: new HeaderList(pairs),
  });
}

function failure(check: UpgradeRequestCheck): { status: number; message: string; headers: Array<[string, string]> } {
  if (check.ok) throw new Error('expected the request to be rejected');
  return check;
}

describe('accept key', () => {
  it('matches the RFC 6455 §1.3 sample', () => {
    expect(WEBSOCKET_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
    expect(computeAcceptKey(RFC_KEY)).toBe(RFC_ACCEPT);
  });

  it('generates fresh 16-byte base64 keys the server accepts', () => {
    const a = generateKey();
    const b = generateKey();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64')).toHaveLength(16);
    expect(request({ set: { 'Sec-WebSocket-Key': a } }).ok).toBe(true);
  });
});

describe('headerHasToken', () => {
  it.each([
    ['websocket', 'websocket', true],
    ['WebSocket', 'websocket', true],
    ['Upgrade', 'upgrade', true],
    ['keep-alive, Upgrade', 'upgrade', true],
    ['Upgrade , keep-alive', 'upgrade', true],
    ['keep-alive,Upgrade', 'upgrade', true],
    [' \tkeep-alive ,\t UPGRADE \t', 'upgrade', true],
    [',,upgrade,,', 'upgrade', true],
    ['h2c, websocket', 'websocket', true],
    ['keep-alive', 'upgrade', false],
    ['upgrade2', 'upgrade', false],
    ['xupgrade', 'upgrade', false],
    ['up grade', 'upgrade', false],
    ['websocket/13', 'websocket', false],
    ['"websocket"', 'websocket', false],
    ['', 'websocket', false],
    [' , ', 'websocket', false],
    ['websoc\u212aet', 'websocket', false], // KELVIN SIGN lower-cases to "k" under toLowerCase
  ])('%j contains %j: %s', (value, token, expected) => {
    expect(headerHasToken(value, token)).toBe(expected);
  });

  it('is false for a missing header', () => {
    expect(headerHasToken(undefined, 'upgrade')).toBe(false);
  });

  it('stays linear on 1 MiB of whitespace and commas (ws CVE-2021-32640 shape)', () => {
    // A quadratic scan of these inputs takes minutes; a linear one, milliseconds.
    expect(headerHasToken(`b${' '.repeat(1 << 20)}x`, 'upgrade')).toBe(false);
    expect(headerHasToken(`${' ,'.repeat(1 << 19)}upgrade`, 'upgrade')).toBe(true);
    expect(headerHasToken(`${'upgradx '.repeat(1 << 17)}`, 'upgrade')).toBe(false);
  });
});

describe('validateUpgradeRequest', () => {
  it('accepts the RFC sample request', () => {
    expect(request()).toEqual({ ok: true, key: RFC_KEY, protocols: [], extensions: [] });
  });

  it('accepts browser-style token variants', () => {
    expect(request({ set: { Upgrade: 'WebSocket' } }).ok).toBe(true);
    expect(request({ set: { Connection: 'keep-alive, Upgrade' } }).ok).toBe(true);
    expect(request({ set: { Connection: 'Upgrade , keep-alive' } }).ok).toBe(true);
    expect(request({ set: { Connection: ['keep-alive', 'Upgrade'] } }).ok).toBe(true);
    expect(request({ set: { Upgrade: ['h2c', 'websocket'] } }).ok).toBe(true);
    expect(request({ httpVersion: '2.0' }).ok).toBe(true);
  });

  it.each(['POST', 'HEAD', 'get', 'PUT'])('answers 405 + Allow: GET to %s', (method) => {
    const f = failure(request({ method }));
    expect(f.status).toBe(405);
    expect(f.headers).toEqual([['Allow', 'GET']]);
    expect(f.message).toContain(method);
  });

  it.each(['1.0', '0.9', '', 'x', '1.', '.1', '1.1.1'])('answers 505 to HTTP version %j', (httpVersion) => {
    const f = failure(request({ httpVersion }));
    expect(f.status).toBe(505);
    expect(f.headers).toEqual([]);
  });

  it.each([
    ['missing', null, /missing Host/],
    ['empty', '', /empty Host/],
    ['duplicated', ['a.example', 'a.example'], /2 Host headers/],
  ] as const)('answers 400 to a %s Host', (_name, value, message) => {
    const f = failure(request({ set: { Host: value as string | string[] | null } }));
    expect(f.status).toBe(400);
    expect(f.message).toMatch(message);
  });

  it.each([
    ['no Upgrade', { Upgrade: null }],
    ['Upgrade without websocket', { Upgrade: 'h2c' }],
    ['Upgrade websocket/13', { Upgrade: 'websocket/13' }],
    ['no Connection', { Connection: null }],
    ['Connection without upgrade', { Connection: 'keep-alive' }],
    ['Connection: Upgraded', { Connection: 'Upgraded' }],
  ])('answers 426 + Upgrade: websocket to %s', (_name, set) => {
    const f = failure(request({ set }));
    expect(f.status).toBe(426);
    expect(f.headers).toEqual([['Upgrade', 'websocket']]);
  });

  it.each([
    ['missing', null, /missing Sec-WebSocket-Version/],
    ['12', '12', /unsupported Sec-WebSocket-Version "12"/],
    ['14', '14', /unsupported/],
    ['8', '8', /unsupported/],
    ['13, 8', '13, 8', /unsupported/],
    ['013', '013', /unsupported/],
    ['empty', '', /unsupported/],
    ['duplicated', ['13', '13'], /2 Sec-WebSocket-Version headers/],
  ] as const)('answers 426 + Sec-WebSocket-Version: 13 to version %s', (_name, value, message) => {
    const f = failure(request({ set: { 'Sec-WebSocket-Version': value as string | string[] | null } }));
    expect(f.status).toBe(426);
    expect(f.message).toMatch(message);
    expect(f.headers).toEqual([
      ['Upgrade', 'websocket'],
      ['Sec-WebSocket-Version', '13'],
    ]);
  });

  it('accepts a version surrounded by OWS (trimmed as a field value)', () => {
    expect(request({ set: { 'Sec-WebSocket-Version': ' 13\t' } }).ok).toBe(true);
  });

  const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');
  it.each([
    ['missing', null, /missing Sec-WebSocket-Key/],
    ['duplicated', [RFC_KEY, RFC_KEY], /2 Sec-WebSocket-Key headers/],
    ['15 bytes', b64(15), /not the base64 encoding of 16 bytes/],
    ['17 bytes', b64(17), /16 bytes/],
    ['non-base64 24 chars', 'dGhlIHNhbXBsZSBub25jZQ!!', /16 bytes/],
    ['24 chars, no padding', 'dGhlIHNhbXBsZSBub25jZQAA', /16 bytes/],
    ['padding missing', 'dGhlIHNhbXBsZSBub25jZQ', /16 bytes/],
    ['url-safe alphabet', 'dGhlIHNhbXBsZSBub25jZ-_==', /16 bytes/],
    ['inner space', 'dGhlIHNhbXBsZSBu b25jZQ==', /16 bytes/],
    ['empty', '', /16 bytes/],
  ] as const)('answers 400 to a %s key', (_name, value, message) => {
    const f = failure(request({ set: { 'Sec-WebSocket-Key': value as string | string[] | null } }));
    expect(f.status).toBe(400);
    expect(f.message).toMatch(message);
  });

  it('accepts a 16-byte key whose last char has non-zero padding bits (decodes to 16 bytes)', () => {
    expect(request({ set: { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZR==' } }).ok).toBe(true);
  });

  it.each([
    ['Content-Length: 100000', [['Content-Length', '100000']]],
    ['Content-Length: 1', [['Content-Length', '1']]],
    [
      'two Content-Length: 0',
      [
        ['Content-Length', '0'],
        ['Content-Length', '0'],
      ],
    ],
    ['Content-Length: 00', [['Content-Length', '00']]],
    ['Transfer-Encoding: chunked', [['Transfer-Encoding', 'chunked']]],
    ['empty Transfer-Encoding', [['Transfer-Encoding', '']]],
  ] as Array<[string, Array<[string, string]>]>)('answers 400 to a body (%s) (Vert.x CVE-2018-12541)', (_name, add) => {
    const f = failure(request({ add }));
    expect(f.status).toBe(400);
    expect(f.message).toMatch(/must not have a body/);
  });

  it('accepts Content-Length: 0', () => {
    expect(request({ add: [['Content-Length', '0']] }).ok).toBe(true);
  });

  it('returns the offered subprotocols in order, across header lines', () => {
    const check = request({
      add: [
        ['Sec-WebSocket-Protocol', 'chat, superchat'],
        ['sec-websocket-protocol', ' v2.json ,'],
      ],
    });
    expect(check).toMatchObject({ ok: true, protocols: ['chat', 'superchat', 'v2.json'] });
  });

  it.each([
    ['empty', ''],
    ['only commas', ' , '],
    ['a space inside', 'chat, super chat'],
    ['a quoted element', '"chat"'],
    ['a duplicate', 'chat, chat'],
    ['a slash', 'chat/1'],
  ])('answers 400 to a Sec-WebSocket-Protocol with %s', (_name, value) => {
    const f = failure(request({ add: [['Sec-WebSocket-Protocol', value]] }));
    expect(f.status).toBe(400);
    expect(f.message).toMatch(/Sec-WebSocket-Protocol/);
  });

  it('answers 400 to the CVE-2021-32640 subprotocol shape, in linear time', () => {
    const f = failure(request({ add: [['Sec-WebSocket-Protocol', `b${' '.repeat(1 << 20)}x`]] }));
    expect(f.status).toBe(400);
    expect(f.message.length).toBeLessThan(200);
  });

  it('returns extension offers for the caller to accept or decline', () => {
    const check = request({
      add: [['Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits, x-unknown']],
    });
    expect(check).toMatchObject({
      ok: true,
      extensions: [
        { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
        { name: 'x-unknown', params: [] },
      ],
    });
  });

  it('passes prototype-named extensions through as data (ws NSP-550)', () => {
    const check = request({ add: [['Sec-WebSocket-Extensions', 'constructor, __proto__; hasOwnProperty=1']] });
    expect(check).toMatchObject({
      ok: true,
      extensions: [
        { name: 'constructor', params: [] },
        { name: '__proto__', params: [['hasOwnProperty', '1']] },
      ],
    });
  });

  it.each([',;constructor', 'a; b="', '', `a; b="${'\\c'.repeat(8192)}`])(
    'answers 400 to Sec-WebSocket-Extensions %j',
    (value) => {
      const f = failure(request({ add: [['Sec-WebSocket-Extensions', value]] }));
      expect(f.status).toBe(400);
      expect(f.message).toMatch(/Sec-WebSocket-Extensions/);
      expect(f.message.length).toBeLessThan(200);
    },
  );

  it('returns Origin; answers 400 to two Origin headers', () => {
    expect(request({ add: [['Origin', 'http://example.com']] })).toMatchObject({
      ok: true,
      origin: 'http://example.com',
    });
    const f = failure(
      request({
        add: [
          ['Origin', 'http://a.example'],
          ['Origin', 'http://b.example'],
        ],
      }),
    );
    expect(f.status).toBe(400);
  });

  it('applies the rules in the documented order (first failure wins)', () => {
    const all = {
      method: 'POST',
      httpVersion: '1.0',
      set: { Host: null, Upgrade: null, 'Sec-WebSocket-Version': '8', 'Sec-WebSocket-Key': 'short' },
      add: [
        ['Content-Length', '5'],
        ['Sec-WebSocket-Protocol', 'a b'],
        ['Sec-WebSocket-Extensions', ';'],
        ['Origin', 'o1'],
        ['Origin', 'o2'],
      ] as Array<[string, string]>,
    };
    const expected: Array<[number, RegExp]> = [
      [405, /^method POST/],
      [505, /^HTTP\/1\.0 cannot upgrade/],
      [400, /^missing Host/],
      [426, /^Upgrade header/],
      [426, /^unsupported Sec-WebSocket-Version "8"/],
      [400, /^Sec-WebSocket-Key "short"/],
      [400, /Content-Length other than 0/],
      [400, /^Sec-WebSocket-Protocol element "a b"/],
      [400, /^Sec-WebSocket-Extensions: expected an extension name/],
      [400, /^2 Origin headers/],
    ];
    const fixes: Array<() => void> = [
      () => (all.method = 'GET'),
      () => (all.httpVersion = '1.1'),
      () => delete (all.set as Record<string, unknown>).Host,
      () => delete (all.set as Record<string, unknown>).Upgrade,
      () => delete (all.set as Record<string, unknown>)['Sec-WebSocket-Version'],
      () => delete (all.set as Record<string, unknown>)['Sec-WebSocket-Key'],
      () => all.add.shift(),
      () => all.add.shift(),
      () => all.add.shift(),
      () => all.add.shift(),
    ];
    fixes.forEach((fix, i) => {
      const f = failure(request(all));
      const [status, message] = expected[i] as [number, RegExp];
      expect([i, f.status]).toEqual([i, status]);
      expect(f.message).toMatch(message);
      fix();
    });
    expect(request(all)).toMatchObject({ ok: true, origin: 'o2' });
  });

  it('works end to end from raw bytes and from Node rawHeaders', () => {
    const text = buildUpgradeRequest({ host: 'localhost:9001', path: '/', key: RFC_KEY, origin: 'http://localhost' });
    expect(validateUpgradeRequest(parseHead('request', text))).toMatchObject({
      ok: true,
      key: RFC_KEY,
      origin: 'http://localhost',
    });
    const raw = [
      'Host',
      'h',
      'Connection',
      'keep-alive',
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
      'Sec-WebSocket-Version',
      '13',
      'Sec-WebSocket-Key',
      RFC_KEY,
    ];
    expect(validateUpgradeRequest({ method: 'GET', httpVersion: '1.1', headers: HeaderList.fromNodeRaw(raw) }).ok).toBe(
      true,
    );
  });

  it(`property: mutated request heads end in a head, "need more", or a documented status ` +
    `(P5) (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const valid = Buffer.from(
      buildUpgradeRequest({
        host: 'h',
        path: '/p',
        key: RFC_KEY,
        protocols: ['chat'],
        extensions: 'permessage-deflate; client_max_window_bits',
      }),
      'latin1',
    );
    const edit = fc.tuple(
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
    );
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 5 }), (edits) => {
        let arr = [...valid];
        for (const [at, byte, op] of edits) {
          const i = at % (arr.length + 1);
          if (op === 'insert') arr.splice(i, 0, byte);
          else if (op === 'delete') arr.splice(i, 1);
          else if (op === 'truncate') arr = arr.slice(0, i);
          else if (i < arr.length) arr[i] = byte;
        }
        let head: HttpRequestHead | HttpResponseHead | null;
        try {
          head = new HttpHeadParser('request').push(Buffer.from(arr));
        } catch (err) {
          expect(err).toBeInstanceOf(HttpHeadError);
          expect([400, 414, 431, 505]).toContain((err as HttpHeadError).status);
          return;
        }
        if (head === null) return;
        const check = validateUpgradeRequest(head as HttpRequestHead);
        if (!check.ok) {
          expect([400, 405, 426, 505]).toContain(check.status);
          // The error response must be buildable whatever the mutation produced.
          expect(buildErrorResponse(check.status, check.message, check.headers)).toMatch(/^HTTP\/1\.1 \d{3} /);
        }
      }),
      propertyParams(300),
    );
  });
});

describe('buildUpgradeResponse', () => {
  it('builds the RFC sample 101', () => {
    expect(buildUpgradeResponse({ key: RFC_KEY })).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n` +
        '\r\n',
    );
  });

  it('adds subprotocol, extensions and extra headers; parses back and validates', () => {
    const text = buildUpgradeResponse({
      key: RFC_KEY,
      protocol: 'chat',
      extensions: 'permessage-deflate; server_no_context_takeover',
      headers: [['X-Server', 'wsmatrix']],
    });
    expect(text).toContain('\r\nSec-WebSocket-Protocol: chat\r\n');
    expect(text).toContain('\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n');
    expect(text.endsWith('X-Server: wsmatrix\r\n\r\n')).toBe(true);
    const check = validateUpgradeResponse(parseHead('response', text), {
      key: RFC_KEY,
      offeredProtocols: ['chat'],
      offeredExtensions: ['permessage-deflate'],
    });
    expect(check).toEqual({
      ok: true,
      protocol: 'chat',
      extensions: [{ name: 'permessage-deflate', params: [['server_no_context_takeover', true]] }],
    });
  });

  it('omits an empty extensions value', () => {
    expect(buildUpgradeResponse({ key: RFC_KEY, extensions: '' })).not.toContain('Extensions');
  });

  it.each([
    ['a subprotocol with CRLF', { protocol: 'chat\r\nX-Evil: 1' }],
    ['a subprotocol with LF', { protocol: 'chat\nX-Evil: 1' }],
    ['a subprotocol with a space', { protocol: 'a b' }],
    ['an empty subprotocol', { protocol: '' }],
    ['a subprotocol list', { protocol: 'a, b' }],
    ['extensions with CRLF', { extensions: 'permessage-deflate\r\nX-Evil: 1' }],
    ['extensions with a bare CR', { extensions: 'a\rb' }],
    ['malformed extensions', { extensions: 'a;;' }],
    ['extensions with obs-text', { extensions: 'caf\u00e9' }],
    ['a header value with CRLF', { headers: [['X-A', 'v\r\nX-Evil: 1']] }],
    ['a header value with NUL', { headers: [['X-A', 'v\u0000']] }],
    ['a header value with DEL', { headers: [['X-A', 'v\u007f']] }],
    ['a header value with obs-text', { headers: [['X-A', '\u00ff']] }],
    ['a header name with a colon', { headers: [['X-A: b', 'v']] }],
    ['a header name with CRLF', { headers: [['X\r\nEvil', 'v']] }],
    ['an empty header name', { headers: [['', 'v']] }],
    ['a second Upgrade', { headers: [['upgrade', 'h2c']] }],
    ['a Sec-WebSocket-Accept', { headers: [['Sec-WebSocket-Accept', 'x']] }],
    ['a Sec-WebSocket-Protocol', { headers: [['Sec-WebSocket-Protocol', 'x']] }],
    ['a Content-Length', { headers: [['Content-Length', '0']] }],
  ] as Array<[string, { protocol?: string; extensions?: string; headers?: Array<[string, string]> }]>)(
    'refuses %s (no header injection)',
    (_name, opts) => {
      expect(() => buildUpgradeResponse({ key: RFC_KEY, ...opts })).toThrow(TypeError);
    },
  );
});

describe('buildErrorResponse', () => {
  it.each([
    [400, 'Bad Request'],
    [403, 'Forbidden'],
    [405, 'Method Not Allowed'],
    [408, 'Request Timeout'],
    [414, 'URI Too Long'],
    [426, 'Upgrade Required'],
    [431, 'Request Header Fields Too Large'],
    [503, 'Service Unavailable'],
    [505, 'HTTP Version Not Supported'],
    [499, 'Client Error'],
    [599, 'Server Error'],
  ])('uses the reason phrase for %i', (status, reason) => {
    expect(buildErrorResponse(status, 'x').startsWith(`HTTP/1.1 ${status} ${reason}\r\n`)).toBe(true);
  });

  it('closes, declares text/plain and the exact body length, and carries extra headers', () => {
    const text = buildErrorResponse(405, 'method POST not allowed', [['Allow', 'GET']]);
    const p = new HttpHeadParser('response');
    const head = p.push(Buffer.from(text, 'latin1')) as HttpResponseHead;
    expect(head.status).toBe(405);
    expect(head.headers.get('connection')).toBe('close');
    expect(head.headers.get('content-type')).toBe('text/plain');
    expect(head.headers.get('allow')).toBe('GET');
    expect(p.rest().toString('latin1')).toBe('method POST not allowed\n');
    expect(Number(head.headers.get('content-length'))).toBe(p.rest().length);
  });

  it('adds the upgrade connection option next to an Upgrade header (426)', () => {
    const head = parseHead(
      'response',
      buildErrorResponse(426, 'x', [
        ['Upgrade', 'websocket'],
        ['Sec-WebSocket-Version', '13'],
      ]),
    );
    expect(head.headers.get('connection')).toBe('Upgrade, close');
    expect(headerHasToken(head.headers.get('connection'), 'close')).toBe(true);
    expect(head.headers.get('sec-websocket-version')).toBe('13');
  });

  it('keeps peer text in the body harmless and short', () => {
    const text = buildErrorResponse(400, `bad\r\nX-Evil: 1\r\n\r\n<script>${'z'.repeat(5000)}\u00e9`);
    const p = new HttpHeadParser('response');
    const head = p.push(Buffer.from(text, 'latin1')) as HttpResponseHead;
    expect(head.headers.has('x-evil')).toBe(false);
    expect(p.rest().length).toBe(513);
    expect(p.rest().toString('latin1').startsWith('bad??X-Evil: 1????<script>')).toBe(true);
    expect(buildErrorResponse(400, '').endsWith('\r\n\r\nBad Request\n')).toBe(true);
  });

  it('refuses statuses outside 400–599 and bad or reserved extra headers', () => {
    for (const status of [101, 200, 399, 600, 400.5, Number.NaN])
      expect(() => buildErrorResponse(status, 'x')).toThrow(RangeError);
    expect(() => buildErrorResponse(400, 'x', [['Connection', 'keep-alive']])).toThrow(TypeError);
    expect(() => buildErrorResponse(400, 'x', [['Content-Length', '1']])).toThrow(TypeError);
    expect(() => buildErrorResponse(400, 'x', [['X-A', 'a\r\nb']])).toThrow(TypeError);
  });
});

describe('buildUpgradeRequest', () => {
  it('builds a request our own validator accepts', () => {
    const text = buildUpgradeRequest({
      host: '127.0.0.1:9001',
      path: '/runCase?case=1&agent=x',
      key: RFC_KEY,
      userAgent: 'wsmatrix/0.1',
      origin: 'http://127.0.0.1',
      protocols: ['chat', 'superchat'],
      extensions: 'permessage-deflate; client_max_window_bits',
      headers: [['X-Case', '1']],
    });
    expect(text).toBe(
      'GET /runCase?case=1&agent=x HTTP/1.1\r\n' +
        'Host: 127.0.0.1:9001\r\n' +
        'Upgrade: websocket\r\n' +
        'Connection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${RFC_KEY}\r\n` +
        'Sec-WebSocket-Version: 13\r\n' +
        'Origin: http://127.0.0.1\r\n' +
        'Sec-WebSocket-Protocol: chat, superchat\r\n' +
        'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
        'User-Agent: wsmatrix/0.1\r\n' +
        'X-Case: 1\r\n' +
        '\r\n',
    );
    expect(validateUpgradeRequest(parseHead('request', text))).toMatchObject({
      ok: true,
      protocols: ['chat', 'superchat'],
      extensions: [{ name: 'permessage-deflate' }],
    });
  });

  it('lets a case repeat headers on purpose (the server must then refuse)', () => {
    const text = buildUpgradeRequest({
      host: 'h',
      path: '/',
      key: RFC_KEY,
      headers: [['Sec-WebSocket-Key', generateKey()]],
    });
    const check = validateUpgradeRequest(parseHead('request', text));
    expect(check).toMatchObject({ ok: false, status: 400 });
  });

  it.each([
    ['a host with a space', { host: 'a b' }],
    ['a host with CRLF', { host: 'a\r\nX-Evil: 1' }],
    ['an empty host', { host: '' }],
    ['a path without /', { path: 'chat' }],
    ['a path with a space', { path: '/a b' }],
    ['a path with non-ASCII', { path: '/\u00e9' }],
    ['a key with CRLF', { key: 'k\r\nX: 1' }],
    ['an origin with LF', { origin: 'http://a\nX: 1' }],
    ['a user agent with CR', { userAgent: 'ua\r' }],
    ['a non-token subprotocol', { protocols: ['a b'] }],
    ['extensions with CRLF', { extensions: 'a\r\nX: 1' }],
    ['a header value with LF', { headers: [['X-A', 'a\nb']] }],
  ] as Array<[string, Partial<Parameters<typeof buildUpgradeRequest>[0]>]>)('refuses %s', (_name, opts) => {
    expect(() => buildUpgradeRequest({ host: 'h', path: '/', key: RFC_KEY, ...opts })).toThrow(TypeError);
  });
});

describe('validateUpgradeResponse', () => {
  const ok101 = (extra = '') =>
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n${extra}\r\n`;
  const check = (text: string, opts: { offeredExtensions?: string[]; offeredProtocols?: string[] } = {}) =>
    validateUpgradeResponse(parseHead('response', text), { key: RFC_KEY, ...opts });
  const message = (text: string, opts: { offeredExtensions?: string[]; offeredProtocols?: string[] } = {}) => {
    const c = check(text, opts);
    if (c.ok) throw new Error('expected a handshake failure');
    return c.message;
  };

  it('accepts a correct 101, token variants included', () => {
    expect(check(ok101())).toEqual({ ok: true, extensions: [] });
    expect(
      check(
        ok101()
          .replace('Upgrade: websocket', 'Upgrade: WebSocket')
          .replace('Connection: Upgrade', 'Connection: keep-alive, upgrade'),
      ).ok,
    ).toBe(true);
    expect(check(ok101().replace('101 Switching Protocols', '101')).ok).toBe(true);
  });

  it('fails on a status other than 101', () => {
    expect(message('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')).toBe(
      'server answered 200 OK, expected 101 Switching Protocols',
    );
    expect(message(ok101().replace('101 Switching Protocols', '400'))).toBe(
      'server answered 400, expected 101 Switching Protocols',
    );
  });

  it('fails on a missing or wrong Upgrade', () => {
    expect(message(ok101().replace('Upgrade: websocket\r\n', ''))).toBe('server sent no Upgrade header');
    expect(message(ok101().replace('Upgrade: websocket', 'Upgrade: h2c'))).toBe(
      'server sent Upgrade h2c, expected websocket',
    );
  });

  it('fails on a missing or wrong Connection', () => {
    expect(message(ok101().replace('Connection: Upgrade\r\n', ''))).toBe('server sent no Connection header');
    expect(message(ok101().replace('Connection: Upgrade', 'Connection: close'))).toBe(
      'server sent Connection close, expected Upgrade',
    );
  });

  it('fails on a wrong, missing or repeated Sec-WebSocket-Accept, saying what was expected', () => {
    const wrong = computeAcceptKey(generateKey());
    expect(message(ok101().replace(RFC_ACCEPT, wrong))).toBe(
      `server sent Sec-WebSocket-Accept ${wrong}, expected ${RFC_ACCEPT}`,
    );
    expect(message(ok101().replace(RFC_ACCEPT, ''))).toBe(
      `server sent Sec-WebSocket-Accept (empty), expected ${RFC_ACCEPT}`,
    );
    expect(message(ok101().replace(`Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n`, ''))).toBe(
      `server sent no Sec-WebSocket-Accept, expected ${RFC_ACCEPT}`,
    );
    expect(message(ok101(`Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n`))).toBe(
      'server sent 2 Sec-WebSocket-Accept headers, expected one',
    );
    expect(message(ok101().replace(RFC_ACCEPT, RFC_ACCEPT.toLowerCase()))).toMatch(/^server sent Sec-WebSocket-Accept/);
  });

  it('escapes and bounds peer text in messages', () => {
    const m = message(ok101().replace(RFC_ACCEPT, `${'A'.repeat(500)}\u00e9`));
    expect(m.length).toBeLessThan(200);
    expect(m).toContain('(501 chars)');
  });

  it('fails on an extension that was not offered, or selected twice', () => {
    expect(message(ok101('Sec-WebSocket-Extensions: permessage-deflate\r\n'))).toBe(
      'server selected extension permessage-deflate, which was not offered',
    );
    expect(message(ok101('Sec-WebSocket-Extensions: x-other\r\n'), { offeredExtensions: ['permessage-deflate'] })).toBe(
      'server selected extension x-other, which was not offered',
    );
    expect(
      message(
        ok101('Sec-WebSocket-Extensions: permessage-deflate\r\nSec-WebSocket-Extensions: permessage-deflate\r\n'),
        {
          offeredExtensions: ['permessage-deflate'],
        },
      ),
    ).toBe('server selected extension permessage-deflate more than once');
    expect(message(ok101('Sec-WebSocket-Extensions: constructor\r\n'), { offeredExtensions: [] })).toMatch(
      /constructor, which was not offered/,
    );
  });

  it('fails on a malformed extensions header', () => {
    expect(
      message(ok101('Sec-WebSocket-Extensions: permessage-deflate; x="a b"\r\n'), {
        offeredExtensions: ['permessage-deflate'],
      }),
    ).toMatch(/^server sent an invalid Sec-WebSocket-Extensions: .*not a token/);
  });

  it('returns the negotiated extension with its parameters', () => {
    expect(
      check(ok101('Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n'), {
        offeredExtensions: ['permessage-deflate'],
      }),
    ).toEqual({ ok: true, extensions: [{ name: 'permessage-deflate', params: [['server_max_window_bits', '10']] }] });
  });

  it('fails on a subprotocol that was not offered, or not a single token', () => {
    expect(message(ok101('Sec-WebSocket-Protocol: chat\r\n'))).toBe(
      'server selected subprotocol chat, which was not offered',
    );
    expect(message(ok101('Sec-WebSocket-Protocol: chat\r\n'), { offeredProtocols: ['superchat'] })).toBe(
      'server selected subprotocol chat, which was not offered',
    );
    expect(
      message(ok101('Sec-WebSocket-Protocol: chat, superchat\r\n'), { offeredProtocols: ['chat', 'superchat'] }),
    ).toMatch(/not a single token/);
    expect(message(ok101('Sec-WebSocket-Protocol:\r\n'), { offeredProtocols: ['chat'] })).toMatch(
      /\(empty\), which is not a single token/,
    );
    expect(
      message(ok101('Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n'), {
        offeredProtocols: ['chat'],
      }),
    ).toBe('server sent 2 Sec-WebSocket-Protocol headers, expected at most one');
  });

  it('accepts an offered subprotocol, and none at all', () => {
    expect(check(ok101('Sec-WebSocket-Protocol: chat\r\n'), { offeredProtocols: ['superchat', 'chat'] })).toEqual({
      ok: true,
      protocol: 'chat',
      extensions: [],
    });
    expect(check(ok101(), { offeredProtocols: ['chat'] })).toEqual({ ok: true, extensions: [] });
  });

  it(`round-trips with the server side for random keys (property) (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const key = Buffer.from(raw).toString('base64');
        const req = validateUpgradeRequest(parseHead('request', buildUpgradeRequest({ host: 'h', path: '/', key })));
        expect(req.ok).toBe(true);
        const res = parseHead('response', buildUpgradeResponse({ key }));
        expect(validateUpgradeResponse(res, { key }).ok).toBe(true);
      }),
      propertyParams(100),
    );
  });
});
