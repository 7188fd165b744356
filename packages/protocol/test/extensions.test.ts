import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExtensionHeaderError,
  formatExtensions,
  parseExtensions,
  type ExtensionOffer,
  type ScanStats,
} from '../src/extensions.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, propertyParams } from '../testing/index.js';

function parseError(value: string | string[]): ExtensionHeaderError {
  try {
    parseExtensions(value);
  } catch (err) {
    if (err instanceof ExtensionHeaderError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`);
}

describe('parseExtensions', () => {
  it('parses a bare extension', () => {
    expect(parseExtensions('permessage-deflate')).toEqual([{ name: 'permessage-deflate', params: [] }]);
  });

  it('parses parameters with and without values, in order', () => {
    expect(parseExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits=10')).toEqual([
      {
        name: 'permessage-deflate',
        params: [
          ['client_max_window_bits', true],
          ['server_max_window_bits', '10'],
        ],
      },
    ]);
  });

  it('keeps several offers of one extension and duplicated parameters visible', () => {
    expect(parseExtensions('a; x=1; x=2, a, b;y')).toEqual([
      {
        name: 'a',
        params: [
          ['x', '1'],
          ['x', '2'],
        ],
      },
      { name: 'a', params: [] },
      { name: 'b', params: [['y', true]] },
    ]);
  });

  it('accepts OWS around ";", "," and "="', () => {
    const expected: ExtensionOffer[] = [
      { name: 'a', params: [['x', '1']] },
      { name: 'b', params: [['y', true]] },
    ];
    expect(parseExtensions(' \ta ;\tx = 1 ,  b ; y \t')).toEqual(expected);
    expect(parseExtensions('a;x=1,b;y')).toEqual(expected);
  });

  it('skips empty list elements (RFC 7230 §7)', () => {
    expect(parseExtensions(', a,, ,b ,')).toEqual([
      { name: 'a', params: [] },
      { name: 'b', params: [] },
    ]);
  });

  it('unquotes quoted-string values, with backslash escapes', () => {
    expect(parseExtensions('a; x="10"; y="1\\0"; z = "tok\\-en"')).toEqual([
      {
        name: 'a',
        params: [
          ['x', '10'],
          ['y', '10'],
          ['z', 'tok-en'],
        ],
      },
    ]);
  });

  it('concatenates several header lines as one list', () => {
    expect(parseExtensions(['a; x=1', 'b', ', c'])).toEqual([
      { name: 'a', params: [['x', '1']] },
      { name: 'b', params: [] },
      { name: 'c', params: [] },
    ]);
    expect(parseExtensions(['', 'a'])).toEqual([{ name: 'a', params: [] }]);
  });

  it('does not let a quoted string run from one header line into the next', () => {
    expect(parseError(['a; x="1', '0"']).message).toMatch(/unterminated quoted string/);
  });

  it.each([
    ['empty header', '', /no extension/],
    ['only separators', ' , ,', /no extension/],
    ['leading parameter', ';a', /extension name/],
    ['",;constructor" (ws NSP-550 variant)', ',;constructor', /extension name/],
    ['trailing semicolon', 'a;', /parameter name/],
    ['parameter without name', 'a;=1', /parameter name/],
    ['missing value', 'a; x=', /value for parameter x/],
    ['missing value before comma', 'a; x=, b', /value for parameter x/],
    ['double equals', 'a; x==1', /value for parameter x/],
    ['two names', 'a b', /expected ";", "," or the end/],
    ['junk after value', 'a; x=1 y', /expected ";", "," or the end/],
    ['quoted extension name', '"a"', /extension name/],
    ['quoted value with a space', 'a; x="1 0"', /not a token once unquoted/],
    ['quoted value with a comma', 'a; x="1,0"', /not a token once unquoted/],
    ['escaped space', 'a; x="1\\ 0"', /not a token once unquoted/],
    ['empty quoted value', 'a; x=""', /empty quoted value/],
    ['unterminated quote', 'a; x="10', /unterminated quoted string/],
    ['backslash at the end', 'a; x="10\\', /unterminated quoted string/],
    ['non-ASCII name', 'perm\u00e9ssage', /expected ";", "," or the end/],
    ['CR LF injection', 'a\r\nX-Evil: 1', /expected ";", "," or the end/],
    ['NUL', 'a\u0000', /expected ";", "," or the end/],
  ])('rejects %s', (_name, value, message) => {
    expect(parseError(value).message).toMatch(message);
  });

  it('reports where parsing stopped, bounded and escaped', () => {
    const err = parseError(`a; x=1 ${'\u0001'}`);
    expect(err.offset).toBe(7);
    expect(err.message).toContain('offset 7');
    expect(err.message).toContain('\\x01');
    expect(parseError(['a', 'b c']).message).toContain('line 2, offset 2');
  });

  it('treats prototype names as plain data (ws NSP-550)', () => {
    const offers = parseExtensions('constructor, __proto__; __proto__=1; constructor, hasOwnProperty; toString="x"');
    expect(offers).toEqual([
      { name: 'constructor', params: [] },
      {
        name: '__proto__',
        params: [
          ['__proto__', '1'],
          ['constructor', true],
        ],
      },
      { name: 'hasOwnProperty', params: [['toString', 'x']] },
    ]);
    for (const offer of offers) {
      expect(Object.keys(offer).sort()).toEqual(['name', 'params']);
      expect(Object.getPrototypeOf(offer)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, '1')).toBe(false);
  });
});

describe('parseExtensions: linear work (faye CVE-2020-7662, ws CVE-2021-32640)', () => {
  const steps = (value: string): number => {
    const stats: ScanStats = { steps: 0 };
    try {
      parseExtensions(value, stats);
    } catch (err) {
      if (!(err instanceof ExtensionHeaderError)) throw err;
    }
    return stats.steps;
  };

  const unclosedEscapes = (bytes: number) => `a; b="${'\\c'.repeat((bytes - 6) / 2)}`;
  const spaces = (bytes: number) => `b${' '.repeat(bytes - 2)}x`;
  const paramSpaces = (bytes: number) => `a;${' '.repeat(bytes - 4)}=x`;

  it.each([
    ['an unclosed quoted string of \\c pairs', unclosedEscapes, /unterminated/],
    ['spaces between two names', spaces, /expected ";", "," or the end/],
    ['spaces between ";" and "="', paramSpaces, /parameter name/],
  ])('rejects %s in at most one step per char, at 16 KiB, 64 KiB and 1 MiB', (_name, make, message) => {
    expect(parseError(make(16 * 1024)).message).toMatch(message);
    const small = steps(make(64 * 1024));
    const large = steps(make(1024 * 1024));
    expect(small).toBeLessThanOrEqual(64 * 1024);
    expect(large).toBeLessThanOrEqual(1024 * 1024);
    expect(large).toBeLessThanOrEqual(17 * small);
  });

  it('parses a 1 MiB valid list in one step per char', () => {
    const value = Array.from({ length: 40_000 }, (_, i) => `e${i} ; p="v${i}" ;q`).join(' , ');
    const stats: ScanStats = { steps: 0 };
    expect(parseExtensions(value, stats)).toHaveLength(40_000);
    expect(stats.steps).toBe(value.length);
  });
});

describe('formatExtensions', () => {
  it('formats offers, bare values, no quoting needed', () => {
    expect(
      formatExtensions([
        {
          name: 'permessage-deflate',
          params: [
            ['client_max_window_bits', true],
            ['server_max_window_bits', '10'],
          ],
        },
        { name: 'x', params: [] },
      ]),
    ).toBe('permessage-deflate; client_max_window_bits; server_max_window_bits=10, x');
    expect(formatExtensions([])).toBe('');
  });

  it.each([
    ['a name with CRLF', [{ name: 'a\r\nX-Evil: 1', params: [] }]],
    ['an empty name', [{ name: '', params: [] }]],
    ['a parameter name with a space', [{ name: 'a', params: [['b c', true]] }]],
    ['a value with CRLF', [{ name: 'a', params: [['b', '1\r\nX-Evil: 1']] }]],
    ['an empty value', [{ name: 'a', params: [['b', '']] }]],
    ['a value with a quote', [{ name: 'a', params: [['b', '"1"']] }]],
  ] as Array<[string, ExtensionOffer[]]>)('refuses %s', (_name, offers) => {
    expect(() => formatExtensions(offers)).toThrow(TypeError);
  });

  it(`property: parse(format(offers)) = offers (seed ${PROPERTY_SEED})`, { timeout: PROPERTY_TIMEOUT_MS }, () => {
    const token = fc.string({
      unit: fc.constantFrom(..."abzAZ09!#$%&'*+-.^_`|~".split('')),
      minLength: 1,
      maxLength: 8,
    });
    const offer = fc.record({
      name: token,
      params: fc.array(fc.tuple(token, fc.oneof(token, fc.constant<true>(true))), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(offer, { minLength: 1, maxLength: 5 }), (offers) => {
        expect(parseExtensions(formatExtensions(offers))).toEqual(offers);
      }),
      propertyParams(300),
    );
  });

  it(`property: any string either parses to token-only offers or throws ExtensionHeaderError (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const chars = fc.constantFrom(...'ab=;, \t"\\\r\n\u0000\u00e9x1'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (value) => {
        let offers: ExtensionOffer[];
        try {
          offers = parseExtensions(value);
        } catch (err) {
          expect(err).toBeInstanceOf(ExtensionHeaderError);
          return;
        }
        // Whatever parsed must survive formatting: nothing but tokens got through.
        expect(parseExtensions(formatExtensions(offers))).toEqual(offers);
      }),
      propertyParams(300),
    );
  });
});
