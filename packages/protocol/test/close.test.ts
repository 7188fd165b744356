import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodeIsValid, encodeClosePayload, parseClosePayload } from '../src/close.js';
import { ProtocolError, type ProtocolErrorCode } from '../src/errors.js';
import { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, hex, propertyParams } from '../testing/index.js';

/** The rule, written independently: 1000–1003, 1007–1014, 3000–4999. */
function ruleSaysValid(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

function expectError(result: unknown, code: ProtocolErrorCode, closeCode: number): void {
  expect(result).toBeInstanceOf(ProtocolError);
  expect((result as ProtocolError).code).toBe(code);
  expect((result as ProtocolError).closeCode).toBe(closeCode);
}

describe('closeCodeIsValid', () => {
  it('agrees with the rule for every code 0..65535', () => {
    const disagreements: number[] = [];
    let valid = 0;
    for (let code = 0; code <= 0xffff; code++) {
      if (closeCodeIsValid(code) !== ruleSaysValid(code)) disagreements.push(code);
      if (closeCodeIsValid(code)) valid++;
    }
    expect(disagreements).toEqual([]);
    expect(valid).toBe(4 + 8 + 2000);
  });

  it.each([999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535])('rejects %i', (code) => {
    expect(closeCodeIsValid(code)).toBe(false);
  });

  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])(
    'accepts %i',
    (code) => {
      expect(closeCodeIsValid(code)).toBe(true);
    },
  );

  it('the named codes that never go on the wire are invalid', () => {
    expect(closeCodeIsValid(CloseCode.NoStatusReceived)).toBe(false);
    expect(closeCodeIsValid(CloseCode.Abnormal)).toBe(false);
    expect(closeCodeIsValid(CloseCode.TlsHandshake)).toBe(false);
    expect(closeCodeIsValid(CloseCode.MandatoryExtension)).toBe(true);
  });
});

describe('parseClosePayload', () => {
  it('empty payload → code null, empty reason', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: null, reason: '' });
  });

  it('1-byte payload → 1002', () => {
    expectError(parseClosePayload(hex('03')), 'WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH', 1002);
  });

  it('code only', () => {
    expect(parseClosePayload(hex('03e8'))).toEqual({ code: 1000, reason: '' });
    expect(parseClosePayload(hex('0bb8'))).toEqual({ code: 3000, reason: '' });
    expect(parseClosePayload(hex('1387'))).toEqual({ code: 4999, reason: '' });
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 0xffff])('invalid code %i → 1002', (code) => {
    expectError(parseClosePayload(encodeClosePayload(code, 'reason')), 'WS_ERR_INVALID_CLOSE_CODE', 1002);
  });

  it('invalid UTF-8 reason → 1007', () => {
    expectError(parseClosePayload(Buffer.concat([hex('03e8'), hex('ceba f4 90 80 80')])), 'WS_ERR_INVALID_UTF8', 1007);
    expectError(parseClosePayload(Buffer.concat([hex('03e8'), hex('ed a0 80')])), 'WS_ERR_INVALID_UTF8', 1007);
    // truncated at the end
    expectError(parseClosePayload(Buffer.concat([hex('03e8'), hex('e2 82')])), 'WS_ERR_INVALID_UTF8', 1007);
  });

  it('an invalid code is reported before an invalid reason (1002, not 1007)', () => {
    expectError(parseClosePayload(Buffer.concat([hex('03ed'), hex('ff')])), 'WS_ERR_INVALID_CLOSE_CODE', 1002);
  });

  it('decodes a multi-byte reason, and a 123-byte reason (the most a control frame allows)', () => {
    expect(parseClosePayload(Buffer.concat([hex('0fa0'), Buffer.from('κόσμε 🚀', 'utf8')]))).toEqual({
      code: 4000,
      reason: 'κόσμε 🚀',
    });
    const long = 'r'.repeat(123);
    expect(parseClosePayload(encodeClosePayload(1000, long))).toEqual({ code: 1000, reason: long });
  });

  it('reads a payload that is a view into a larger buffer at its own offset', () => {
    const backing = Buffer.from('XXXXX\x03\xe8okYYYY', 'latin1');
    const view = backing.subarray(5, 9);
    expect(parseClosePayload(view)).toEqual({ code: 1000, reason: 'ok' });
  });
});

describe('encodeClosePayload', () => {
  it('writes the code big-endian then the reason bytes', () => {
    expect(encodeClosePayload(1000, 'bye').toString('hex')).toBe('03e8627965');
    expect(encodeClosePayload(4999).toString('hex')).toBe('1387');
    expect(encodeClosePayload(1001, Uint8Array.of(0xff, 0x00)).toString('hex')).toBe('03e9ff00');
  });

  it('no code → empty, or the bare reason (an invalid close, on purpose)', () => {
    expect(encodeClosePayload().length).toBe(0);
    expect(encodeClosePayload(null).length).toBe(0);
    expect(encodeClosePayload(null, 'x').toString('hex')).toBe('78');
  });

  it('does not validate: invalid codes are written as given (truncated to 16 bits)', () => {
    expect(encodeClosePayload(1005).toString('hex')).toBe('03ed');
    expect(encodeClosePayload(0x10000 + 1000).toString('hex')).toBe('03e8');
  });

  it(`round-trips any valid code and any reason through parseClosePayload (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    const validCode = fc.oneof(
      fc.integer({ min: 1000, max: 1003 }),
      fc.integer({ min: 1007, max: 1014 }),
      fc.integer({ min: 3000, max: 4999 }),
    );
    fc.assert(
      fc.property(validCode, fc.string({ unit: 'binary', maxLength: 40 }), (code, reason) => {
        const payload = encodeClosePayload(code, reason);
        expect(payload.length).toBe(2 + Buffer.byteLength(reason, 'utf8'));
        expect(parseClosePayload(payload)).toEqual({ code, reason });
      }),
      propertyParams(200),
    );
  });

  it(`every invalid code fails to round-trip with 1002 (seed ${PROPERTY_SEED})`, {
    timeout: PROPERTY_TIMEOUT_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }).filter((c) => !ruleSaysValid(c)),
        (code) => {
          expectError(parseClosePayload(encodeClosePayload(code, 'x')), 'WS_ERR_INVALID_CLOSE_CODE', 1002);
        },
      ),
      propertyParams(300),
    );
  });
});
