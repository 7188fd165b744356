import { describe, expect, it } from 'vitest';
import { encodeClosePayload } from '../src/close.js';
import { PROTOCOL_ERROR_CLOSE_CODES, ProtocolError, type ProtocolErrorCode } from '../src/errors.js';
import { encodeFrame, type FrameSpec } from '../src/frame-encoder.js';
import {
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_PART_OVERHEAD,
  MessageReader,
  type MessageReaderOptions,
} from '../src/message-reader.js';
import { Opcode } from '../src/opcodes.js';
import { bytewise, hex } from '../testing/index.js';

const MASK = hex('37fa213d');

/** A frame from a client (masked), which is what a server-role reader expects. */
const f = (spec: FrameSpec): Buffer => encodeFrame({ mask: MASK, ...spec });
const text = (s: string | Buffer, fin = true): Buffer =>
  f({ opcode: Opcode.Text, fin, payload: typeof s === 'string' ? Buffer.from(s) : s });
const binary = (b: Buffer, fin = true): Buffer => f({ opcode: Opcode.Binary, fin, payload: b });
const cont = (s: string | Buffer, fin = true): Buffer =>
  f({ opcode: Opcode.Continuation, fin, payload: typeof s === 'string' ? Buffer.from(s) : s });
const ping = (s = ''): Buffer => f({ opcode: Opcode.Ping, payload: Buffer.from(s) });
const pong = (s = ''): Buffer => f({ opcode: Opcode.Pong, payload: Buffer.from(s) });
const close = (code?: number | null, reason?: string | Buffer): Buffer =>
  f({ opcode: Opcode.Close, payload: encodeClosePayload(code, reason) });

interface Harness {
  reader: MessageReader;
  /** Human-readable events: text:…, binary:<hex>, ping:…, pong:…, close:<code>:<reason>. */
  events: string[];
  messages: { data: Buffer; binary: boolean }[];
  /** Pushes a copy (the reader unmasks in place) and returns the error. */
  push(...chunks: Buffer[]): ProtocolError | null;
}

function harness(options: Partial<MessageReaderOptions> = {}): Harness {
  const events: string[] = [];
  const messages: { data: Buffer; binary: boolean }[] = [];
  const reader = new MessageReader(
    { role: 'server', ...options },
    {
      onMessage(data, isBinary) {
        messages.push({ data: Buffer.from(data), binary: isBinary });
        events.push(isBinary ? `binary:${data.toString('hex')}` : `text:${data.toString('utf8')}`);
      },
      onPing: (data) => void events.push(`ping:${data.toString()}`),
      onPong: (data) => void events.push(`pong:${data.toString()}`),
      onClose: (code, reason) => void events.push(`close:${code}:${reason}`),
    },
  );
  return {
    reader,
    events,
    messages,
    push(...chunks) {
      let error: ProtocolError | null = null;
      for (const chunk of chunks) error = reader.push(Buffer.from(chunk));
      return error;
    },
  };
}

function expectCode(error: ProtocolError | null, code: ProtocolErrorCode): void {
  expect(error).toBeInstanceOf(ProtocolError);
  expect(error!.code).toBe(code);
  expect(error!.closeCode).toBe(PROTOCOL_ERROR_CLOSE_CODES[code]);
}

