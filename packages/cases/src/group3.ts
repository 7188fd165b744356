/** 3 Reserved Bits (case3_*.py): frames with RSV bits set while no extension was negotiated. */
import { Opcode } from '@wsmatrix/protocol';
import { frame, hex, killAfter, serverFails, textEvent } from './build.js';
import type { CaseDef } from './types.js';

const HELLO = 'Hello, world!';
const FAIL_NOW = 'The server fails the connection at once with 1002, because no extension gives RSV bits a meaning.';

/** 3.2-3.4: a good text message, the same message with RSV set, then an empty Ping. */
function echoThenRsv(id: string, rsv: number, how: 'burst' | 'sync' | 'chop'): CaseDef {
  const opts = how === 'sync' ? { sync: true } : how === 'chop' ? { chop: 1 } : {};
  const howText =
    how === 'burst'
      ? 'All three frames go out in one burst.'
      : how === 'sync'
        ? 'Each frame is written to the socket on its own.'
        : 'Every octet is written to the socket on its own.';
  return {
    id,
    description: `A text message "${HELLO}", then the same message with RSV = ${rsv}, then an empty Ping. ${howText}`,
    expectation:
      'The first message is echoed, then the server fails the connection with 1002 when it sees the RSV bits; ' +
      'no Pong comes back. Also accepted (NON-STRICT): the failure comes before the echo was sent.',
    steps: [
      frame(Opcode.Text, HELLO, opts),
      frame(Opcode.Text, HELLO, { rsv, ...opts }),
      frame(Opcode.Ping, undefined, opts),
      killAfter(1000),
    ],
    expected: { OK: [textEvent(HELLO)], 'NON-STRICT': [] },
    expectedClose: serverFails(),
  };
}

export const group3: CaseDef[] = [
  {
    id: '3.1',
    description: `A text message "${HELLO}" with RSV = 1.`,
    expectation: `Nothing is echoed. ${FAIL_NOW}`,
    steps: [frame(Opcode.Text, HELLO, { rsv: 1 }), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
  echoThenRsv('3.2', 2, 'burst'),
  echoThenRsv('3.3', 3, 'sync'),
  echoThenRsv('3.4', 4, 'chop'),
  {
    id: '3.5',
    description: 'A binary message of 8 octets (00 ff fe fd fc fb 00 ff) with RSV = 5.',
    expectation: `Nothing is echoed. ${FAIL_NOW}`,
    steps: [frame(Opcode.Binary, hex('00fffefdfcfb00ff'), { rsv: 5 }), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
  {
    // Autobahn's title says "Ping", but the frame it sends is a binary (opcode 2) frame.
    id: '3.6',
    description:
      `A frame with RSV = 6 carrying "${HELLO}". ` +
      'Autobahn calls it a Ping, ' +
      'but the opcode sent is 2 (binary).',
    expectation: `Nothing is echoed. ${FAIL_NOW}`,
    steps: [frame(Opcode.Binary, HELLO, { rsv: 6 }), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
  {
    id: '3.7',
    description:
      'A Close frame with no payload and RSV = 7, written as raw bytes (the runner does not consider itself closing).',
    expectation: FAIL_NOW,
    steps: [frame(Opcode.Close, undefined, { rsv: 7 }), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
];
