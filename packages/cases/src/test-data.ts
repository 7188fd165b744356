/**
 * The payload data sets of groups 12 and 13. Autobahn ships five files (testdata/: a JSON document, an
 * HTML page, a 512×512 grey-scale BMP, a PDF and a Project Gutenberg text); we generate our own of the
 * same kinds and byte sizes, deterministically (seeded PRNG), so every run sends the same bytes and the
 * compression ratios are comparable between runs and servers. Nothing of the original files is used.
 *
 * Generation costs a few milliseconds per set and happens on first use; the result is cached.
 */
import type { DataSetName } from './types.js';

export interface DataSetInfo {
  name: DataSetName;
  /** Title as in the report's sub-group heading. */
  title: string;
  /** Sent as binary messages (Autobahn sends the Gutenberg text as binary too). */
  binary: boolean;
  /** Size of the data set in bytes (the size of Autobahn's file of that kind). */
  size: number;
}

export const DATA_SETS: Readonly<Record<DataSetName, DataSetInfo>> = Object.freeze({
  json: { name: 'json', title: 'Large JSON data file', binary: false, size: 194_056 },
  bmp: { name: 'bmp', title: 'Picture, bitmap 512x512 greyscale', binary: true, size: 263_222 },
  faust: { name: 'faust', title: 'Human readable text, German verse drama', binary: true, size: 222_218 },
  html: { name: 'html', title: 'Large HTML file', binary: false, size: 263_647 },
  pdf: { name: 'pdf', title: 'A larger PDF', binary: true, size: 1_042_328 },
});

/** Autobahn's order of the sub-groups 12.1 … 12.5. */
export const DATA_SET_ORDER: readonly DataSetName[] = Object.freeze(['json', 'bmp', 'faust', 'html', 'pdf']);

/**
 * mulberry32: small, fast, good enough for filler data; the same seed gives the same numbers in [0, 1).
 * Exported as seededRandom for other generated data (the benchmark's compressible payload).
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;

/**
 * Text grown piece by piece to at least `size` bytes, then cut to exactly `size` on a character boundary (padded with
 * spaces).
 */
function textOfSize(size: number, next: () => string): Buffer {
  const pieces: string[] = [];
  let bytes = 0;
  while (bytes < size) {
    const piece = next();
    pieces.push(piece);
    bytes += Buffer.byteLength(piece);
  }
  const buf = Buffer.from(pieces.join(''), 'utf8');
  let end = size;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // never cut inside a UTF-8 sequence
  const out = Buffer.alloc(size, 0x20);
  buf.copy(out, 0, 0, end);
  return out;
}

const FIRST = [
  'Anna',
  'Ben',
  'Chloé',
  'David',
  'Eva',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kai',
  'Lena',
  'Mara',
  'Noah',
];
const LAST = ['Schmidt', 'Okafor', 'Nakamura', 'García', 'Rossi', 'Novak', 'Berg', 'Silva', 'Kowalski', 'Dubois'];
const TAGS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'stream',
  'socket',
  'frame',
  'deflate',
  'window',
  'context',
  'echo',
  'matrix',
];
const WORDS = [
  'the',
  'server',
  'sends',
  'a',
  'message',
  'with',
  'every',
  'frame',
  'and',
  'waits',
  'for',
  'its',
  'echo',
  'while',
  'compression',
  'shrinks',
  'repeated',
  'text',
  'into',
  'references',
  'back',
  'into',
  'history',
  'of',
  'window',
  'size',
];

function jsonData(size: number): Buffer {
  const rnd = prng(12_1);
  let id = 0;
  let first = true;
  return textOfSize(size, () => {
    id++;
    const record = {
      id,
      guid: Array.from({ length: 4 }, () =>
        Math.floor(rnd() * 0x10000)
          .toString(16)
          .padStart(4, '0'),
      ).join('-'),
      isActive: rnd() < 0.5,
      balance: Math.round(rnd() * 1_000_000) / 100,
      age: 18 + Math.floor(rnd() * 60),
      name: `${pick(rnd, FIRST)} ${pick(rnd, LAST)}`,
      email: `user${id}@example.org`,
      registered: new Date(1_400_000_000_000 + Math.floor(rnd() * 300_000_000_000)).toISOString(),
      latitude: Math.round((rnd() * 180 - 90) * 1e6) / 1e6,
      longitude: Math.round((rnd() * 360 - 180) * 1e6) / 1e6,
      tags: Array.from({ length: 3 + Math.floor(rnd() * 4) }, () => pick(rnd, TAGS)),
      about: Array.from({ length: 8 + Math.floor(rnd() * 12) }, () => pick(rnd, WORDS)).join(' '),
    };
    const text = (first ? '[\n' : ',\n') + JSON.stringify(record, null, 2);
    first = false;
    return text;
  });
}