describe('MessageReader: assembly', () => {
  it('assembles fragments into one message, delivered only at FIN', () => {
    const h = harness();
    expect(h.push(text('Hel', false))).toBeNull();
    expect(h.push(cont('l', false))).toBeNull();
    expect(h.events).toEqual([]);
    expect(h.reader.retainedMessageBytes).toBe(4);
    expect(h.push(cont('o'))).toBeNull();
    expect(h.events).toEqual(['text:Hello']);
    expect(h.reader.retainedMessageBytes).toBe(0);
  });

  it('binary fragments, including empty ones, become one binary message', () => {
    const h = harness();
    expect(
      h.push(binary(hex('0102'), false), cont(Buffer.alloc(0), false), cont(hex('ff'), false), cont(Buffer.alloc(0))),
    ).toBeNull();
    expect(h.messages).toEqual([{ data: hex('0102ff'), binary: true }]);
  });

  it('single-frame and empty messages', () => {
    const h = harness();
    expect(h.push(text(''), binary(Buffer.alloc(0)), text('a'), text('', false), cont(''))).toBeNull();
    expect(h.events).toEqual(['text:', 'binary:', 'text:a', 'text:']);
    expect(h.messages.map((m) => m.binary)).toEqual([false, true, false, false]);
  });

  it('ping and pong interleaved inside a fragmented message are delivered in order, the message stays intact', () => {
    const h = harness();
    const err = h.push(text('ab', false), ping('p1'), cont('cd', false), pong('q1'), ping('p2'), cont('ef'));
    expect(err).toBeNull();
    expect(h.events).toEqual(['ping:p1', 'pong:q1', 'ping:p2', 'text:abcdef']);
  });

  it('a control frame inside a message, all in one chunk and fed byte by byte, gives the same events', () => {
    const stream = Buffer.concat([text('κό', false), ping('ping!'), cont('σμε')]);
    const whole = harness();
    expect(whole.push(stream)).toBeNull();
    const piecewise = harness();
    for (const piece of bytewise(stream)) expect(piecewise.push(piece)).toBeNull();
    expect(whole.events).toEqual(['ping:ping!', 'text:κόσμε']);
    expect(piecewise.events).toEqual(whole.events);
  });

  it('a UTF-8 sequence split across fragments is fine', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    const h = harness();
    expect(
      h.push(text(euro.subarray(0, 1), false), cont(euro.subarray(1, 2), false), ping(), cont(euro.subarray(2))),
    ).toBeNull();
    expect(h.events).toEqual(['ping:', 'text:€']);
  });

  it('binary messages are not UTF-8 validated', () => {
    const h = harness();
    expect(h.push(binary(hex('ff fe ed a0 80'), false), cont(hex('c0')))).toBeNull();
    expect(h.messages[0]!.data.toString('hex')).toBe('fffeeda080c0');
  });

  it('the validator starts fresh for every text message', () => {
    const h = harness();
    expect(h.push(text('ok'), binary(hex('e2')))).toBeNull();
    // A continuation byte first is invalid only if no sequence is pending.
    expectCode(h.push(text(hex('82 ac'))), 'WS_ERR_INVALID_UTF8');
  });

  it('client role reads unmasked frames and rejects masked ones', () => {
    const h = harness({ role: 'client' });
    expect(h.push(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('hi') }))).toBeNull();
    expect(h.events).toEqual(['text:hi']);
    expectCode(h.push(text('masked')), 'WS_ERR_UNEXPECTED_MASK');
  });

  it('allowedRsv is handed to the frame layer', () => {
    expectCode(harness().push(f({ opcode: Opcode.Binary, rsv1: true })), 'WS_ERR_UNEXPECTED_RSV_1');
    const h = harness({ allowedRsv: 4 });
    expect(h.push(f({ opcode: Opcode.Binary, rsv1: true, payload: hex('01') }))).toBeNull();
    expect(h.events).toEqual(['binary:01']);
  });
});

describe('MessageReader: sequencing rules', () => {
  it('a continuation with no message to continue → 1002', () => {
    const h = harness();
    expectCode(h.push(cont('x')), 'WS_ERR_UNEXPECTED_CONTINUATION');
    expect(h.events).toEqual([]);
  });

  it('a continuation right after a finished message → 1002, and nothing after it is delivered', () => {
    const h = harness();
    expectCode(h.push(text('done'), cont('more'), text('never'), ping('never')), 'WS_ERR_UNEXPECTED_CONTINUATION');
    expect(h.events).toEqual(['text:done']);
  });

  it.each([
    ['Text', Opcode.Text],
    ['Binary', Opcode.Binary],
  ])('a new %s frame inside a fragmented message → 1002', (_name, opcode) => {
    const h = harness();
    expect(h.push(text('part', false))).toBeNull();
    expectCode(h.push(f({ opcode, payload: Buffer.from('new') })), 'WS_ERR_EXPECTED_CONTINUATION');
    expect(h.push(cont('end'))).toBe(h.reader.error);
    expect(h.events).toEqual([]);
  });

  it('errors are sticky: later pushes return the same error and deliver nothing', () => {
    const h = harness();
    const error = h.push(cont('x'));
    expect(h.push(text('hello'))).toBe(error);
    expect(h.push(ping('p'))).toBe(error);
    expect(h.reader.error).toBe(error);
    expect(h.events).toEqual([]);
  });
});

