import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERROR_CLOSE_CODES, ProtocolError, type ProtocolErrorCode } from '../src/errors.js';
import {
  FrameCollector,
  FrameDecoder,
  decodeFrames,
  type Frame,
  type FrameDecoderOptions,
  type FrameHeader,
  type FrameSink,
} from '../src/frame-decoder.js';
import { encodeFrame, type FrameSpec } from '../src/frame-encoder.js';
import { Opcode } from '../src/opcodes.js';
import { bytewise, chop, hex, patterned, prng } from '../testing/index.js';

const MASK = hex('37fa213d');

type Role = FrameDecoderOptions['role'];

/** A frame as the peer of `role` would send it: clients mask, servers do not. */
function frameFor(role: Role, spec: FrameSpec): Buffer {
  return encodeFrame({ mask: role === 'server' ? MASK : null, ...spec });
}

type SinkEvent =
  | { kind: 'header'; header: FrameHeader }
  | { kind: 'payload'; data: Buffer; opcode: number }
  | { kind: 'end'; opcode: number };

/** Records every sink call (payload copied, since the decoder hands out views of the pushed chunk). */
class RecordingSink implements FrameSink {
  events: SinkEvent[] = [];
  onFrameHeader(header: FrameHeader): void {
    this.events.push({ kind: 'header', header });
  }
  onFramePayload(data: Buffer, header: FrameHeader): void {
    this.events.push({ kind: 'payload', data: Buffer.from(data), opcode: header.opcode });
  }
  onFrameEnd(header: FrameHeader): void {
    this.events.push({ kind: 'end', opcode: header.opcode });
  }
}

function randomCuts(next: () => number, length: number, count: number): number[] {
  const cuts = new Set<number>();
  for (let i = 0; i < count; i++) cuts.add(next() % (length + 1));
  return [...cuts].sort((a, b) => a - b);
}

interface Outcome {
  frames: Frame[];
  error: ProtocolError | null;
  /** Index of the chunk whose push first returned the error (-1 if none). */
  errorChunk: number;
  bytesDecoded: number;
}

function decodeChunks(chunks: Buffer[], options: FrameDecoderOptions): Outcome {
  const collector = new FrameCollector(options);
  const frames: Frame[] = [];
  let error: ProtocolError | null = null;
  let errorChunk = -1;
  chunks.forEach((chunk, i) => {
    const result = collector.push(chunk);
    frames.push(...result.frames.map((f) => ({ ...f, payload: Buffer.from(f.payload) })));
    if (result.error && !error) {
      error = result.error;
      errorChunk = i;
    }
  });
  return { frames, error, errorChunk, bytesDecoded: collector.decoder.bytesDecoded };
}

/** A comparable summary of frames: every header field plus the payload. */
function summary(frames: Frame[]): unknown[] {
  return frames.map((f) => ({
    fin: f.fin,
    rsv: [f.rsv1, f.rsv2, f.rsv3],
    opcode: f.opcode,
    masked: f.masked,
    mask: f.mask?.toString('hex') ?? null,
    payloadLength: f.payloadLength,
    headerLength: f.headerLength,
    payload: f.payload.toString('hex'),
  }));
}

/**
 * The shape of every rule test: a valid frame, then the violation, then another valid frame. The error
 * carries `code` (and the `closeCode` it implies), the sink saw the first frame and nothing else, and the decoder stays
 * dead. Checked fed whole and fed one byte at a time (the error must come from a byte of the offending frame).
 */
function expectViolation(bad: Buffer, code: ProtocolErrorCode, options: FrameDecoderOptions): ProtocolError {
  const closeCode = PROTOCOL_ERROR_CLOSE_CODES[code];
  const role = options.role;
  const before = frameFor(role, { opcode: Opcode.Binary, payload: Buffer.from('before') });
  const after = frameFor(role, { opcode: Opcode.Binary, payload: Buffer.from('after') });
  const stream = Buffer.concat([before, bad, after]);

  // Whole.
  const sink = new RecordingSink();
  const decoder = new FrameDecoder(options, sink);
  const error = decoder.push(Buffer.from(stream));
  expect(error).toBeInstanceOf(ProtocolError);
  expect(error!.code).toBe(code);
  expect(error!.closeCode).toBe(closeCode);
  expect(decoder.error).toBe(error);
  expect(sink.events.map((e) => e.kind)).toEqual(['header', 'payload', 'end']);
  expect((sink.events[1] as { data: Buffer }).data.toString()).toBe('before');
  // Sticky: later bytes return the same error and reach nobody.
  const consumed = decoder.bytesDecoded;
  expect(decoder.push(Buffer.from(after))).toBe(error);
  expect(decoder.push(Buffer.from(before))).toBe(error);
  expect(sink.events.length).toBe(3);
  expect(decoder.bytesDecoded).toBe(consumed);

  // Byte by byte.
  const sink2 = new RecordingSink();
  const decoder2 = new FrameDecoder(options, sink2);
  let errorAt = -1;
  for (let i = 0; i < stream.length; i++) {
    const err = decoder2.push(Buffer.from(stream.subarray(i, i + 1)));
    if (err && errorAt < 0) errorAt = i;
    if (errorAt >= 0) expect(err).toBe(decoder2.error);
  }
  expect(errorAt).toBeGreaterThanOrEqual(before.length);
  expect(errorAt).toBeLessThan(before.length + bad.length);
  expect(decoder2.error!.code).toBe(code);
  expect(sink2.events.filter((e) => e.kind !== 'payload').map((e) => e.kind)).toEqual(['header', 'end']);
  return error!;
}

