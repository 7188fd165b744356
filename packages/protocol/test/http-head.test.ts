import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HeaderList,
  HttpHeadError,
  HttpHeadParser,
  type HttpRequestHead,
  type HttpResponseHead,
} from '../src/http-head.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, chop, propertyParams } from '../testing/index.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function parseWhole(
  kind: 'request' | 'response',
  text: string | Buffer,
  limits?: ConstructorParameters<typeof HttpHeadParser>[1],
) {
  const p = new HttpHeadParser(kind, limits);
  return { head: p.push(typeof text === 'string' ? bytes(text) : text), parser: p };
}

function errorOf(fn: () => unknown): HttpHeadError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpHeadError) return err;
    throw err;
  }
  throw new Error('expected an HttpHeadError');
}

function requestError(text: string | Buffer, limits?: ConstructorParameters<typeof HttpHeadParser>[1]): HttpHeadError {
  return errorOf(() => parseWhole('request', text, limits));
}

function responseError(text: string): HttpHeadError {
  return errorOf(() => parseWhole('response', text));
}

/** A comparable snapshot of a parse outcome: the head, the rest, or the error. */
type Outcome = { head: unknown; rest: string } | { pending: true } | { status: number; message: string };

function snapshot(head: HttpRequestHead | HttpResponseHead): unknown {
  return { ...head, headers: [...head.headers.entries()] };
}

function feed(
  kind: 'request' | 'response',
  data: Buffer,
  cuts: number[],
  limits?: ConstructorParameters<typeof HttpHeadParser>[1],
): Outcome {
  const p = new HttpHeadParser(kind, limits);
  let from = 0;
  try {
    for (const piece of chop(data, cuts)) {
      const head = p.push(piece);
      from += piece.length;
      if (head) {
        // Whatever arrived after the completing chunk is "rest" too, from the caller's point of view.
        return { head: snapshot(head), rest: Buffer.concat([p.rest(), data.subarray(from)]).toString('latin1') };
      }
    }
    return { pending: true };
  } catch (err) {
    if (err instanceof HttpHeadError) return { status: err.status, message: err.message };
    throw err;
  }
}

const UPGRADE =
  'GET /chat?x=1 HTTP/1.1\r\n' +
  'Host: server.example.com\r\n' +
  'Upgrade: websocket\r\n' +
  'Connection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  'X-Dup: one\r\n' +
  'x-dup:   two  \t\r\n' +
  '\r\n';

describe('HttpHeadParser: requests', () => {
  it('parses a request head in one push', () => {
    const { head, parser } = parseWhole('request', UPGRADE);
    expect(head).not.toBeNull();
    const h = head as HttpRequestHead;
    expect(h.kind).toBe('request');
    expect(h.method).toBe('GET');
    expect(h.target).toBe('/chat?x=1');
    expect(h.httpVersion).toBe('1.1');
    expect(h.headers.get('host')).toBe('server.example.com');
    expect([...h.headers.entries()][5]).toEqual(['X-Dup', 'one']);
    expect(h.headers.getAll('X-DUP')).toEqual(['one', 'two']);
    expect(parser.rest().length).toBe(0);
    expect(parser.complete).toBe(true);
  });

  it('returns null until the blank line, then the head', () => {
    const p = new HttpHeadParser('request');
    expect(p.push(bytes(UPGRADE.slice(0, -2)))).toBeNull();
    expect(p.complete).toBe(false);
    expect(p.push(bytes('\r\n'))).not.toBeNull();
  });

  it('keeps HTTP/1.0 (the handshake answers 505, not the parser)', () => {
    expect((parseWhole('request', 'GET / HTTP/1.0\r\n\r\n').head as HttpRequestHead).httpVersion).toBe('1.0');
  });

  it('answers 505 for major versions other than 1', () => {
    expect(requestError('GET / HTTP/2.0\r\n\r\n').status).toBe(505);
    expect(requestError('GET / HTTP/0.9\r\n\r\n').status).toBe(505);
    expect(requestError('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n').status).toBe(505);
  });

  it.each([
    ['no version (HTTP/0.9 style)', 'GET /\r\n\r\n'],
    ['double space', 'GET  / HTTP/1.1\r\n\r\n'],
    ['trailing space', 'GET / HTTP/1.1 \r\n\r\n'],
    ['lower-case version', 'GET / http/1.1\r\n\r\n'],
    ['two-digit minor', 'GET / HTTP/1.10\r\n\r\n'],
    ['method not a token', 'G(T / HTTP/1.1\r\n\r\n'],
    ['tab separator', 'GET\t/ HTTP/1.1\r\n\r\n'],
    ['non-ASCII target', 'GET /\u00e9 HTTP/1.1\r\n\r\n'],
    ['control char in target', 'GET /\x01 HTTP/1.1\r\n\r\n'],
    ['empty line before the request line', '\r\nGET / HTTP/1.1\r\n\r\n'],
  ])('rejects a malformed request line (%s) with 400', (_name, text) => {
    expect(requestError(text).status).toBe(400);
  });
});