describe('MessageReader: UTF-8 is checked as bytes arrive', () => {
  it('invalid UTF-8 in fragment 2 of 3 → 1007 before fragment 3 is pushed', () => {
    const h = harness();
    expect(h.push(text('κόσμε', false))).toBeNull();
    expectCode(h.push(cont(hex('ce ba f4 90'), false)), 'WS_ERR_INVALID_UTF8');
    expect(h.push(cont('fine'))).toBe(h.reader.error);
    expect(h.events).toEqual([]);
  });

  it('invalid UTF-8 split across two TCP chunks of one frame → 1007 at the chunk that makes it invalid', () => {
    // Autobahn 6.4.x: the bad byte 0x90 follows ce ba f4.
    const payload = Buffer.concat([hex('cebae1bdb9cf83cebcceb5'), hex('f4 90 80 80'), Buffer.from('edited')]);
    const frame = text(payload);
    const badByte = 6 + 11 + 1; // header (2 + 4 key), κόσμε, then 0x90
    for (let split = 1; split < frame.length; split++) {
      const h = harness();
      const first = h.push(frame.subarray(0, split));
      if (split <= badByte) {
        expect(first, `split ${split}`).toBeNull();
        expectCode(h.push(frame.subarray(split)), 'WS_ERR_INVALID_UTF8');
      } else {
        expectCode(first, 'WS_ERR_INVALID_UTF8');
      }
      expect(h.events).toEqual([]);
    }
  });

  it('fed byte by byte, the error comes at the first impossible byte', () => {
    const frame = text(Buffer.concat([Buffer.from('ab'), hex('ed a0 80'), Buffer.from('cd')]));
    const h = harness();
    let errorAt = -1;
    for (let i = 0; i < frame.length && errorAt < 0; i++) if (h.push(frame.subarray(i, i + 1))) errorAt = i;
    expect(errorAt).toBe(6 + 3); // the A0 after ED
    expect(h.reader.error!.code).toBe('WS_ERR_INVALID_UTF8');
  });

  it('a text message ending mid-sequence → 1007 at FIN (single frame)', () => {
    const h = harness();
    expectCode(h.push(text(Buffer.concat([Buffer.from('price: '), hex('e2 82')]))), 'WS_ERR_INVALID_UTF8');
    expect(h.events).toEqual([]);
  });

  it('a fragmented text message ending mid-sequence → 1007 at the FIN frame, not before', () => {
    const h = harness();
    expect(h.push(text(Buffer.concat([Buffer.from('a'), hex('f0 9f')]), false))).toBeNull();
    expect(h.push(cont(hex('98'), false))).toBeNull();
    expectCode(h.push(cont('')), 'WS_ERR_INVALID_UTF8');
    expect(h.events).toEqual([]);
  });
});

