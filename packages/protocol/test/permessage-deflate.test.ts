import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DeflateCodec,
  MessageReader,
  Opcode,
  ZlibLimiter,
  deflateOfferElement,
  encodeFrame,
  formatExtensions,
  negotiateDeflate,
  parseExtensions,
  parseWindowBits,
  validateDeflateResponse,
  type DeflateParams,
  type ProtocolError,
} from '../src/index.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, propertyParams } from '../testing/index.js';

const offers = (header: string) => parseExtensions(header);
const accept = (header: string, policy = {}) => negotiateDeflate(offers(header), policy);
const responseOf = (header: string, policy = {}) => {
  const n = accept(header, policy);
  return n.accepted ? formatExtensions([n.response]) : null;
};

describe('negotiateDeflate (server side)', () => {
  it('accepts a bare offer with an empty response and default windows', () => {
    const n = accept('permessage-deflate');
    expect(n.accepted).toBe(true);
    if (!n.accepted) return;
    expect(formatExtensions([n.response])).toBe('permessage-deflate');
    expect(n.params).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
  });

  it("accepts AutobahnPython's default offer and confirms the client_no_context_takeover hint", () => {
    expect(responseOf('permessage-deflate; client_no_context_takeover; client_max_window_bits')).toBe(
      'permessage-deflate; client_no_context_takeover',
    );
  });

  it('confirms server_no_context_takeover when requested, and applies it', () => {
    const n = accept('permessage-deflate; server_no_context_takeover');
    expect(n.accepted && formatExtensions([n.response])).toBe('permessage-deflate; server_no_context_takeover');
    expect(n.accepted && n.params.serverNoContextTakeover).toBe(true);
  });

  it('confirms server_max_window_bits with the requested value (9 and 15)', () => {
    expect(responseOf('permessage-deflate; server_max_window_bits=9')).toBe(
      'permessage-deflate; server_max_window_bits=9',
    );
    expect(responseOf('permessage-deflate; server_max_window_bits=15')).toBe(
      'permessage-deflate; server_max_window_bits=15',
    );
    const n = accept('permessage-deflate; server_max_window_bits=10');
    expect(n.accepted && n.params.serverMaxWindowBits).toBe(10);
  });

  it('lowers server_max_window_bits to its own policy and announces it even when not requested', () => {
    expect(responseOf('permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 10 })).toBe(
      'permessage-deflate; server_max_window_bits=10',
    );
    expect(responseOf('permessage-deflate', { serverMaxWindowBits: 11 })).toBe(
      'permessage-deflate; server_max_window_bits=11',
    );
  });

  it('declines server_max_window_bits=8 (zlib cannot deflate with 8) and falls back to the next offer', () => {
    const n = accept('permessage-deflate; server_max_window_bits=8, permessage-deflate');
    expect(n.accepted).toBe(true);
    if (!n.accepted) return;
    expect(n.offerIndex).toBe(1);
    expect(n.declined[0]).toMatch(/server_max_window_bits=8/);
    expect(accept('permessage-deflate; server_max_window_bits=8').accepted).toBe(false);
  });

  it.each([
    ['unknown parameter', 'permessage-deflate; foo'],
    ['duplicate parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    ['duplicate window bits', 'permessage-deflate; client_max_window_bits; client_max_window_bits=10'],
    ['value on a flag', 'permessage-deflate; server_no_context_takeover=1'],
    ['value on client flag', 'permessage-deflate; client_no_context_takeover=true'],
    ['missing server window value', 'permessage-deflate; server_max_window_bits'],
    ['window 16', 'permessage-deflate; server_max_window_bits=16'],
    ['window 7', 'permessage-deflate; client_max_window_bits=7'],
    ['window abc', 'permessage-deflate; server_max_window_bits=abc'],
    ['leading zero', 'permessage-deflate; server_max_window_bits=09'],
    ['quoted invalid', 'permessage-deflate; client_max_window_bits="16"'],
  ])('declines an offer with a %s', (_what, header) => {
    const n = accept(header);
    expect(n.accepted).toBe(false);
    expect(n.declined).toHaveLength(1);
    // …and falls back to a valid later offer.
    const fallback = accept(`${header}, permessage-deflate; server_no_context_takeover`);
    expect(fallback.accepted && fallback.offerIndex).toBe(1);
  });

  it('accepts a quoted valid window value and ignores other extensions', () => {
    const n = accept('x-webkit-deflate-frame, permessage-deflate; server_max_window_bits="12"');
    expect(n.accepted && n.params.serverMaxWindowBits).toBe(12);
    expect(accept('x-webkit-deflate-frame').accepted).toBe(false);
  });

  it('client_max_window_bits: only sent when the client allowed it and we lower it', () => {
    expect(responseOf('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })).toBe(
      'permessage-deflate; client_max_window_bits=10',
    );
    expect(responseOf('permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 12 })).toBe(
      'permessage-deflate',
    );
    // Not offered: never in the response.
    expect(responseOf('permessage-deflate', { clientMaxWindowBits: 10 })).toBe('permessage-deflate');
    const n = accept('permessage-deflate; client_max_window_bits=11');
    expect(n.accepted && n.params.clientMaxWindowBits).toBe(11);
  });

  it('requests client_no_context_takeover by policy', () => {
    expect(responseOf('permessage-deflate', { clientNoContextTakeover: true })).toBe(
      'permessage-deflate; client_no_context_takeover',
    );
    expect(responseOf('permessage-deflate', { serverNoContextTakeover: true })).toBe(
      'permessage-deflate; server_no_context_takeover',
    );
  });

  it('parameter names are matched case-insensitively, names like __proto__ are just unknown', () => {
    expect(accept('permessage-deflate; Server_No_Context_Takeover').accepted).toBe(true);
    expect(accept('permessage-deflate; __proto__').accepted).toBe(false);
    expect(accept('permessage-deflate; constructor=1').accepted).toBe(false);
  });

  it('rejects a nonsensical policy', () => {
    expect(() => negotiateDeflate([], { serverMaxWindowBits: 8 })).toThrow(RangeError);
    expect(() => negotiateDeflate([], { clientMaxWindowBits: 16 })).toThrow(RangeError);
  });

  it('parseWindowBits', () => {
    expect(parseWindowBits('8')).toBe(8);
    expect(parseWindowBits('15')).toBe(15);
    for (const bad of ['7', '16', '', '08', '1a', ' 9', '+9']) expect(parseWindowBits(bad)).toBeNull();
  });
});

describe('offers and response validation (client side)', () => {
  it("builds AutobahnPython's offers", () => {
    expect(formatExtensions([deflateOfferElement()])).toBe(
      'permessage-deflate; client_no_context_takeover; client_max_window_bits',
    );
    expect(formatExtensions([deflateOfferElement({ serverNoContextTakeover: true, serverMaxWindowBits: 9 })])).toBe(
      'permessage-deflate; client_no_context_takeover; client_max_window_bits; ' +
        'server_no_context_takeover; server_max_window_bits=9',
    );
  });

  const resp = (header: string) => parseExtensions(header)[0]!;

  it('accepts a valid response and resolves the windows', () => {
    const r = validateDeflateResponse(
      resp('permessage-deflate; server_max_window_bits=9; client_no_context_takeover'),
      [{ serverMaxWindowBits: 9 }],
    );
    expect(r.ok && r.params).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 15,
    });
  });

  it.each([
    ['unknown parameter', 'permessage-deflate; foo'],
    ['duplicate', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    ['bare client_max_window_bits', 'permessage-deflate; client_max_window_bits'],
    ['bad window', 'permessage-deflate; server_max_window_bits=16'],
    ['flag with value', 'permessage-deflate; client_no_context_takeover=1'],
  ])('fails a response with a %s', (_what, header) => {
    expect(validateDeflateResponse(resp(header), [{}]).ok).toBe(false);
  });

  it.each([
    ['unconfirmed server_no_context_takeover', 'permessage-deflate', { serverNoContextTakeover: true }],
    ['unconfirmed server_max_window_bits', 'permessage-deflate', { serverMaxWindowBits: 9 }],
    ['larger server window', 'permessage-deflate; server_max_window_bits=12', { serverMaxWindowBits: 9 }],
    ['client window not offered', 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: false }],
    ['client window above offer', 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }],
  ])('strict mode fails a response with %s; lenient mode reports it', (_what, header, offer) => {
    expect(validateDeflateResponse(resp(header), [offer], { strict: true }).ok).toBe(false);
    const lenient = validateDeflateResponse(resp(header), [offer]);
    expect(lenient.ok && lenient.violations.length).toBeGreaterThan(0);
  });

  it('a response matching any one of several offers is fine', () => {
    const r = validateDeflateResponse(
      resp('permessage-deflate; server_no_context_takeover'),
      [{ serverMaxWindowBits: 9, serverNoContextTakeover: true }, { serverNoContextTakeover: true }, {}],
      { strict: true },
    );
    expect(r.ok && r.violations).toEqual([]);
  });
});

function readerWith(perMessageDeflate: boolean) {
  const got: Array<{ data: Buffer; binary: boolean; compressed: boolean }> = [];
  const reader = new MessageReader(
    { role: 'server', perMessageDeflate },
    {
      onMessage: (data, binary, compressed) =>
        got.push({ data: Buffer.from(data), binary, compressed: compressed === true }),
      onPing: () => undefined,
      onPong: () => undefined,
      onClose: () => undefined,
    },
  );
  return { reader, got };
}

describe('MessageReader with permessage-deflate (RSV1 rules, RFC 7692 §6.1)', () => {
  const rsv1 = (opcode: number, payload: Buffer, fin = true) =>
    encodeFrame({ opcode, payload, fin, rsv1: true, mask: true });

  it('RSV1 on the first frame marks a compressed message and skips UTF-8 checks on the compressed bytes', () => {
    const { reader, got } = readerWith(true);
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    expect(
      reader.push(
        Buffer.concat([rsv1(Opcode.Text, bytes, false), encodeFrame({ opcode: 0, payload: bytes, mask: true })]),
      ),
    ).toBeNull();
    expect(got).toEqual([{ data: Buffer.concat([bytes, bytes]), binary: false, compressed: true }]);
  });

  it('a message without RSV1 is delivered uncompressed (and UTF-8 checked)', () => {
    const { reader, got } = readerWith(true);
    expect(reader.push(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('hi'), mask: true }))).toBeNull();
    expect(got[0]!.compressed).toBe(false);
    expect(reader.push(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from([0xff]), mask: true }))?.code).toBe(
      'WS_ERR_INVALID_UTF8',
    );
  });

  it('RSV1 on a continuation frame → 1002', () => {
    const { reader } = readerWith(true);
    const err = reader.push(
      Buffer.concat([rsv1(Opcode.Binary, Buffer.from('a'), false), rsv1(0, Buffer.from('b'))]),
    ) as ProtocolError;
    expect(err.code).toBe('WS_ERR_UNEXPECTED_RSV_1');
    expect(err.message).toMatch(/continuation/);
  });

  it('RSV1 on a control frame → 1002', () => {
    for (const opcode of [Opcode.Ping, Opcode.Pong, Opcode.Close]) {
      const { reader } = readerWith(true);
      expect(reader.push(rsv1(opcode, Buffer.alloc(0)))?.code).toBe('WS_ERR_UNEXPECTED_RSV_1');
    }
  });

  it('RSV1 without the extension → 1002; RSV2/RSV3 stay forbidden with it', () => {
    expect(readerWith(false).reader.push(rsv1(Opcode.Text, Buffer.from('x')))?.code).toBe('WS_ERR_UNEXPECTED_RSV_1');
    expect(
      readerWith(true).reader.push(encodeFrame({ opcode: 1, payload: Buffer.from('x'), rsv2: true, mask: true }))?.code,
    ).toBe('WS_ERR_UNEXPECTED_RSV_2_3');
  });
});

