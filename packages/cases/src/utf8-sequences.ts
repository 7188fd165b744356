/**
 * The UTF-8 test sequences behind cases 6.5.x-6.23.x: Autobahn's createUtf8TestSequences (case6_x_x.py),
 * itself drawn from Markus Kuhn's UTF-8 decoder stress test. Each group becomes sub-category 6.N
 * (N = 5, 6, ...), each sequence case 6.N.M (M = 1, 2, ... in table order).
 *
 * `valid` is Autobahn's verdict for the sequence as a complete message. Non-characters (U+FFFE, U+FFFF,
 * U+xFFFE, ...) are valid UTF-8. The tests check these flags against a strict WHATWG decoder.
 */

export interface Utf8Sequence {
  valid: boolean;
  /** The bytes, lower-case hex. */
  hex: string;
}

export interface Utf8SequenceGroup {
  title: string;
  sequences: Utf8Sequence[];
}

/** The first sub-category number the table fills (6.5). */
export const UTF8_FIRST_SUBGROUP = 5;

const hex = (bytes: number[]): string => Buffer.from(bytes).toString('hex');
const ok = (h: string): Utf8Sequence => ({ valid: true, hex: h });
const bad = (h: string): Utf8Sequence => ({ valid: false, hex: h });

/** kappa, omicron with oxia, sigma, mu, epsilon: 11 octets of valid multi-byte UTF-8. */
const GREEK = 'cebae1bdb9cf83cebcceb5';

function isCompleteUtf8(h: string): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.from(h, 'hex'));
    return true;
  } catch {
    return false;
  }
}

/** Every prefix of GREEK, 1 to 11 octets; valid exactly when it ends on a code point boundary. */
function greekPrefixes(): Utf8Sequence[] {
  const out: Utf8Sequence[] = [];
  for (let n = 1; n <= GREEK.length / 2; n++) {
    const h = GREEK.slice(0, 2 * n);
    out.push({ valid: isCompleteUtf8(h), hex: h });
  }
  return out;
}

/** Bytes from..to-1 (Python's range end is exclusive), each followed by a space when `spaced`. */
function byteRun(from: number, toExclusive: number, spaced: boolean): string {
  const bytes: number[] = [];
  for (let b = from; b < toExclusive; b++) {
    bytes.push(b);
    if (spaced) bytes.push(0x20);
  }
  return hex(bytes);
}

const LAST_BYTE_MISSING = [
  'c0',
  'e080',
  'f08080',
  'f8808080',
  'fc80808080',
  'df',
  'efbf',
  'f7bfbf',
  'fbbfbfbf',
  'fdbfbfbfbf',
];

/** Non-characters: EF BF BE/BF, then F0-F4 x 8F/9F/AF/BF x BF x BE/BF minus those beyond U+10FFFF or overlong. */
function nonCharacters(): Utf8Sequence[] {
  const out: Utf8Sequence[] = [ok('efbfbe'), ok('efbfbf')];
  for (const b1 of ['f0', 'f1', 'f2', 'f3', 'f4']) {
    for (const b2 of ['8f', '9f', 'af', 'bf']) {
      if (b1 === 'f4' && b2 !== '8f') continue; // above U+10FFFF
      for (const b4 of ['be', 'bf']) {
        const h = `${b1}${b2}bf${b4}`;
        if (h === 'f08fbfbe' || h === 'f08fbfbf') continue; // overlong
        out.push(ok(h));
      }
    }
  }
  return out;
}