describe('MessageReader: size limits', () => {
  const MAX = 1000;

  it('a message of exactly maxMessageSize in one frame is delivered; one byte more → 1009 from the header', () => {
    const ok = harness({ maxMessageSize: MAX });
    expect(ok.push(binary(Buffer.alloc(MAX, 7)))).toBeNull();
    expect(ok.messages[0]!.data.length).toBe(MAX);
    const tooBig = harness({ maxMessageSize: MAX });
    const frame = binary(Buffer.alloc(MAX + 1, 7));
    expectCode(tooBig.push(frame.subarray(0, 8)), 'WS_ERR_FRAME_TOO_BIG'); // 16-bit form + key: the header only
    expect(tooBig.events).toEqual([]);
  });

  it("a fragmented message crossing the limit on the last fragment → 1009 at that fragment's header", () => {
    for (const partOverhead of [0, DEFAULT_PART_OVERHEAD]) {
      const h = harness({ maxMessageSize: MAX, partOverhead });
      expect(h.push(text('a'.repeat(300), false))).toBeNull();
      expect(h.push(cont('b'.repeat(300), false))).toBeNull();
      const last = cont('c'.repeat(401));
      expectCode(h.push(last.subarray(0, 8)), 'WS_ERR_MESSAGE_TOO_BIG');
      expect(h.events).toEqual([]);
    }
  });

  it('a message of exactly the limit in a few large fragments is delivered with the default part overhead', () => {
    const h = harness({ maxMessageSize: MAX });
    expect(h.push(text('a'.repeat(300), false), cont('b'.repeat(300), false), cont('c'.repeat(400)))).toBeNull();
    expect(h.messages[0]!.data.length).toBe(MAX);
  });

  it('one frame of exactly the limit is delivered however it is split into reads, kept in a few Buffers', () => {
    const size = 200_000;
    const frame = binary(Buffer.alloc(size, 7));
    for (const step of [1, 7, 1000]) {
      const h = harness({ maxMessageSize: size });
      let maxParts = 0;
      for (let off = 0; off < frame.length; off += step) {
        expect(h.push(frame.subarray(off, off + step))).toBeNull();
        maxParts = Math.max(maxParts, h.reader.retainedParts);
      }
      expect(h.messages[0]!.data.equals(Buffer.alloc(size, 7))).toBe(true);
      // A view for the first piece, then payload blocks that grow with what has arrived.
      expect(maxParts).toBeLessThanOrEqual(8);
      const over = harness({ maxMessageSize: size - 1 });
      // 64-bit length form: detected before the mask key
      expectCode(over.push(frame.subarray(0, 10)), 'WS_ERR_FRAME_TOO_BIG');
    }
  });

  it('with no part overhead a fragmented message of exactly the limit is delivered', () => {
    const h = harness({ maxMessageSize: MAX, partOverhead: 0 });
    expect(h.push(text('a'.repeat(300), false), cont('b'.repeat(300), false), cont('c'.repeat(400)))).toBeNull();
    expect(h.messages[0]!.data.length).toBe(MAX);
  });

  it('control frames do not count toward the message size', () => {
    const h = harness({ maxMessageSize: 100, partOverhead: 0 });
    expect(h.push(text('a'.repeat(60), false), ping('p'.repeat(125)), cont('b'.repeat(40)))).toBeNull();
    expect(h.events.map((e) => e.length)).toEqual([5 + 125, 5 + 100]);
  });

  /**
   * Feeds a message start then a flood of equal continuation frames, and checks the part accounting:
   * the first frame is charged its payload, every further frame max(payload, overhead), and the frame that
   * would take the charge over the limit fails with 1008 at its header (1009 when payload alone does).
   */
  function flood(
    partSize: number,
    maxMessageSize: number,
    overhead = DEFAULT_PART_OVERHEAD,
  ): { failedAt: number; retainedMax: number; code: number } {
    const h = harness({ maxMessageSize, ...(overhead === DEFAULT_PART_OVERHEAD ? {} : { partOverhead: overhead }) });
    const part = Buffer.alloc(partSize, 0x61);
    const first = text(part, false);
    const next = cont(part, false);
    let parts = 0;
    let retainedMax = 0;
    for (let k = 1; ; k++) {
      const err = h.push(k === 1 ? first : next);
      const charge = partSize + parts * Math.max(partSize, overhead);
      if (err) {
        expect(err.code).toBe(
          (parts + 1) * partSize > maxMessageSize ? 'WS_ERR_MESSAGE_TOO_BIG' : 'WS_ERR_TOO_MANY_PARTS',
        );
        // It failed at the first frame that crosses, not later, not earlier.
        expect(charge).toBeGreaterThan(maxMessageSize);
        expect(h.events).toEqual([]);
        return { failedAt: k, retainedMax, code: err.closeCode };
      }
      parts++;
      expect(charge).toBeLessThanOrEqual(maxMessageSize);
      expect(h.reader.retainedMessageBytes).toBe(parts * partSize);
      // Tiny fragments are gathered into payload blocks, not kept one Buffer each.
      expect(h.reader.retainedParts).toBeLessThanOrEqual(2 + Math.ceil((parts * partSize) / (64 * 1024)));
      retainedMax = Math.max(retainedMax, h.reader.retainedMessageBytes);
      if (k > 1_000_000) throw new Error('flood never stopped');
    }
  }

  it('a flood of 1-byte continuation frames → 1008 once 1 + 128 × (frames − 1) exceeds the limit', () => {
    const { failedAt, retainedMax, code } = flood(1, 10_000);
    // 1 + 128 (k − 1) > 10 000 first holds for k = 80.
    expect(failedAt).toBe(80);
    expect(code).toBe(1008);
    expect(retainedMax).toBeLessThanOrEqual(10_000);
  });

  it('a flood of empty continuation frames → 1008 too (payload alone would never stop it)', () => {
    const { failedAt, retainedMax } = flood(0, 10_000);
    // 128 (k − 1) > 10 000 first holds for k = 80.
    expect(failedAt).toBe(80);
    expect(retainedMax).toBe(0);
  });

  it('the part overhead is configurable', () => {
    expect(flood(0, 1000, 10).failedAt).toBe(102); // 10 (k − 1) > 1000 first holds for k = 102
    expect(flood(5, 1000, 10).failedAt).toBe(101); // 5 + 10 (k − 1) > 1000 first holds for k = 101
    // Fragments at least as big as the overhead are charged their payload: the size limit decides.
    expect(flood(50, 1000, 10)).toMatchObject({ failedAt: 21, code: 1009 });
  });

  it('with no part overhead, 1-byte parts are stopped by the size limit instead: 1009 at the 1001st frame', () => {
    const h = harness({ maxMessageSize: 1000, partOverhead: 0 });
    const next = cont('a', false);
    expect(h.push(text('a', false))).toBeNull();
    for (let k = 2; k <= 1000; k++) expect(h.push(next)).toBeNull();
    expect(h.reader.retainedMessageBytes).toBe(1000);
    expectCode(h.push(next), 'WS_ERR_MESSAGE_TOO_BIG');
  });

  it('with the default 32 MiB limit an empty-fragment flood ends in 1008 after 262 145 parts', () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(32 * 1024 * 1024);
    const h = harness();
    const empty = cont('', false);
    const batch = Buffer.concat(Array.from({ length: 4096 }, () => empty));
    expect(h.push(text('', false))).toBeNull();
    let sent = 1;
    let error: ProtocolError | null = null;
    while (!error && sent < 400_000) {
      error = h.push(batch);
      sent += 4096;
    }
    expectCode(error, 'WS_ERR_TOO_MANY_PARTS');
    // 128 (k − 1) > 2^25 ⇔ k − 1 > 262 144: the 262 146th frame fails, so 262 145 were accepted.
    expect(sent).toBe(1 + 4096 * Math.ceil(262_145 / 4096));
    expect(h.reader.retainedMessageBytes).toBe(0);
  });

  it('Autobahn 9.3.1: a 4 MiB text message in 65 536 fragments of 64 bytes passes with the default limit', () => {
    // '€' is 3 bytes, so UTF-8 sequences straddle most fragment boundaries.
    const message = Buffer.from('€'.repeat(Math.ceil((4 << 20) / 3))).subarray(0, 4 << 20);
    const tail = message.length - (message.length % 3);
    message.fill(0x21, tail); // keep the end on a character boundary
    const frames: Buffer[] = [];
    for (let i = 0; i < 65536; i++) {
      const payload = message.subarray(i * 64, (i + 1) * 64);
      frames.push(f({ opcode: i === 0 ? Opcode.Text : Opcode.Continuation, fin: i === 65535, payload }));
    }
    const stream = Buffer.concat(frames);
    const h = harness();
    for (let pos = 0; pos < stream.length; pos += 65536) {
      expect(h.push(stream.subarray(pos, pos + 65536))).toBeNull();
      expect(h.reader.retainedMessageBytes).toBeLessThanOrEqual(DEFAULT_MAX_MESSAGE_SIZE);
    }
    expect(h.messages.length).toBe(1);
    expect(h.messages[0]!.binary).toBe(false);
    expect(h.messages[0]!.data.equals(message)).toBe(true);
  });
});