describe('HttpHeadParser: header lines', () => {
  const start = 'GET / HTTP/1.1\r\n';
  it.each([
    ['obs-fold', `${start}A: 1\r\n  continued\r\n\r\n`, /obs-fold/],
    ['tab obs-fold', `${start}A: 1\r\n\tcontinued\r\n\r\n`, /obs-fold/],
    ['whitespace before the first header', `${start} A: 1\r\n\r\n`, /first header/],
    ['space before colon', `${start}Host : x\r\n\r\n`, /between header name and colon/],
    ['no colon', `${start}Host x\r\n\r\n`, /no colon/],
    ['empty name', `${start}: x\r\n\r\n`, /invalid header name/],
    ['name not a token', `${start}Ho(st: x\r\n\r\n`, /invalid header name/],
    ['NUL in value', `${start}A: x\x00y\r\n\r\n`, /0x0 in header A/],
    ['lone CR in value', `${start}A: x\ry\r\n\r\n`, /0xd in header A/],
    ['bare LF line ending', `${start}A: x\n\r\n`, /bare LF/],
    ['bare LF blank line', `${start}A: x\r\n\n`, /bare LF/],
    ['bare LF request line', 'GET / HTTP/1.1\nA: x\r\n\r\n', /bare LF/],
  ])('rejects %s with 400', (_name, text, message) => {
    const err = requestError(text);
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('trims OWS around values and keeps empty values', () => {
    const h = (parseWhole('request', `${start}A:\t x y \t\r\nB:\r\nC:   \r\n\r\n`).head as HttpRequestHead).headers;
    expect([...h.entries()]).toEqual([
      ['A', 'x y'],
      ['B', ''],
      ['C', ''],
    ]);
  });

  it('keeps obs-text bytes verbatim as latin1 chars', () => {
    const h = (
      parseWhole('request', Buffer.concat([bytes(`${start}A: caf`), Buffer.from([0xe9, 0xff]), bytes('\r\n\r\n')]))
        .head as HttpRequestHead
    ).headers;
    expect(h.get('a')).toBe('caf\u00e9\u00ff');
  });

  it('stays dead after an error: every later push throws the same error', () => {
    const p = new HttpHeadParser('request');
    const first = errorOf(() => p.push(bytes('GET / HTTP/1.1\nA')));
    expect(errorOf(() => p.push(bytes('\r\n\r\n')))).toBe(first);
  });

  it('refuses pushes after completion and rest() before it', () => {
    const p = new HttpHeadParser('request');
    expect(() => p.rest()).toThrow(/once the head is complete/);
    p.push(bytes('GET / HTTP/1.1\r\n\r\n'));
    expect(() => p.push(bytes('x'))).toThrow(/already complete/);
  });
});

describe('HttpHeadParser: responses', () => {
  it('parses a 101 with reason', () => {
    const h = parseWhole('response', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n')
      .head as HttpResponseHead;
    expect(h).toMatchObject({ kind: 'response', httpVersion: '1.1', status: 101, reason: 'Switching Protocols' });
    expect(h.headers.get('UPGRADE')).toBe('websocket');
  });

  it('accepts a status line without reason, and with an empty one', () => {
    expect((parseWhole('response', 'HTTP/1.1 101\r\n\r\n').head as HttpResponseHead).reason).toBe('');
    expect((parseWhole('response', 'HTTP/1.1 101 \r\n\r\n').head as HttpResponseHead).reason).toBe('');
  });

  it.each([
    ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', 400],
    ['letters in status', 'HTTP/1.1 1O1 OK\r\n\r\n', 400],
    ['no SP after status', 'HTTP/1.1 101Switching\r\n\r\n', 400],
    ['short version', 'HTTP/2 200 OK\r\n\r\n', 400],
    ['HTTP/2.0', 'HTTP/2.0 101 OK\r\n\r\n', 505],
    ['garbage', 'SSH-2.0-OpenSSH_9.6\r\n\r\n', 400],
    ['control char in reason', 'HTTP/1.1 101 Sw\x01itching\r\n\r\n', 400],
  ])('rejects %s', (_name, text, status) => {
    expect(responseError(text).status).toBe(status);
  });

  it('rest() returns frame bytes pipelined after the 101, as a copy', () => {
    const frame = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const chunk = Buffer.concat([bytes('HTTP/1.1 101 Switching Protocols\r\nA: b\r\n\r\n'), frame]);
    const p = new HttpHeadParser('response');
    expect(p.push(chunk)).not.toBeNull();
    expect(p.rest()).toEqual(frame);
    chunk.fill(0);
    expect(p.rest()).toEqual(frame);
  });

  it('rest() is empty when the head ends the chunk, even when the head spanned pushes', () => {
    const p = new HttpHeadParser('response');
    expect(p.push(bytes('HTTP/1.1 101 OK\r\nA: b\r'))).toBeNull();
    expect(p.push(bytes('\n\r'))).toBeNull();
    expect(p.push(bytes('\nX'))).not.toBeNull();
    expect(p.rest().toString('latin1')).toBe('X');
  });
});

describe('HttpHeadParser: limits', () => {
  const start = 'GET / HTTP/1.1\r\n';

  it('accepts a request line of exactly 8192 bytes and answers 414 above', () => {
    const line = (len: number) => `GET /${'a'.repeat(len - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
    expect(line(8192).length).toBe(8192);
    expect(parseWhole('request', `${line(8192)}\r\n\r\n`).head).not.toBeNull();
    const err = requestError(`${line(8193)}\r\n\r\n`);
    expect(err.status).toBe(414);
    expect(err.message).toMatch(/request line longer than 8192/);
  });

  it('answers 414 for an endless request line before any line end arrives', () => {
    const p = new HttpHeadParser('request');
    p.push(bytes('GET /'));
    let pushed = 5;
    const err = errorOf(() => {
      for (;;) {
        p.push(bytes('a'.repeat(1000)));
        pushed += 1000;
      }
    });
    expect(err.status).toBe(414);
    expect(pushed).toBeLessThanOrEqual(8193);
  });

  it('classifies an over-long status line as 431 in a response', () => {
    expect(responseError(`HTTP/1.1 101 ${'x'.repeat(9000)}\r\n\r\n`).status).toBe(431);
  });

  it('accepts a header line of exactly 8192 bytes and answers 431 above', () => {
    const header = (len: number) => `X: ${'v'.repeat(len - 3)}`;
    expect(parseWhole('request', `${start}${header(8192)}\r\n\r\n`).head).not.toBeNull();
    const err = requestError(`${start}${header(8193)}\r\n\r\n`);
    expect(err.status).toBe(431);
    expect(err.message).toMatch(/header line 2 longer than 8192/);
  });

  it('accepts a head of exactly 16384 bytes and answers 431 for 16385', () => {
    const headOf = (total: number) => {
      const fixed = start.length + 'A: \r\nB: \r\n\r\n'.length;
      const rest = total - fixed;
      return `${start}A: ${'a'.repeat(Math.floor(rest / 2))}\r\nB: ${'b'.repeat(Math.ceil(rest / 2))}\r\n\r\n`;
    };
    expect(headOf(16384).length).toBe(16384);
    expect(parseWhole('request', headOf(16384)).head).not.toBeNull();
    const err = requestError(headOf(16385));
    expect(err.status).toBe(431);
    expect(err.message).toMatch(/head exceeds 16384/);
  });

  it('stops endless header bytes at the head limit (runner R2)', () => {
    const p = new HttpHeadParser('response');
    p.push(bytes('HTTP/1.1 101 OK\r\n'));
    let pushed = 0;
    const err = errorOf(() => {
      for (let i = 0; i < 1024; i++) {
        p.push(bytes(`X-${i}: ${'y'.repeat(1000)}\r\n`));
        pushed += 1000;
      }
    });
    expect(err.status).toBe(431);
    expect(pushed).toBeLessThan(16384);
  });

  it('accepts 100 headers and answers 431 for 101', () => {
    const withHeaders = (n: number) => `${start + Array.from({ length: n }, (_, i) => `H${i}: v\r\n`).join('')}\r\n`;
    expect((parseWhole('request', withHeaders(100)).head as HttpRequestHead).headers.size).toBe(100);
    const err = requestError(withHeaders(101));
    expect(err.status).toBe(431);
    expect(err.message).toMatch(/too many header fields/);
  });

  it('answers 431 for 2100 headers with the required ones last (ws CVE-2024-37890)', () => {
    const text =
      start +
      Array.from({ length: 2100 }, (_, i) => `a${i}:\r\n`).join('') +
      'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    expect(requestError(text, { maxHeadBytes: 1 << 20 }).status).toBe(431);
  });

  it('honours custom limits and validates them', () => {
    expect(requestError(`${start}A: 12345678901234\r\n\r\n`, { maxLineBytes: 14 }).status).toBe(431);
    expect(requestError(`${start}\r\n`, { maxLineBytes: 13 }).status).toBe(414);
    expect(requestError(`${start}A: 1\r\nB: 2\r\n\r\n`, { maxHeaders: 1 }).status).toBe(431);
    expect(requestError(`${start}A: 1\r\n\r\n`, { maxHeadBytes: 20 }).status).toBe(431);
    expect(parseWhole('request', `${start}A: 1\r\n\r\n`, { maxHeadBytes: 24 }).head).not.toBeNull();
    expect(() => new HttpHeadParser('request', { maxHeadBytes: 0 })).toThrow(RangeError);
    expect(() => new HttpHeadParser('request', { maxLineBytes: 1.5 })).toThrow(RangeError);
    expect(() => new HttpHeadParser('request', { maxHeaders: -1 })).toThrow(RangeError);
  });
});

describe('HttpHeadParser: chunking and linear work', () => {
  it('gives the same head one byte at a time, and does linear work (tungstenite CVE-2023-43669)', () => {
    const big =
      'GET / HTTP/1.1\r\n' +
      Array.from({ length: 10 }, (_, i) => `X-${i}: ${'v'.repeat(700)}\r\n`).join('') +
      `Long: ${'w'.repeat(8000)}\r\n\r\nREST`;
    const data = bytes(big);
    const whole = feed('request', data, []);
    const p = new HttpHeadParser('request');
    let head: HttpRequestHead | HttpResponseHead | null = null;
    let i = 0;
    for (; i < data.length && !head; i++) head = p.push(data.subarray(i, i + 1));
    expect(head).not.toBeNull();
    expect({
      head: snapshot(head as HttpRequestHead),
      rest: Buffer.concat([p.rest(), data.subarray(i)]).toString('latin1'),
    }).toEqual(whole);
    expect(p.bytesScanned).toBeLessThanOrEqual(i);
    expect(p.bytesCopied).toBeLessThanOrEqual(3 * i);
  });

  it('does not copy lines that arrive whole', () => {
    const p = new HttpHeadParser('request');
    p.push(bytes(UPGRADE));
    expect(p.bytesCopied).toBe(0);
    expect(p.bytesScanned).toBe(UPGRADE.length);
  });

  const tchar = fc.constantFrom(..."abcXYZ019!#$%&'*+-.^_`|~".split(''));
  const vchar = fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c));
  const headerLine = fc.tuple(
    fc.string({ unit: tchar, minLength: 1, maxLength: 12 }),
    fc.string({ unit: vchar, maxLength: 40 }),
  );
  const validRequest = fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'M-SEARCH'),
      fc.string({ unit: fc.constantFrom(...'/abc?=&%'.split('')), minLength: 1, maxLength: 20 }),
      fc.constantFrom('1.0', '1.1'),
      fc.array(headerLine, { maxLength: 12 }),
      fc.uint8Array({ maxLength: 20 }),
    )
    .map(([method, target, version, headers, rest]) =>
      Buffer.concat([
        bytes(`${method} ${target} HTTP/${version}\r\n${headers.map(([n, v]) => `${n}:${v}\r\n`).join('')}\r\n`),
        rest,
      ]),
    );
  const cuts = fc.array(fc.nat(), { maxLength: 30 });

  it(`property: whole, one byte at a time and random splits give the same result ` +
    `(valid heads) (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(validRequest, cuts, (data, points) => {
        const whole = feed('request', data, []);
        expect(whole).toHaveProperty('head');
        expect(feed('request', data, points)).toEqual(whole);
        expect(
          feed(
            'request',
            data,
            Array.from({ length: data.length }, (_, i) => i),
          ),
        ).toEqual(whole);
      }),
      propertyParams(200),
    );
  });

  it(`property: mutated heads give the same outcome (head, error status and message, or pending) ` +
    `at any chunking (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const mutated = fc
      .tuple(
        validRequest,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), {
          maxLength: 4,
        }),
      )
      .map(([data, edits]) => {
        const arr = [...data];
        for (const [at, byte, op] of edits) {
          const i = at % (arr.length + 1);
          if (op === 'insert') arr.splice(i, 0, byte);
          else if (op === 'delete') arr.splice(i, 1);
          else if (i < arr.length) arr[i] = byte;
        }
        return Buffer.from(arr);
      });
    fc.assert(
      fc.property(
        mutated,
        cuts,
        fc.constantFrom<'request' | 'response'>('request', 'response'),
        (data, points, kind) => {
          const limits = { maxLineBytes: 30, maxHeadBytes: 200, maxHeaders: 6 };
          const whole = feed(kind, data, [], limits);
          if ('status' in whole) expect([400, 414, 431, 505]).toContain(whole.status);
          expect(feed(kind, data, points, limits)).toEqual(whole);
          expect(
            feed(
              kind,
              data,
              Array.from({ length: data.length }, (_, i) => i),
              limits,
            ),
          ).toEqual(whole);
        },
      ),
      propertyParams(300),
    );
  });
});