function expectAccepted(frame: Buffer, options: FrameDecoderOptions): Frame {
  const frames = decodeFrames(Buffer.from(frame), options);
  expect(frames.length).toBe(1);
  return frames[0]!;
}

describe('FrameDecoder rules: RSV bits', () => {
  it.each([
    ['rsv1', 4],
    ['rsv2', 2],
    ['rsv3', 1],
  ] as const)('%s set without an extension → 1002', (bit, _value) => {
    for (const role of ['server', 'client'] as const) {
      expectViolation(
        frameFor(role, { opcode: Opcode.Text, [bit]: true, payload: Buffer.from('x') }),
        bit === 'rsv1' ? 'WS_ERR_UNEXPECTED_RSV_1' : 'WS_ERR_UNEXPECTED_RSV_2_3',
        { role },
      );
    }
  });

  it.each([
    ['rsv1', 4],
    ['rsv2', 2],
    ['rsv3', 1],
  ] as const)('%s is allowed when allowedRsv includes its bit, and reported in the header', (bit, value) => {
    const frame = expectAccepted(frameFor('server', { opcode: Opcode.Text, [bit]: true, payload: Buffer.from('x') }), {
      role: 'server',
      allowedRsv: value,
    });
    expect([frame.rsv1, frame.rsv2, frame.rsv3]).toEqual([bit === 'rsv1', bit === 'rsv2', bit === 'rsv3']);
    expect(frame.payload.toString()).toBe('x');
  });

  it.each([
    ['rsv1', 3],
    ['rsv2', 5],
    ['rsv3', 6],
  ] as const)('%s is still 1002 when allowedRsv (%i) grants only the other bits', (bit, allowedRsv) => {
    expectViolation(
      frameFor('server', { opcode: Opcode.Binary, [bit]: true }),
      bit === 'rsv1' ? 'WS_ERR_UNEXPECTED_RSV_1' : 'WS_ERR_UNEXPECTED_RSV_2_3',
      { role: 'server', allowedRsv },
    );
  });

  it('RSV bits on control frames are checked the same way', () => {
    expectViolation(frameFor('server', { opcode: Opcode.Ping, rsv1: true }), 'WS_ERR_UNEXPECTED_RSV_1', {
      role: 'server',
    });
    expect(
      expectAccepted(frameFor('server', { opcode: Opcode.Ping, rsv1: true }), { role: 'server', allowedRsv: 4 }).rsv1,
    ).toBe(true);
  });
});

describe('FrameDecoder rules: opcodes', () => {
  it.each([3, 4, 5, 6, 7, 11, 12, 13, 14, 15])('reserved opcode %i → 1002', (opcode) => {
    expectViolation(frameFor('server', { opcode, payload: Buffer.from('data') }), 'WS_ERR_INVALID_OPCODE', {
      role: 'server',
    });
    expectViolation(frameFor('client', { opcode }), 'WS_ERR_INVALID_OPCODE', { role: 'client' });
  });

  it.each([0, 1, 2, 8, 9, 10])('known opcode %i is accepted', (opcode) => {
    const payload = opcode === Opcode.Close ? hex('03e8') : Buffer.from('ok');
    const frame = expectAccepted(frameFor('server', { opcode, payload }), { role: 'server' });
    expect(frame.opcode).toBe(opcode);
  });
});