const TAKEOVER: DeflateParams = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};

describe('DeflateCodec', () => {
  const pair = (params: DeflateParams, maxMessageSize = 1 << 20) => ({
    server: new DeflateCodec({ role: 'server', params, maxMessageSize }),
    client: new DeflateCodec({ role: 'client', params, maxMessageSize }),
  });

  it('round-trips with context takeover; later messages shrink by referencing earlier ones', () => {
    const { server, client } = pair(TAKEOVER);
    const msg = Buffer.from('{"name":"wsmatrix","values":[1,2,3,4,5,6,7,8,9,10]}'.repeat(3));
    const first = client.compressSync(msg);
    const second = client.compressSync(msg);
    expect(second.length).toBeLessThan(first.length);
    expect(server.decompressSync(first)).toEqual(msg);
    expect(server.decompressSync(second)).toEqual(msg);
    expect(first.subarray(-4).equals(Buffer.from([0, 0, 0xff, 0xff]))).toBe(false);
  });

  it('no_context_takeover: every message decodes on its own', () => {
    const params = { ...TAKEOVER, clientNoContextTakeover: true, serverNoContextTakeover: true };
    const { server, client } = pair(params);
    const msg = Buffer.from('abcdefgh'.repeat(100));
    client.compressSync(msg);
    const second = client.compressSync(msg);
    const fresh = new DeflateCodec({ role: 'server', params, maxMessageSize: 1 << 20 });
    expect(fresh.decompressSync(second)).toEqual(msg);
    expect(server.historyBytes).toBe(0);
  });

  it('async and sync agree, async inflates keep their order', async () => {
    const a = pair(TAKEOVER);
    const b = pair(TAKEOVER);
    const msgs = Array.from({ length: 20 }, (_, i) => Buffer.from(`message ${i} `.repeat(50 + i)));
    const syncOut = msgs.map((m) => a.client.compressSync(m));
    const asyncOut = await Promise.all(msgs.map((m) => b.client.compress(m)));
    expect(asyncOut).toEqual(syncOut);
    const inflated = await Promise.all(asyncOut.map((c) => b.server.decompress(c)));
    expect(inflated).toEqual(msgs);
  });

  // Messages larger than zlib's default 16 KiB output buffer: decompressSync sizes its output after the
  // previous message and reuses its input buffer; whatever the order of sizes, the bytes must not change.
  it('large messages: sync and async compress alike, and inflate back whatever the previous size', async () => {
    const a = pair(TAKEOVER, 4 << 20);
    const b = pair(TAKEOVER, 4 << 20);
    const sizes = [200_000, 70_000, 70_000, 3, 1_500_000, 20_000, 0, 131_072];
    const msgs = sizes.map((n, i) => {
      const m = Buffer.allocUnsafe(n);
      for (let j = 0; j < n; j++) m[j] = ((j * 31 + i * 7) % 97) % 26;
      return m;
    });
    const syncOut = msgs.map((m) => a.client.compressSync(m));
    const asyncOut = await Promise.all(msgs.map((m) => b.client.compress(m)));
    // Buffer.equals: vitest's deep equality walks large buffers element by element.
    expect(asyncOut.map((c, i) => c.equals(syncOut[i]!))).toEqual(msgs.map(() => true));
    const inflated = syncOut.map((c) => a.server.decompressSync(c));
    // Every message as sent, including those inflated before later ones reused the codec's buffers.
    expect(inflated.map((m, i) => m.equals(msgs[i]!))).toEqual(msgs.map(() => true));
  });

  it(`inflates any sequence of messages exactly, whatever their sizes (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const message = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.integer({ min: 0, max: 100_000 }).map((n) => Buffer.alloc(n, n % 251)),
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1, max: 3000 }))
        .map(([unit, times]) => Buffer.concat(Array.from({ length: times }, () => unit))),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 12 }), fc.boolean(), (messages, takeover) => {
        const params = takeover ? TAKEOVER : { ...TAKEOVER, clientNoContextTakeover: true };
        const { server, client } = pair(params);
        const sent = messages.map((m) => Buffer.from(m));
        const received = sent.map((m) => server.decompressSync(client.compressSync(m)));
        expect(received.map((m, i) => m.equals(sent[i]!))).toEqual(sent.map(() => true));
      }),
      propertyParams(60),
    );
  });

  it('reuseCompressed: a codec handed earlier output goes on compressing exactly as one that compressed it all', () => {
    const msgs = Array.from({ length: 12 }, (_, i) => Buffer.from(`{"n":${i},"text":"${'abc'.repeat(i * 40)}"}`));
    for (const params of [TAKEOVER, { ...TAKEOVER, clientNoContextTakeover: true, clientMaxWindowBits: 9 }]) {
      const whole = pair(params).client;
      const reusing = pair(params).client;
      expect(reusing.compressionKey).toBe(whole.compressionKey);
      const out = msgs.map((m) => whole.compressSync(m));
      for (let i = 0; i < 6; i++) expect(reusing.reuseCompressed(msgs[i]!, out[i]!)).toBe(out[i]);
      const rest = msgs.slice(6).map((m) => reusing.compressSync(m));
      expect(rest).toEqual(out.slice(6));
      expect([reusing.messagesCompressed, reusing.bytesBeforeCompression, reusing.bytesAfterCompression]).toEqual([
        whole.messagesCompressed,
        whole.bytesBeforeCompression,
        whole.bytesAfterCompression,
      ]);
      // And the peer inflates the reusing codec's stream.
      const server = pair(params).server;
      expect([...out.slice(0, 6), ...rest].map((c) => server.decompressSync(c))).toEqual(msgs);
    }
    // Settings that change the output change the key.
    const keys = new Set([
      pair(TAKEOVER).client.compressionKey,
      pair({ ...TAKEOVER, clientNoContextTakeover: true }).client.compressionKey,
      pair({ ...TAKEOVER, clientMaxWindowBits: 10 }).client.compressionKey,
      new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 20, level: 1 }).compressionKey,
      new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 20, memLevel: 9 }).compressionKey,
    ]);
    expect(keys.size).toBe(5);
  });

  it('an empty message compresses to the single byte 0x00 and back', () => {
    const { server, client } = pair(TAKEOVER);
    const c = client.compressSync(Buffer.alloc(0));
    expect(c).toEqual(Buffer.from([0]));
    expect(server.decompressSync(c)).toEqual(Buffer.alloc(0));
    expect(server.decompressSync(Buffer.alloc(0))).toEqual(Buffer.alloc(0));
  });

  it('window bits 9: output stays decodable by a 9-bit inflater across messages', () => {
    const params = { ...TAKEOVER, serverMaxWindowBits: 9 };
    const { server, client } = pair(params);
    const text = Buffer.from(Array.from({ length: 4000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join(''));
    for (let i = 0; i < 5; i++) expect(client.decompressSync(server.compressSync(text))).toEqual(text);
  });

  it('corrupt data → 1007', () => {
    const { server } = pair(TAKEOVER);
    expect(() => server.decompressSync(Buffer.from([0xff, 0xff, 0xff]))).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INVALID_COMPRESSED_DATA', closeCode: 1007 }),
    );
  });

  it('decompression bomb: refused with 1009 while inflating, output never past the limit', async () => {
    const limit = 1 << 20;
    const { server, client } = pair({ ...TAKEOVER, clientNoContextTakeover: true }, limit);
    const bomb = new DeflateCodec({ role: 'client', params: TAKEOVER, maxMessageSize: 1 << 30 }).compressSync(
      Buffer.alloc(64 << 20),
    );
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => server.decompressSync(bomb)).toThrow(
      expect.objectContaining({ code: 'WS_ERR_INFLATED_MESSAGE_TOO_BIG', closeCode: 1009 }),
    );
    await expect(server.decompress(bomb)).rejects.toMatchObject({
      code: 'WS_ERR_INFLATED_MESSAGE_TOO_BIG',
      closeCode: 1009,
    });
    expect(server.inflateLimitHits).toBe(2);
    expect(server.inflatedBytes).toBe(0);
    expect(server.largestInflatedMessage).toBe(0);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
    // A message of exactly the limit still passes.
    const exact = Buffer.alloc(limit, 0x61);
    expect(server.decompressSync(client.compressSync(exact)).length).toBe(limit);
    expect(server.largestInflatedMessage).toBe(limit);
  });
});

describe('ZlibLimiter', () => {
  it('never runs more than its limit at once', async () => {
    const limiter = new ZlibLimiter(3);
    const codec = new DeflateCodec({ role: 'server', params: TAKEOVER, maxMessageSize: 1 << 20, limiter });
    await Promise.all(Array.from({ length: 50 }, (_, i) => codec.compress(Buffer.alloc(10_000, i))));
    expect(limiter.peakActive).toBe(3);
    expect(limiter.completed).toBe(50);
    expect(limiter.active).toBe(0);
    expect(() => new ZlibLimiter(0)).toThrow(RangeError);
  });
});
