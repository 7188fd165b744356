/** 7 Close Handling (case7_*.py). */
import { Opcode } from '@wsmatrix/protocol';
import {
  CLOSE_INVALID_PAYLOAD,
  CLOSE_NORMAL,
  CLOSE_PROTOCOL_ERROR,
  close,
  frame,
  hex,
  killAfter,
  normalCloseByMe,
  rep,
  textEvent,
} from './build.js';
import type { CaseDef, ExpectedClose } from './types.js';

const HELLO = 'Hello World!';
/** Greek "kosme" + an encoded UTF-16 surrogate + "edited": not valid UTF-8. */
const INVALID_UTF8 = 'cebae1bdb9cf83cebcceb5eda080656469746564';

/** Runner closes; the server may answer with 1002 (or no code); the close need not be clean. */
const protocolErrorOrDrop = (extra: number[] = []): ExpectedClose => ({
  closedByMe: true,
  closeCode: [CLOSE_PROTOCOL_ERROR, ...extra],
  requireClean: false,
});

/** Valid close codes sent by 7.7.1-7.7.13, in order. */
export const VALID_CLOSE_CODES = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
] as const;
/** Invalid close codes sent by 7.9.1-7.9.9, in order. */
export const INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999] as const;

const basic: CaseDef[] = [
  {
    id: '7.1.1',
    description: `A text message "${HELLO}"; the runner closes once the echo is back.`,
    expectation:
      'The message is echoed, then the runner closes with 1000 and the server completes a clean close with 1000.',
    steps: [frame(Opcode.Text, HELLO), killAfter(1000)],
    expected: { OK: [textEvent(HELLO)] },
    expectedClose: normalCloseByMe(),
    wrongCodeFails: true,
  },
  {
    id: '7.1.2',
    description: 'A Close with 1000, immediately followed by a second, empty Close frame.',
    expectation: 'The server answers the first Close with 1000 and ignores the second; the close is clean.',
    steps: [close(CLOSE_NORMAL), frame(Opcode.Close), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.1.3',
    description: 'A Close with 1000, immediately followed by an empty Ping.',
    expectation: 'The server answers the Close with 1000 and does not answer the Ping (no Pong); the close is clean.',
    steps: [close(CLOSE_NORMAL), frame(Opcode.Ping), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.1.4',
    description: `A Close with 1000, immediately followed by a text message "${HELLO}".`,
    expectation: 'The server answers the Close with 1000 and ignores the text message (no echo); the close is clean.',
    steps: [close(CLOSE_NORMAL), frame(Opcode.Text, HELLO), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.1.5',
    description:
      'The first frame of a text message ("fragment1", FIN clear), then a Close with 1000, then the final ' +
      'continuation frame ("fragment2").',
    expectation:
      'No echo. The server answers the Close with 1000 and ignores what follows; the close is clean. Answering ' +
      'with another code fails the case.',
    steps: [
      frame(Opcode.Text, 'fragment1', { fin: false }),
      close(CLOSE_NORMAL),
      frame(Opcode.Continuation, 'fragment2', { fin: true }),
      killAfter(1000),
    ],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.1.6',
    description:
      `A 256 KiB text message (the pattern "BAsd7&jh23" repeated), then a text message "${HELLO}", then a Close ` +
      'with 1000, then an empty Ping, all back to back.',
    expectation:
      'Informational only: how much of the messages comes back depends on whether the server finishes writing ' +
      'its echoes before it handles the Close. Recorded as OK when just the short echo is seen, NON-STRICT when ' +
      'nothing is, then both verdicts are reported as INFORMATIONAL.',
    steps: [
      frame(Opcode.Text, rep('BAsd7&jh23', 256 * 1024)),
      frame(Opcode.Text, HELLO),
      close(CLOSE_NORMAL),
      frame(Opcode.Ping),
      killAfter(1000),
    ],
    expected: { OK: [textEvent(HELLO)], 'NON-STRICT': [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    informational: true,
  },
];

const payloadLength: CaseDef[] = [
  {
    id: '7.3.1',
    description: 'A Close frame with an empty payload (no code, no reason).',
    expectation: 'The server answers with a Close (1000 or no code) and the close is clean.',
    steps: [close(), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.3.2',
    description: 'A Close frame whose payload is the single octet "a", too short to hold a close code.',
    expectation: 'The server fails the connection with 1002, or simply drops TCP; a clean close is not required.',
    steps: [close(undefined, 'a'), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: protocolErrorOrDrop(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.3.3',
    description: 'A Close frame with a 2-octet payload: the code 1000 and no reason.',
    expectation: 'The server answers with 1000 and the close is clean.',
    steps: [close(CLOSE_NORMAL), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.3.4',
    description: `A Close frame with code 1000 and the reason "${HELLO}".`,
    expectation: 'The server answers with 1000 and the close is clean.',
    steps: [close(CLOSE_NORMAL, HELLO), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.3.5',
    description:
      'A Close frame with code 1000 and a 123-octet reason, filling the 125-octet control frame limit exactly.',
    expectation: 'The server answers with 1000 and the close is clean.',
    steps: [close(CLOSE_NORMAL, rep('*', 123)), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
    suppressClose: true,
    wrongCodeFails: true,
  },
  {
    id: '7.3.6',
    description:
      'A Close frame with code 1000 and a 124-octet reason: ' +
      '126 octets of payload, one more than a control frame may carry.',
    expectation: 'The server fails the connection with 1002, or drops TCP; a clean close is not required.',
    steps: [close(CLOSE_NORMAL, rep('*', 124)), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: protocolErrorOrDrop(),
    suppressClose: true,
    wrongCodeFails: true,
  },
];

const payloadValue: CaseDef[] = [
  {
    id: '7.5.1',
    description: `A Close frame with code 1000 and a reason that is not valid UTF-8 (hex ${INVALID_UTF8}).`,
    expectation: 'The server fails the connection with 1002 or 1007, or drops TCP; a clean close is not required.',
    steps: [close(CLOSE_NORMAL, hex(INVALID_UTF8)), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: protocolErrorOrDrop([CLOSE_INVALID_PAYLOAD]),
    suppressClose: true,
    wrongCodeFails: true,
  },
];

const validCodes: CaseDef[] = VALID_CLOSE_CODES.map((code, i) => ({
  id: `7.7.${i + 1}`,
  description: `A Close frame carrying the valid close code ${code} and no reason.`,
  expectation: `The server answers with 1000 or with ${code} echoed back, and the close is clean.`,
  steps: [close(code), killAfter(1000)],
  expected: { OK: [] },
  expectedClose: { closedByMe: true, closeCode: [CLOSE_NORMAL, code], requireClean: true },
  wrongCodeFails: true,
}));

const invalidCodes: CaseDef[] = INVALID_CLOSE_CODES.map((code, i) => ({
  id: `7.9.${i + 1}`,
  description: `A Close frame carrying the close code ${code}, which may not be sent on the wire, and no reason.`,
  expectation: 'The server fails the connection with 1002, or drops TCP; a clean close is not required.',
  steps: [close(code), killAfter(1000)],
  expected: { OK: [] },
  expectedClose: protocolErrorOrDrop(),
  wrongCodeFails: true,
}));

function informationalCode(id: string, code: number): CaseDef {
  return {
    id,
    description: `A Close frame carrying the code ${code}, outside every range RFC 6455 defines.`,
    expectation:
      'Informational only: the protocol does not say what must happen. Whatever the server does, ' +
      'both verdicts are INFORMATIONAL.',
    steps: [close(code), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: { closedByMe: true, closeCode: [CLOSE_NORMAL, code, CLOSE_PROTOCOL_ERROR], requireClean: false },
    suppressClose: true,
    informational: true,
  };
}

export const group7: CaseDef[] = [
  ...basic,
  ...payloadLength,
  ...payloadValue,
  ...validCodes,
  ...invalidCodes,
  informationalCode('7.13.1', 5000),
  informationalCode('7.13.2', 65535),
];