describe('HeaderList', () => {
  const list = new HeaderList([
    ['Host', 'a'],
    ['Sec-WebSocket-Key', ' k1 '],
    ['sec-websocket-key', 'k2'],
    ['__proto__', 'p'],
  ]);

  it('looks names up ASCII case-insensitively, first value wins', () => {
    expect(list.get('HOST')).toBe('a');
    expect(list.get('SEC-WEBSOCKET-KEY')).toBe('k1');
    expect(list.getAll('Sec-WebSocket-Key')).toEqual(['k1', 'k2']);
    expect(list.count('sec-websocket-key')).toBe(2);
    expect(list.has('hOsT')).toBe(true);
    expect(list.has('origin')).toBe(false);
    expect(list.get('origin')).toBeUndefined();
    expect(list.getAll('origin')).toEqual([]);
    expect(list.count('origin')).toBe(0);
    expect(list.size).toBe(4);
  });

  it('treats prototype names as data', () => {
    expect(list.get('__proto__')).toBe('p');
    expect(list.get('constructor')).toBeUndefined();
    expect(list.has('hasOwnProperty')).toBe(false);
    expect(list.has('toString')).toBe(false);
  });

  it('does not fold non-ASCII (KELVIN SIGN is not k)', () => {
    expect(new HeaderList([['k', 'v']]).get('\u212a')).toBeUndefined();
  });

  it('iterates pairs in order as copies', () => {
    const entries = [...list.entries()];
    expect(entries[1]).toEqual(['Sec-WebSocket-Key', 'k1']);
    (entries[0] as [string, string])[1] = 'changed';
    expect(list.get('host')).toBe('a');
    expect([...list]).toEqual([...list.entries()]);
  });

  it('validates names and values', () => {
    expect(() => new HeaderList([['Bad Name', 'x']])).toThrow(HttpHeadError);
    expect(() => new HeaderList([['', 'x']])).toThrow(/invalid header name/);
    expect(() => new HeaderList([['A', 'x\r\nB: y']])).toThrow(/invalid character/);
    expect(() => new HeaderList([['A', 'x\u0100']])).toThrow(/invalid character/);
  });

  it('builds from Node rawHeaders, duplicates kept', () => {
    const h = HeaderList.fromNodeRaw(['Host', 'x', 'Connection', 'keep-alive', 'connection', 'Upgrade']);
    expect(h.getAll('connection')).toEqual(['keep-alive', 'Upgrade']);
    expect(errorOf(() => HeaderList.fromNodeRaw(['Host'])).status).toBe(400);
  });

  it('enforces a header count on Node rawHeaders (Node truncates silently)', () => {
    const raw = (n: number) => Array.from({ length: n }, (_, i) => [`h${i}`, 'v']).flat();
    expect(HeaderList.fromNodeRaw(raw(100)).size).toBe(100);
    expect(errorOf(() => HeaderList.fromNodeRaw(raw(101))).status).toBe(431);
    expect(HeaderList.fromNodeRaw(raw(101), { maxHeaders: 2000 }).size).toBe(101);
  });
});