describe('FrameDecoder rules: control frames', () => {
  it.each([Opcode.Close, Opcode.Ping, Opcode.Pong])('control opcode %i with FIN=0 → 1002', (opcode) => {
    expectViolation(frameFor('server', { opcode, fin: false }), 'WS_ERR_EXPECTED_FIN', { role: 'server' });
    expectViolation(frameFor('client', { opcode, fin: false, payload: Buffer.from('x') }), 'WS_ERR_EXPECTED_FIN', {
      role: 'client',
    });
  });

  it("data frames with FIN=0 are fine (fragmentation is the message layer's business)", () => {
    for (const opcode of [Opcode.Continuation, Opcode.Text, Opcode.Binary]) {
      expect(expectAccepted(frameFor('server', { opcode, fin: false }), { role: 'server' }).fin).toBe(false);
    }
  });

  it.each([Opcode.Close, Opcode.Ping, Opcode.Pong])('control opcode %i: 125-byte payload is accepted', (opcode) => {
    const payload = opcode === Opcode.Close ? Buffer.concat([hex('03e8'), patterned(123)]) : patterned(125);
    const frame = expectAccepted(frameFor('server', { opcode, payload }), { role: 'server' });
    expect(frame.payload.equals(payload)).toBe(true);
  });

  it.each([Opcode.Close, Opcode.Ping, Opcode.Pong])(
    'control opcode %i: 126-byte payload (16-bit form) → 1002',
    (opcode) => {
      expectViolation(
        frameFor('server', { opcode, payload: patterned(126) }),
        'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
        { role: 'server' },
      );
    },
  );

  it.each([Opcode.Close, Opcode.Ping, Opcode.Pong])('control opcode %i: 64-bit form → 1002', (opcode) => {
    expectViolation(
      frameFor('server', { opcode, declaredLength: 70000, payload: patterned(10) }),
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      { role: 'server' },
    );
    expectViolation(
      frameFor('client', { opcode, payload: patterned(127), lengthForm: 64 }),
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      { role: 'client' },
    );
  });

  it('a control frame is rejected from its second byte, before any extended length or payload arrives', () => {
    const decoder = new FrameDecoder({ role: 'server' }, new RecordingSink());
    expect(decoder.push(hex('89'))).toBeNull();
    expect(decoder.push(hex('fe'))!.code).toBe('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'); // ping, masked, 16-bit form
  });

  it('a control frame using an extended length form is rejected even when the length fits (documented choice)', () => {
    expectViolation(
      frameFor('server', { opcode: Opcode.Ping, payload: patterned(5), lengthForm: 16 }),
      'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH',
      { role: 'server' },
    );
  });
});

describe('FrameDecoder rules: masking by role', () => {
  it('server role: an unmasked frame → 1002', () => {
    expectViolation(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('hi') }), 'WS_ERR_EXPECTED_MASK', {
      role: 'server',
    });
    expectViolation(encodeFrame({ opcode: Opcode.Ping }), 'WS_ERR_EXPECTED_MASK', { role: 'server' });
  });

  it('client role: a masked frame → 1002', () => {
    expectViolation(
      encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('hi'), mask: MASK }),
      'WS_ERR_UNEXPECTED_MASK',
      { role: 'client' },
    );
    expectViolation(encodeFrame({ opcode: Opcode.Pong, mask: MASK }), 'WS_ERR_UNEXPECTED_MASK', { role: 'client' });
  });

  it('the MASK bit is what counts: a bit lie is judged by the bit', () => {
    // MASK bit set without a key: the server reads the next 4 bytes as the key and accepts the frame.
    const lie = encodeFrame({ opcode: Opcode.Binary, payload: hex('0000000001'), maskBit: true, declaredLength: 1 });
    const frame = expectAccepted(lie, { role: 'server' });
    expect(frame.mask!.toString('hex')).toBe('00000000');
    expect(frame.payload.toString('hex')).toBe('01');
    // A key without the bit: a server rejects it.
    expectViolation(
      encodeFrame({ opcode: Opcode.Binary, payload: hex('01'), mask: MASK, maskBit: false }),
      'WS_ERR_EXPECTED_MASK',
      { role: 'server' },
    );
  });

  it('server unmasks payloads; client frames are passed through unchanged', () => {
    expect(
      expectAccepted(frameFor('server', { opcode: Opcode.Text, payload: Buffer.from('Hello') }), {
        role: 'server',
      }).payload.toString(),
    ).toBe('Hello');
    expect(expectAccepted(hex('810548656c6c6f'), { role: 'client' }).payload.toString()).toBe('Hello');
  });
});