function htmlData(size: number): Buffer {
  const rnd = prng(12_4);
  let n = 0;
  const head =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Release notes — wsmatrix</title>\n' +
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}' +
    'td,th{border:1px solid #ccc;padding:4px}</style>\n' +
    '</head>\n<body>\n';
  return textOfSize(size, () => {
    if (n++ === 0) return head;
    const words = () => Array.from({ length: 10 + Math.floor(rnd() * 30) }, () => pick(rnd, WORDS)).join(' ');
    switch (n % 4) {
      case 0:
        return `<h2 id="s${n}">Section ${n}: ${pick(rnd, TAGS)} — ${pick(rnd, FIRST)}</h2>\n`;
      case 1:
        return `<p class="note">${words()} <a href="https://example.org/${pick(rnd, TAGS)}/${n}">more…</a></p>\n`;
      case 2: {
        const rows = Array.from(
          { length: 4 },
          (_, r) =>
            `<tr><td>${n}.${r}</td><td>${pick(rnd, LAST)}</td>` +
            `<td>${Math.floor(rnd() * 1e6)}</td><td>${pick(rnd, TAGS)}</td></tr>`,
        );
        return `<table>\n${rows.join('\n')}\n</table>\n`;
      }
      default:
        return (
          `<ul>${Array.from({ length: 3 }, () => `<li>${words()}</li>`).join('')}</ul>\n` +
          `<p>© ${2000 + (n % 25)} ${pick(rnd, FIRST)} ${pick(rnd, LAST)}, Zürich</p>\n`
        );
    }
  });
}