describe('MessageReader: Close', () => {
  it('delivers code and reason, and sets closed', () => {
    const h = harness();
    expect(h.reader.closed).toBe(false);
    expect(h.push(close(1000, 'bye κόσμε'))).toBeNull();
    expect(h.events).toEqual(['close:1000:bye κόσμε']);
    expect(h.reader.closed).toBe(true);
  });

  it('an empty Close gives code null', () => {
    const h = harness();
    expect(h.push(close())).toBeNull();
    expect(h.events).toEqual(['close:null:']);
  });

  it('a Close payload split across chunks is validated whole', () => {
    const frame = close(4000, 'reason');
    const h = harness();
    expect(h.push(frame.subarray(0, 9))).toBeNull();
    expect(h.events).toEqual([]);
    expect(h.push(frame.subarray(9))).toBeNull();
    expect(h.events).toEqual(['close:4000:reason']);
  });

  it('a 1-byte Close → 1002', () => {
    const h = harness();
    expectCode(h.push(f({ opcode: Opcode.Close, payload: hex('03') })), 'WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH');
    expect(h.events).toEqual([]);
    expect(h.reader.closed).toBe(false);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])('Close with invalid code %i → 1002', (code) => {
    const h = harness();
    expectCode(h.push(close(code)), 'WS_ERR_INVALID_CLOSE_CODE');
    expect(h.events).toEqual([]);
  });

  it('Close with an invalid UTF-8 reason → 1007', () => {
    const h = harness();
    expectCode(h.push(close(1000, hex('ce ba f4 90 80 80'))), 'WS_ERR_INVALID_UTF8');
    expect(h.events).toEqual([]);
    expect(h.reader.closed).toBe(false);
  });

  it('a Close in the middle of a fragmented message is accepted and ends everything', () => {
    const h = harness();
    expect(h.push(text('half', false), close(1001))).toBeNull();
    expect(h.push(cont('rest'))).toBeNull();
    expect(h.events).toEqual(['close:1001:']);
  });

  it('after a Close, later pushes are ignored, even garbage', () => {
    const h = harness();
    expect(h.push(close(1000))).toBeNull();
    expect(h.push(text('after'))).toBeNull();
    expect(h.push(hex('ff ff ff ff'))).toBeNull();
    expect(h.push(cont('x'))).toBeNull();
    expect(h.events).toEqual(['close:1000:']);
    expect(h.reader.error).toBeNull();
  });

  it('after a Close, the rest of the same chunk is ignored too', () => {
    const h = harness();
    expect(h.push(Buffer.concat([text('before'), close(1000, 'bye'), text('after'), ping('after')]))).toBeNull();
    expect(h.events).toEqual(['text:before', 'close:1000:bye']);
    const g = harness();
    expect(g.push(Buffer.concat([close(1000), hex('ff ff ff ff')]))).toBeNull();
    expect(g.reader.error).toBeNull();
    expect(g.events).toEqual(['close:1000:']);
  });

  it('the bytes after a Close are not even unmasked', () => {
    const h = harness();
    const after = text('after');
    const chunk = Buffer.concat([close(1000), after]);
    h.reader.push(chunk);
    expect(chunk.subarray(chunk.length - after.length).equals(after)).toBe(true);
  });
});

describe('MessageReader: bookkeeping', () => {
  it('bufferedBytes reports a partial header', () => {
    const h = harness();
    const frame = text('hello');
    expect(h.push(frame.subarray(0, 3))).toBeNull();
    expect(h.reader.bufferedBytes).toBe(3);
    expect(h.push(frame.subarray(3))).toBeNull();
    expect(h.reader.bufferedBytes).toBe(0);
    expect(h.events).toEqual(['text:hello']);
  });
});