describe('FrameDecoder rules: 64-bit length', () => {
  it.each([2n ** 63n, 2n ** 64n - 1n, 2n ** 63n + 5n])('64-bit length %s (MSB set) → 1002', (declaredLength) => {
    expectViolation(frameFor('server', { opcode: Opcode.Binary, declaredLength }), 'WS_ERR_INVALID_PAYLOAD_LENGTH', {
      role: 'server',
    });
    expectViolation(frameFor('client', { opcode: Opcode.Binary, declaredLength }), 'WS_ERR_INVALID_PAYLOAD_LENGTH', {
      role: 'client',
    });
  });

  it('the MSB rule wins over the size limit (1002, not 1009)', () => {
    expectViolation(
      frameFor('server', { opcode: Opcode.Binary, declaredLength: 2n ** 63n }),
      'WS_ERR_INVALID_PAYLOAD_LENGTH',
      { role: 'server', maxPayloadLength: 1000 },
    );
  });

  it('a 2^62 declared length fails without allocating: 1009, ≤ 14 bytes buffered, the sink never called', () => {
    for (const options of [
      { role: 'server' },
      { role: 'client' },
      { role: 'server', maxPayloadLength: 1 << 20 },
    ] as FrameDecoderOptions[]) {
      const sink = new RecordingSink();
      const decoder = new FrameDecoder(options, sink);
      const frame = frameFor(options.role, {
        opcode: Opcode.Binary,
        declaredLength: 2 ** 62,
        payload: patterned(1000),
      });
      let error: ProtocolError | null = null;
      for (let i = 0; i < frame.length && !error; i++) {
        error = decoder.push(frame.subarray(i, i + 1));
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(14);
      }
      expect(error!.code).toBe('WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH');
      expect(decoder.bytesDecoded).toBe(10); // detected at the last length byte
      expect(sink.events).toEqual([]);
    }
  });

  it('2^53 → 1009 with the default limit; 2^53 − 1 is accepted as a header (payload streamed, never buffered)', () => {
    expectViolation(
      frameFor('server', { opcode: Opcode.Binary, declaredLength: 2n ** 53n }),
      'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH',
      { role: 'server' },
    );
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server' }, sink);
    expect(
      decoder.push(frameFor('server', { opcode: Opcode.Binary, declaredLength: 2 ** 53 - 1, payload: patterned(100) })),
    ).toBeNull();
    expect(sink.events[0]).toMatchObject({ kind: 'header', header: { payloadLength: 2 ** 53 - 1, headerLength: 14 } });
    expect(sink.events[1]).toMatchObject({ kind: 'payload' });
    expect((sink.events[1] as { data: Buffer }).data.equals(patterned(100))).toBe(true);
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.atFrameBoundary).toBe(false);
  });
});

describe('FrameDecoder rules: maxPayloadLength', () => {
  const MAX = 100;

  it.each([
    ['7-bit', 101],
    ['7-bit', 125],
    ['16-bit', 126],
    ['16-bit', 65535],
    ['64-bit', 65536],
    ['64-bit', 2 ** 40],
  ])('%s declared length %i over the limit → 1009 from the header alone (no payload sent)', (_form, declaredLength) => {
    for (const role of ['server', 'client'] as const) {
      const header = frameFor(role, { opcode: Opcode.Binary, declaredLength }); // no payload bytes at all
      const sink = new RecordingSink();
      const decoder = new FrameDecoder({ role, maxPayloadLength: MAX }, sink);
      const error = decoder.push(header);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error!.code).toBe('WS_ERR_FRAME_TOO_BIG');
      expect(sink.events).toEqual([]);
      expectViolation(header, 'WS_ERR_FRAME_TOO_BIG', { role, maxPayloadLength: MAX });
    }
  });

  it(
    'the limit is detected at the byte that completes the length field, ' + 'whatever follows (masked 7-bit included)',
    () => {
      const cases: [Role, number, number][] = [
        // role, declared length, index of the last length byte
        ['client', 101, 1],
        ['server', 101, 1],
        ['client', 1000, 3],
        ['server', 1000, 3],
        ['client', 70000, 9],
        ['server', 70000, 9],
      ];
      for (const [role, declaredLength, lastLengthByte] of cases) {
        const frame = frameFor(role, { opcode: Opcode.Binary, declaredLength });
        // Fed byte by byte.
        const decoder = new FrameDecoder({ role, maxPayloadLength: MAX }, new RecordingSink());
        let errorAt = -1;
        for (let i = 0; i < frame.length && errorAt < 0; i++) {
          if (decoder.push(frame.subarray(i, i + 1))) errorAt = i;
        }
        expect({ role, declaredLength, errorAt }).toEqual({ role, declaredLength, errorAt: lastLengthByte });
        // Fed exactly up to the end of the length field, in one push.
        const decoder2 = new FrameDecoder({ role, maxPayloadLength: MAX }, new RecordingSink());
        expect(decoder2.push(frame.subarray(0, lastLengthByte + 1))?.code, `${role} ${declaredLength}`).toBe(
          'WS_ERR_FRAME_TOO_BIG',
        );
      }
    },
  );

  it('exactly maxPayloadLength is accepted', () => {
    const frame = expectAccepted(frameFor('server', { opcode: Opcode.Binary, payload: patterned(MAX) }), {
      role: 'server',
      maxPayloadLength: MAX,
    });
    expect(frame.payload.equals(patterned(MAX))).toBe(true);
    expectAccepted(frameFor('client', { opcode: Opcode.Binary, payload: patterned(300), lengthForm: 64 }), {
      role: 'client',
      maxPayloadLength: 300,
    });
  });

  it('the limit applies to the declared length, so a lie about a small payload is still caught', () => {
    expectViolation(
      frameFor('server', { opcode: Opcode.Binary, payload: patterned(3), declaredLength: MAX + 1 }),
      'WS_ERR_FRAME_TOO_BIG',
      { role: 'server', maxPayloadLength: MAX },
    );
  });

  it('maxPayloadLength 0 allows only empty frames', () => {
    expectAccepted(frameFor('server', { opcode: Opcode.Ping }), { role: 'server', maxPayloadLength: 0 });
    const collector = new FrameCollector({ role: 'server', maxPayloadLength: 0 });
    const result = collector.push(
      Buffer.concat([
        frameFor('server', { opcode: Opcode.Pong }),
        frameFor('server', { opcode: Opcode.Ping, payload: hex('00') }),
      ]),
    );
    expect(result.frames.map((f) => f.opcode)).toEqual([Opcode.Pong]);
    expect(result.error?.code).toBe('WS_ERR_FRAME_TOO_BIG');
  });
});