export const UTF8_SEQUENCE_GROUPS: readonly Utf8SequenceGroup[] = [
  {
    title: 'Some valid UTF-8 sequences',
    sequences: [
      ok(Buffer.from('hello$world').toString('hex')), // U+0024
      ok('68656c6c6fc2a2776f726c64'), // hello U+00A2 world
      ok('68656c6c6fe282ac776f726c64'), // hello U+20AC world
      ok('68656c6c6ff0a4ada2776f726c64'), // hello U+24B62 world
      ok(GREEK),
    ],
  },
  {
    title: 'All prefixes of a valid UTF-8 string that contains multi-byte code points',
    sequences: greekPrefixes(),
  },
  {
    title: 'First possible sequence of a certain length',
    sequences: [ok('00'), ok('c280'), ok('e0a080'), ok('f0908080')],
  },
  {
    title: 'First possible sequence length 5/6 (invalid codepoints)',
    sequences: [bad('f888808080'), bad('fc8480808080')],
  },
  {
    title: 'Last possible sequence of a certain length',
    sequences: [ok('7f'), ok('dfbf'), ok('efbfbf'), ok('f48fbfbf')],
  },
  {
    title: 'Last possible sequence length 4/5/6 (invalid codepoints)',
    sequences: [bad('f7bfbfbf'), bad('fbbfbfbfbf'), bad('fdbfbfbfbfbf')],
  },
  {
    title: 'Other boundary conditions',
    sequences: [ok('ed9fbf'), ok('ee8080'), ok('efbfbd'), ok('f48fbfbf'), bad('f4908080')],
  },
  {
    title: 'Unexpected continuation bytes',
    sequences: [
      bad('80'),
      bad('bf'),
      bad('80bf'),
      bad('80bf80'),
      bad('80bf80bf'),
      bad('80bf80bf80'),
      bad('80bf80bf80bf'),
      bad(byteRun(0x80, 0xbf, false)), // 0x80..0xbe: Autobahn's range stops before 0xbf
    ],
  },
  {
    title: 'Lonely start characters',
    sequences: [
      bad(byteRun(0xc0, 0xdf, true)),
      bad(byteRun(0xe0, 0xef, true)),
      bad(byteRun(0xf0, 0xf7, true)),
      bad(byteRun(0xf8, 0xfb, true)),
      bad(byteRun(0xfc, 0xfd, true)),
    ],
  },
  {
    title: 'Sequences with last continuation byte missing',
    sequences: LAST_BYTE_MISSING.map(bad),
  },
  {
    title: 'Concatenation of incomplete sequences',
    sequences: [bad(LAST_BYTE_MISSING.join(''))],
  },
  {
    title: 'Impossible bytes',
    sequences: [bad('fe'), bad('ff'), bad('fefeffff')],
  },
  {
    title: 'Examples of an overlong ASCII character',
    sequences: [bad('c0af'), bad('e080af'), bad('f08080af'), bad('f8808080af'), bad('fc80808080af')],
  },
  {
    title: 'Maximum overlong sequences',
    sequences: [bad('c1bf'), bad('e09fbf'), bad('f08fbfbf'), bad('f887bfbfbf'), bad('fc83bfbfbfbf')],
  },
  {
    title: 'Overlong representation of the NUL character',
    sequences: [bad('c080'), bad('e08080'), bad('f0808080'), bad('f880808080'), bad('fc8080808080')],
  },
  {
    title: 'Single UTF-16 surrogates',
    sequences: ['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map(bad),
  },
  {
    title: 'Paired UTF-16 surrogates',
    sequences: [
      'eda080edb080',
      'eda080edbfbf',
      'edadbfedb080',
      'edadbfedbfbf',
      'edae80edb080',
      'edae80edbfbf',
      'edafbfedb080',
      'edafbfedbfbf',
    ].map(bad),
  },
  {
    title: 'Non-character code points (valid UTF-8)',
    sequences: nonCharacters(),
  },
  {
    title: 'Unicode specials (i.e. replacement char)',
    sequences: ['efbfb9', 'efbfba', 'efbfbb', 'efbfbc', 'efbfbd', 'efbfbe', 'efbfbf'].map(ok),
  },
];

/** Exposed for tests: strict (fatal) WHATWG decoding of a hex string. */
export const decodesAsUtf8 = isCompleteUtf8;
