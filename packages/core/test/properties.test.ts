/**
 * Robustness properties P1, P2, P4, P5 (P3, the round trip, lives in packages/protocol)
 * over the codec our core runs, with fast-check. Each run uses one seed, printed in the test name and in
 * fast-check's failure report; replay a failure with WSMATRIX_SEED=<seed> (without it, a random seed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HttpHeadError,
  HttpHeadParser,
  MessageReader,
  type ProtocolError,
  encodeFrame,
  validateUpgradeRequest,
  type HttpRequestHead,
} from '@wsmatrix/protocol';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, chop, propertyParams } from '@wsmatrix/protocol/testing';

const RUNS = 300;
const params = propertyParams(RUNS);
const MAX = 4096;

/**
 * Everything a reader reports, in order, as comparable strings; and its first error's close code and code. The
 * decoder unmasks in place (it owns its input), so every decode works on its own copy.
 */
function decode(input: Buffer[], max = MAX) {
  const chunks = input.map((c) => Buffer.from(c));
  const events: string[] = [];
  const r = new MessageReader(
    { role: 'server', maxMessageSize: max },
    {
      onMessage: (d, binary) => events.push(`${binary ? 'B' : 'T'}:${d.toString('hex')}`),
      onPing: (d) => events.push(`ping:${d.toString('hex')}`),
      onPong: (d) => events.push(`pong:${d.toString('hex')}`),
      onClose: (code, reason) => events.push(`close:${code}:${reason}`),
    },
  );
  let error: ProtocolError | null = null;
  let peakRetained = 0;
  for (const c of chunks) {
    error = r.push(c) ?? error;
    peakRetained = Math.max(peakRetained, r.retainedMessageBytes);
    if (error) break;
  }
  return {
    events,
    code: error?.closeCode ?? null,
    errorCode: error?.code ?? null,
    largest: r.largestAllocation,
    peakRetained,
  };
}

/** Frames a client might send: mostly valid, with invalid opcodes, RSV bits, missing masks, bad UTF-8. */
const frameArb = fc.record({
  opcode: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) },
  ),
  fin: fc.boolean(),
  rsv1: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  masked: fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  payload: fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ maxLength: 100 }).map((s) => new TextEncoder().encode(s)),
  ),
});
const streamArb = fc
  .array(frameArb, { minLength: 1, maxLength: 12 })
  .map((frames) =>
    Buffer.concat(
      frames.map((f) =>
        encodeFrame({ opcode: f.opcode, fin: f.fin, rsv1: f.rsv1, mask: f.masked, payload: f.payload }),
      ),
    ),
  );
const CODES = [1002, 1007, 1008, 1009];

describe(`codec properties (seed ${PROPERTY_SEED})`, { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('P1 chunking invariance: whole, 1-byte and random chunkings give the same events and the same error', () => {
    fc.assert(
      fc.property(streamArb, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
        const whole = decode([bytes]);
        const bytewise = decode(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
        const random = decode(chop(bytes, cuts));
        expect(bytewise.events).toEqual(whole.events);
        expect(bytewise.code).toBe(whole.code);
        expect(bytewise.errorCode).toBe(whole.errorCode);
        expect(random.events).toEqual(whole.events);
        expect(random.code).toBe(whole.code);
        expect(random.errorCode).toBe(whole.errorCode);
      }),
      params,
    );
  });

  it('P2 total function: any bytes end in events, "need more", or one typed error with a close code', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
          streamArb,
        ),
        (bytes) => {
          const { code } = decode([bytes]);
          if (code !== null) expect(CODES).toContain(code);
        },
      ),
      params,
    );
  });

  it('P4 bounds: the largest allocation and the retained bytes never exceed the message limit', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
          streamArb,
        ),
        fc.array(fc.nat(), { maxLength: 50 }),
        (bytes, cuts) => {
          const r = decode(chop(bytes, cuts), 512);
          expect(r.largest).toBeLessThanOrEqual(512);
          expect(r.peakRetained).toBeLessThanOrEqual(512);
        },
      ),
      params,
    );
  });
});

const VALID_HEAD =
  'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n\r\n';

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(head: Buffer, m: Mutation): Buffer {
  const at = m.at % (head.length + 1);
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(head);
      if (at < copy.length) copy[at] = m.value;
      return copy;
    }
    case 'insert':
      return Buffer.concat([head.subarray(0, at), Buffer.from(m.text, 'latin1'), head.subarray(at)]);
    case 'delete':
      return Buffer.concat([head.subarray(0, at), head.subarray(at + m.count)]);
    case 'truncate':
      return head.subarray(0, at);
  }
}

describe(`handshake parser property (seed ${PROPERTY_SEED})`, { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('P5 mutated heads: a parsed request, "need more", or one of the documented statuses', () => {
    fc.assert(
      fc.property(
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (mutations, cuts) => {
          const bytes = mutations.reduce(mutate, Buffer.from(VALID_HEAD, 'latin1'));
          const parser = new HttpHeadParser('request');
          let head: HttpRequestHead | null = null;
          try {
            for (const c of chop(bytes, cuts)) {
              if (parser.complete) break;
              head = (parser.push(c) as HttpRequestHead | null) ?? head;
            }
          } catch (err) {
            expect(err).toBeInstanceOf(HttpHeadError);
            expect([400, 414, 431, 505]).toContain((err as HttpHeadError).status);
            return;
          }
          if (head === null) return; // needs more bytes
          const check = validateUpgradeRequest(head);
          if (!check.ok) expect([400, 405, 426, 505]).toContain(check.status);
        },
      ),
      params,
    );
  });
});