describe('FrameDecoder: non-minimal length encodings (documented choice: accepted)', () => {
  it.each([
    [16, 100, 4],
    [16, 0, 4],
    [64, 100, 10],
    [64, 0, 10],
    [64, 65535, 10],
  ] as const)('%i-bit form carrying %i', (lengthForm, length, headerLength) => {
    for (const role of ['server', 'client'] as const) {
      const payload = patterned(length);
      const frame = expectAccepted(frameFor(role, { opcode: Opcode.Binary, payload, lengthForm }), { role });
      expect(frame.payloadLength).toBe(length);
      expect(frame.headerLength).toBe(headerLength + (role === 'server' ? 4 : 0));
      expect(frame.payload.equals(payload)).toBe(true);
    }
  });
});

describe('FrameDecoder: errors are sticky', () => {
  it('every later push returns the very same error, the sink is never called again and no byte is consumed', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server' }, sink);
    const error = decoder.push(hex('ff 80'))!;
    expect(error.code).toBe('WS_ERR_UNEXPECTED_RSV_1');
    const consumed = decoder.bytesDecoded;
    for (let i = 0; i < 5; i++) {
      expect(decoder.push(frameFor('server', { opcode: Opcode.Text, payload: Buffer.from('valid') }))).toBe(error);
      expect(decoder.push(Buffer.alloc(0))).toBe(error);
    }
    expect(decoder.error).toBe(error);
    expect(sink.events).toEqual([]);
    expect(decoder.bytesDecoded).toBe(consumed);
  });

  it(
    'bytes of the failing chunk after the violation are not unmasked ' + "(the caller's buffer beyond it is untouched)",
    () => {
      const bad = hex('83 80');
      const tail = frameFor('server', { opcode: Opcode.Binary, payload: Buffer.from('tail') });
      const chunk = Buffer.concat([bad, tail]);
      const copy = Buffer.from(chunk);
      new FrameDecoder({ role: 'server' }, new RecordingSink()).push(chunk);
      expect(chunk.equals(copy)).toBe(true);
    },
  );
});

