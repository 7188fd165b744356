import { describe, expect, it } from 'vitest';
import { PROTOCOL_ERROR_CLOSE_CODES, ProtocolError, type ProtocolErrorCode } from '../src/index.js';

describe('ProtocolError codes', () => {
  it('every code fails the connection with a close code an endpoint may send for a peer fault (§7.4.1)', () => {
    for (const [code, closeCode] of Object.entries(PROTOCOL_ERROR_CLOSE_CODES)) {
      expect({
        code,
        ok: /^WS_ERR_[A-Z0-9_]+$/.test(code) && [1002, 1007, 1008, 1009, 1011].includes(closeCode),
      }).toEqual({ code, ok: true });
    }
  });

  it('the close code comes from the code, and the message is kept as given', () => {
    const codes: ProtocolErrorCode[] = [
      'WS_ERR_INVALID_OPCODE',
      'WS_ERR_INVALID_UTF8',
      'WS_ERR_TOO_MANY_PARTS',
      'WS_ERR_MESSAGE_TOO_BIG',
    ];
    expect(
      codes.map((code) => new ProtocolError(code, 'detail')).map((e) => [e.code, e.closeCode, e.message, e.name]),
    ).toEqual([
      ['WS_ERR_INVALID_OPCODE', 1002, 'detail', 'ProtocolError'],
      ['WS_ERR_INVALID_UTF8', 1007, 'detail', 'ProtocolError'],
      ['WS_ERR_TOO_MANY_PARTS', 1008, 'detail', 'ProtocolError'],
      ['WS_ERR_MESSAGE_TOO_BIG', 1009, 'detail', 'ProtocolError'],
    ]);
  });
});