/** A 512×512 8-bit palettised grey-scale BMP: smooth shapes plus sensor-like noise, like a photo. */
function bmpData(size: number): Buffer {
  const w = 512;
  const h = 512;
  const headerSize = 14 + 40 + 256 * 4;
  const out = Buffer.alloc(size);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(headerSize, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(w, 18);
  out.writeInt32LE(h, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(8, 28);
  out.writeUInt32LE(0, 30);
  out.writeUInt32LE(w * h, 34);
  out.writeInt32LE(2835, 38);
  out.writeInt32LE(2835, 42);
  out.writeUInt32LE(256, 46);
  out.writeUInt32LE(256, 50);
  for (let i = 0; i < 256; i++) out.writeUInt32LE(i | (i << 8) | (i << 16), 54 + i * 4);
  const rnd = prng(12_2);
  let p = headerSize;
  for (let y = 0; y < h && p < size; y++) {
    for (let x = 0; x < w && p < size; x++) {
      const dx = x - 256;
      const dy = y - 230;
      const face = Math.exp(-(dx * dx + dy * dy) / 18000) * 120;
      const hat = y > 300 && Math.abs(dx - 40) < 260 - (y - 300) ? 40 * Math.sin(x / 23 + y / 41) : 0;
      const v = 60 + face + hat + 25 * Math.sin(x / 57) * Math.cos(y / 73) + (rnd() - 0.5) * 18;
      out[p++] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return out;
}

/** A PDF: text objects around many streams of already-compressed (incompressible) content. */
function pdfData(size: number): Buffer {
  const rnd = prng(12_5);
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let bytes = parts[0]!.length;
  let obj = 1;
  const trailer = Buffer.from(
    'xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Root 1 0 R >>\nstartxref\n0\n%%EOF\n',
    'latin1',
  );
  while (bytes < size - trailer.length) {
    const kind = obj % 3;
    let chunk: Buffer;
    if (kind === 0) {
      const n = 2000 + Math.floor(rnd() * 6000);
      const body = Buffer.alloc(n);
      for (let i = 0; i < n; i++) body[i] = Math.floor(rnd() * 256);
      chunk = Buffer.concat([
        Buffer.from(`${obj} 0 obj\n<< /Length ${n} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
        body,
        Buffer.from('\nendstream\nendobj\n', 'latin1'),
      ]);
    } else {
      const text = Array.from({ length: 20 }, () => `(${pick(rnd, WORDS)}) Tj`).join(' ');
      chunk = Buffer.from(
        `${obj} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ` +
          `/Resources << /Font << /F1 ${obj + 1} 0 R >> >> >>\n` +
          `BT /F1 ${9 + (obj % 4)} Tf ${Math.floor(rnd() * 500)} ${Math.floor(rnd() * 700)} Td ${text} ET\nendobj\n`,
        'latin1',
      );
    }
    parts.push(chunk);
    bytes += chunk.length;
    obj++;
  }
  const out = Buffer.alloc(size, 0x0a);
  Buffer.concat(parts).copy(out, 0, 0, size - trailer.length);
  trailer.copy(out, size - trailer.length);
  return out;
}

const DE_WORDS = [
  'und',
  'der',
  'die',
  'das',
  'ich',
  'nicht',
  'Geist',
  'Herz',
  'Welt',
  'Nacht',
  'Schöne',
  'Glück',
  'müssen',
  'hören',
  'Träume',
  'über',
  'Straße',
  'grüßen',
  'Wälder',
  'Seele',
  'Himmel',
  'dunkel',
  'Flamme',
  'Weisheit',
  'Buch',
  'Stunde',
  'lächeln',
  'Mädchen',
  'Bürger',
  'Frühling',
  'fließt',
  'Töne',
  'wollen',
  'Gott',
  'Mensch',
  'Teufel',
  'Zauber',
  'Wissen',
];
const SPEAKERS = ['FAUST', 'MEPHISTOPHELES', 'WAGNER', 'GRETCHEN', 'MARTHE', 'CHOR', 'DER HERR', 'SCHÜLER'];

/** Verse drama in German (umlauts and ß), plain text with CRLF line ends as Gutenberg files have. */
function faustData(size: number): Buffer {
  const rnd = prng(12_3);
  let line = 0;
  return textOfSize(size, () => {
    line++;
    if (line % 9 === 1) return `\r\n${pick(rnd, SPEAKERS)}:\r\n`;
    const verse = Array.from({ length: 5 + Math.floor(rnd() * 4) }, () => pick(rnd, DE_WORDS)).join(' ');
    return `${verse.charAt(0).toUpperCase()}${verse.slice(1)}${pick(rnd, [',', '.', '!', ';', '?', ''])}\r\n`;
  });
}

const GENERATORS: Record<DataSetName, (size: number) => Buffer> = {
  json: jsonData,
  html: htmlData,
  bmp: bmpData,
  pdf: pdfData,
  faust: faustData,
};

const cache = new Map<DataSetName, Buffer>();

/** The bytes of a data set (cached; do not modify). */
export function dataSetBytes(name: DataSetName): Buffer {
  let bytes = cache.get(name);
  if (bytes === undefined) {
    bytes = GENERATORS[name](DATA_SETS[name].size);
    cache.set(name, bytes);
  }
  return bytes;
}

/**
 * The messages of a compressed-echo case, as Autobahn's sendOne cuts them: consecutive windows of
 * `length` units, wrapping around the end of the data set. Units are bytes for binary data sets and
 * characters (code points) for text ones, which Autobahn slices as decoded strings.
 */
export class DataSetCursor {
  private readonly bytes: Buffer;
  /** Byte offset of each unit, plus the total length at the end. */
  private readonly offsets: Uint32Array | null;
  private readonly units: number;
  private position = 0;

  constructor(
    name: DataSetName,
    private readonly length: number,
  ) {
    this.bytes = dataSetBytes(name);
    if (DATA_SETS[name].binary) {
      this.offsets = null;
      this.units = this.bytes.length;
    } else {
      const offsets: number[] = [];
      for (let i = 0; i < this.bytes.length; i++) if ((this.bytes[i]! & 0xc0) !== 0x80) offsets.push(i);
      offsets.push(this.bytes.length);
      this.offsets = Uint32Array.from(offsets);
      this.units = offsets.length - 1;
    }
  }

  private byteAt(unit: number): number {
    return this.offsets === null ? unit : this.offsets[unit]!;
  }

  /** The next message (a fresh buffer). */
  next(): Buffer {
    if (this.length === 0) return Buffer.alloc(0);
    const from = this.position;
    const to = (from + this.length) % this.units;
    this.position = to;
    if (to > from) return Buffer.from(this.bytes.subarray(this.byteAt(from), this.byteAt(to)));
    return Buffer.concat([this.bytes.subarray(this.byteAt(from)), this.bytes.subarray(0, this.byteAt(to))]);
  }
}