describe('FrameDecoder: sink errors and fail()', () => {
  it.each(['header', 'payload', 'end'] as const)(
    'a ProtocolError returned from onFrame%s stops the stream there',
    (at) => {
      const events: string[] = [];
      const err = new ProtocolError('WS_ERR_TOO_MANY_PARTS', 'policy');
      const sink: FrameSink = {
        onFrameHeader: (h) => {
          events.push(`header ${h.opcode}`);
          return at === 'header' && h.opcode === Opcode.Text ? err : undefined;
        },
        onFramePayload: (d, h) => {
          events.push(`payload ${h.opcode} ${d.toString()}`);
          return at === 'payload' && h.opcode === Opcode.Text ? err : undefined;
        },
        onFrameEnd: (h) => {
          events.push(`end ${h.opcode}`);
          return at === 'end' && h.opcode === Opcode.Text ? err : undefined;
        },
      };
      const decoder = new FrameDecoder({ role: 'client' }, sink);
      const stream = Buffer.concat([
        frameFor('client', { opcode: Opcode.Binary, payload: Buffer.from('a') }),
        frameFor('client', { opcode: Opcode.Text, payload: Buffer.from('b') }),
        frameFor('client', { opcode: Opcode.Ping, payload: Buffer.from('c') }),
      ]);
      expect(decoder.push(stream)).toBe(err);
      expect(decoder.error).toBe(err);
      const upTo = { header: 4, payload: 5, end: 6 }[at];
      expect(events).toEqual(['header 2', 'payload 2 a', 'end 2', 'header 1', 'payload 1 b', 'end 1'].slice(0, upTo));
      expect(decoder.push(stream)).toBe(err);
      expect(events.length).toBe(upTo);
    },
  );

  it("fail() called by the sink's owner from inside a callback stops the rest of the chunk", () => {
    const events: string[] = [];
    const err = new ProtocolError('WS_ERR_INVALID_UTF8', 'bad text');
    let decoder!: FrameDecoder;
    decoder = new FrameDecoder(
      { role: 'client' },
      {
        onFrameHeader: (h) => void events.push(`header ${h.opcode}`),
        onFramePayload: () => {
          events.push('payload');
          decoder.fail(err);
        },
        onFrameEnd: () => void events.push('end'),
      },
    );
    const stream = Buffer.concat([
      frameFor('client', { opcode: Opcode.Text, payload: Buffer.from('x') }),
      frameFor('client', { opcode: Opcode.Binary, payload: Buffer.from('y') }),
    ]);
    expect(decoder.push(stream)).toBe(err);
    expect(events).toEqual(['header 1', 'payload']);
    // fail() keeps the first error.
    expect(decoder.fail(new ProtocolError('WS_ERR_INVALID_OPCODE', 'later'))).toBe(err);
    expect(decoder.error).toBe(err);
  });

  it('fail() from outside kills the decoder for later pushes', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'client' }, sink);
    const err = new ProtocolError('WS_ERR_INFLATE_FAILED', 'internal');
    expect(decoder.fail(err)).toBe(err);
    expect(decoder.push(frameFor('client', { opcode: Opcode.Text, payload: Buffer.from('x') }))).toBe(err);
    expect(sink.events).toEqual([]);
  });
});

describe('FrameDecoder: sink protocol and bookkeeping', () => {
  it('header → payload piece(s) → end, zero-length payloads produce no payload call', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server' }, sink);
    const stream = Buffer.concat([
      frameFor('server', { opcode: Opcode.Text, fin: false, payload: Buffer.from('Hel') }),
      frameFor('server', { opcode: Opcode.Ping }),
      frameFor('server', { opcode: Opcode.Continuation, payload: Buffer.from('lo') }),
    ]);
    expect(decoder.push(stream)).toBeNull();
    expect(sink.events.map((e) => (e.kind === 'payload' ? `payload ${e.data.toString()}` : `${e.kind}`))).toEqual([
      'header',
      'payload Hel',
      'end',
      'header',
      'end',
      'header',
      'payload lo',
      'end',
    ]);
    expect(decoder.framesDecoded).toBe(3);
    expect(decoder.bytesDecoded).toBe(stream.length);
    expect(decoder.atFrameBoundary).toBe(true);
  });

  it('header fields: FIN, RSV, opcode, mask copy, payloadLength, headerLength', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server', allowedRsv: 7 }, sink);
    decoder.push(
      encodeFrame({
        opcode: Opcode.Binary,
        fin: false,
        rsv1: true,
        rsv3: true,
        payload: patterned(300),
        mask: hex('01020304'),
      }),
    );
    const header = (sink.events[0] as { header: FrameHeader }).header;
    expect(header).toMatchObject({
      fin: false,
      rsv1: true,
      rsv2: false,
      rsv3: true,
      opcode: 2,
      masked: true,
      payloadLength: 300,
      headerLength: 8,
    });
    expect(header.mask!.toString('hex')).toBe('01020304');
    // The next frame's key must not overwrite the one already handed out.
    decoder.push(encodeFrame({ opcode: Opcode.Text, payload: patterned(3), mask: hex('aabbccdd') }));
    expect(header.mask!.toString('hex')).toBe('01020304');
    const second = (sink.events.find((e, i) => i > 0 && e.kind === 'header') as { header: FrameHeader }).header;
    expect(second).toMatchObject({ fin: true, rsv1: false, opcode: 1, headerLength: 6, payloadLength: 3 });
    expect(second.mask!.toString('hex')).toBe('aabbccdd');
    const unmasked = expectAccepted(hex('8a00'), { role: 'client' });
    expect(unmasked).toMatchObject({ masked: false, mask: null, headerLength: 2, payloadLength: 0 });
  });

  it('bufferedBytes holds at most a partial header; atFrameBoundary tracks frame edges', () => {
    const decoder = new FrameDecoder({ role: 'server' }, new RecordingSink());
    const frame = frameFor('server', { opcode: Opcode.Binary, payload: patterned(70000) });
    expect(decoder.atFrameBoundary).toBe(true);
    for (let i = 0; i < 13; i++) {
      decoder.push(frame.subarray(i, i + 1));
      expect(decoder.bufferedBytes).toBe(i + 1);
      expect(decoder.atFrameBoundary).toBe(false);
    }
    decoder.push(frame.subarray(13, 14));
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoder.atFrameBoundary).toBe(false);
    decoder.push(frame.subarray(14));
    expect(decoder.atFrameBoundary).toBe(true);
    expect(decoder.framesDecoded).toBe(1);
  });

  it('unmask: false hands out the payload as it was on the wire', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server', unmask: false }, sink);
    const frame = encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: MASK });
    decoder.push(frame);
    expect((sink.events[1] as { data: Buffer }).data.toString('hex')).toBe('7f9f4d5158');
  });

  it('payload is unmasked in place: the pieces are views of the pushed chunk', () => {
    let piece: Buffer | null = null;
    const decoder = new FrameDecoder(
      { role: 'server' },
      {
        onFrameHeader() {},
        onFramePayload: (d) => {
          piece = d;
        },
        onFrameEnd() {},
      },
    );
    const chunk = encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('Hello'), mask: MASK });
    decoder.push(chunk);
    expect(chunk.subarray(6).toString()).toBe('Hello');
    expect(piece!.buffer).toBe(chunk.buffer);
  });

  it('an empty push is a no-op', () => {
    const sink = new RecordingSink();
    const decoder = new FrameDecoder({ role: 'server' }, sink);
    expect(decoder.push(Buffer.alloc(0))).toBeNull();
    expect(decoder.bytesDecoded).toBe(0);
    expect(sink.events).toEqual([]);
  });

  it('FrameCollector.push returns only the frames completed by that chunk', () => {
    const collector = new FrameCollector({ role: 'client' });
    const a = frameFor('client', { opcode: Opcode.Text, payload: Buffer.from('a') });
    const b = frameFor('client', { opcode: Opcode.Text, payload: Buffer.from('bb') });
    expect(collector.push(Buffer.concat([a, b.subarray(0, 3)])).frames.map((f) => f.payload.toString())).toEqual(['a']);
    expect(collector.push(b.subarray(3)).frames.map((f) => f.payload.toString())).toEqual(['bb']);
    expect(collector.push(Buffer.alloc(0))).toEqual({ frames: [], error: null });
  });

  it('decodeFrames throws the ProtocolError of an invalid stream', () => {
    expect(() => decodeFrames(hex('8300'), { role: 'client' })).toThrow(ProtocolError);
    try {
      decodeFrames(hex('0900'), { role: 'client' });
      expect.unreachable();
    } catch (err) {
      expect((err as ProtocolError).code).toBe('WS_ERR_EXPECTED_FIN');
    }
  });
});

describe('FrameDecoder: chopping', () => {
  function mixedStream(role: Role): Buffer {
    const frames: FrameSpec[] = [
      { opcode: Opcode.Text, payload: Buffer.from('Hello, κόσμε') },
      { opcode: Opcode.Binary, payload: Buffer.alloc(0) },
      { opcode: Opcode.Text, fin: false, payload: patterned(125, 1) },
      { opcode: Opcode.Ping, payload: patterned(125, 2) },
      { opcode: Opcode.Continuation, fin: false, payload: patterned(126, 3) },
      { opcode: Opcode.Pong },
      { opcode: Opcode.Continuation, payload: patterned(65535, 4) },
      { opcode: Opcode.Binary, payload: patterned(65536, 5), mask: role === 'server' ? hex('00000000') : null },
      { opcode: Opcode.Binary, payload: patterned(100, 6), lengthForm: 16 },
      { opcode: Opcode.Binary, payload: patterned(7, 7), lengthForm: 64, rsv1: true },
      { opcode: Opcode.Close, payload: hex('03e8') },
    ];
    return Buffer.concat(frames.map((spec) => frameFor(role, spec)));
  }

  it.each(['server', 'client'] as const)(
    '%s role: whole, one byte at a time and random splits give identical frames',
    (role) => {
      const options: FrameDecoderOptions = { role, allowedRsv: 4 };
      const stream = mixedStream(role);
      const whole = decodeChunks(chop(stream, []), options);
      expect(whole.error).toBeNull();
      expect(whole.frames.length).toBe(11);
      expect(whole.frames[0]!.payload.toString()).toBe('Hello, κόσμε');
      expect(whole.frames[6]!.payload.equals(patterned(65535, 4))).toBe(true);
      const expected = summary(whole.frames);
      expect(summary(decodeChunks(bytewise(stream), options).frames)).toEqual(expected);
      const next = prng(role === 'server' ? 11 : 22);
      for (let trial = 0; trial < 40; trial++) {
        const cuts = randomCuts(next, stream.length, 1 + (next() % 60));
        const outcome = decodeChunks(chop(stream, cuts), options);
        expect(outcome.error).toBeNull();
        expect(summary(outcome.frames)).toEqual(expected);
      }
    },
  );

  it('payload pieces are unmasked correctly for every pair of split points (mask phase)', () => {
    const payload = patterned(37, 9);
    const frame = encodeFrame({ opcode: Opcode.Binary, payload, mask: hex('a1b2c3d4') });
    let checked = 0;
    for (let i = 0; i <= frame.length; i++) {
      for (let j = i; j <= frame.length; j++) {
        const sink = new RecordingSink();
        const decoder = new FrameDecoder({ role: 'server' }, sink);
        for (const chunk of chop(frame, [i, j])) expect(decoder.push(chunk)).toBeNull();
        // Each piece is exactly the payload bytes it covers, in order.
        let offset = 0;
        for (const e of sink.events) {
          if (e.kind !== 'payload') continue;
          expect(e.data.length).toBeGreaterThan(0);
          expect(e.data.equals(payload.subarray(offset, offset + e.data.length))).toBe(true);
          offset += e.data.length;
        }
        expect(offset).toBe(37);
        expect(sink.events.at(-1)!.kind).toBe('end');
        checked++;
      }
    }
    expect(checked).toBe(((frame.length + 1) * (frame.length + 2)) / 2);
  });

  it.each([
    ['server', 64 * 1024],
    ['server', 64 * 1024 + 1],
    ['server', 65533],
    ['client', 64 * 1024],
  ] as const)('a 5 MiB frame (%s role) fed in one push and in %i-byte pieces', (role, pieceSize) => {
    const payload = patterned(5 * 1024 * 1024, 13);
    const frame = frameFor(role, { opcode: Opcode.Binary, payload });
    const cuts: number[] = [];
    for (let c = pieceSize; c < frame.length; c += pieceSize) cuts.push(c);
    for (const chunks of [chop(frame, []), chop(frame, cuts)]) {
      let total = 0;
      let pieces = 0;
      let mismatch = -1;
      const decoder = new FrameDecoder(
        { role },
        {
          onFrameHeader: (h) => void expect(h.payloadLength).toBe(payload.length),
          onFramePayload: (d) => {
            if (mismatch < 0 && !d.equals(payload.subarray(total, total + d.length))) mismatch = total;
            total += d.length;
            pieces++;
          },
          onFrameEnd: () => void pieces++,
        },
      );
      for (const chunk of chunks) expect(decoder.push(chunk)).toBeNull();
      expect(mismatch).toBe(-1);
      expect(total).toBe(payload.length);
      // one payload piece per chunk (the first holds the header too), plus the end
      expect(pieces).toBe(chunks.length + 1);
      expect(decoder.bufferedBytes).toBe(0);
    }
    // And through the collector, whole frame equality.
    const out = decodeChunks(chop(frame, cuts), { role });
    expect(out.frames.length).toBe(1);
    expect(out.frames[0]!.payload.equals(payload)).toBe(true);
  });

  it('an error is reported by the chunk holding the offending byte, whatever the chopping', () => {
    // The mixed stream with its final Close replaced by a reserved opcode.
    const good = mixedStream('server');
    const boundary = good.length - frameFor('server', { opcode: Opcode.Close, payload: hex('03e8') }).length;
    const bad = Buffer.concat([good.subarray(0, boundary), frameFor('server', { opcode: 0x7 })]);
    const badByte = boundary + 1; // the opcode is judged once the second header byte arrives
    const whole = decodeChunks(chop(bad, []), { role: 'server', allowedRsv: 4 });
    expect(whole.error!.code).toBe('WS_ERR_INVALID_OPCODE');
    expect(whole.frames.length).toBe(10);
    const next = prng(5);
    for (let trial = 0; trial < 30; trial++) {
      const cuts = randomCuts(next, bad.length, 1 + (next() % 40));
      const outcome = decodeChunks(chop(bad, cuts), { role: 'server', allowedRsv: 4 });
      expect(outcome.error!.code).toBe('WS_ERR_INVALID_OPCODE');
      expect(summary(outcome.frames)).toEqual(summary(whole.frames));
      const bounds = [0, ...cuts, bad.length];
      expect(bounds[outcome.errorChunk]!).toBeLessThanOrEqual(badByte);
      expect(bounds[outcome.errorChunk + 1]!).toBeGreaterThan(badByte);
      expect(outcome.bytesDecoded).toBe(badByte + 1);
    }
  });
});
