/** 4 Opcodes (case4_1_*.py, case4_2_*.py): frames with reserved opcodes 3-7 and 11-15. */
import { Opcode } from '@wsmatrix/protocol';
import { frame, killAfter, serverFails, textEvent } from './build.js';
import type { CaseDef } from './types.js';

const HELLO = 'Hello, world!';
const RESERVED_PAYLOAD = 'reserved opcode payload';

function kindOf(opcode: number): string {
  return opcode < 8 ? 'non-control' : 'control';
}

/** 4.x.1 / 4.x.2: a lone frame with a reserved opcode. */
function lone(id: string, opcode: number, withPayload: boolean): CaseDef {
  return {
    id,
    description:
      `A single frame with the reserved ${kindOf(opcode)} opcode ${opcode}` +
      (withPayload ? `, carrying "${RESERVED_PAYLOAD}".` : ' and no payload.'),
    expectation: 'The server fails the connection at once with 1002 (unknown opcode).',
    steps: [frame(opcode, withPayload ? RESERVED_PAYLOAD : undefined), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  };
}

/** 4.x.3-4.x.5: a good text message, a reserved-opcode frame, then an empty Ping. */
function afterEcho(id: string, opcode: number, withPayload: boolean, chopped: boolean): CaseDef {
  const opts = chopped ? { chop: 1 } : {};
  return {
    id,
    description:
      `A text message "${HELLO}", then a frame with the reserved ${kindOf(opcode)} opcode ${opcode}` +
      (withPayload ? ` carrying "${HELLO}"` : ' and no payload') +
      ', then an empty Ping.' +
      (chopped ? ' Every octet is written to the socket on its own.' : ' All three go out in one burst.'),
    expectation:
      'The text message is echoed, then the server fails the connection with 1002 on the reserved opcode; ' +
      'no Pong comes back. Also accepted (NON-STRICT): the failure comes before the echo was sent.',
    steps: [
      frame(Opcode.Text, HELLO, opts),
      frame(opcode, withPayload ? HELLO : undefined, opts),
      frame(Opcode.Ping, undefined, opts),
      killAfter(1000),
    ],
    expected: { OK: [textEvent(HELLO)], 'NON-STRICT': [] },
    expectedClose: serverFails(),
  };
}

export const group4: CaseDef[] = [
  lone('4.1.1', 3, false),
  lone('4.1.2', 4, true),
  afterEcho('4.1.3', 5, false, false),
  afterEcho('4.1.4', 6, true, false),
  afterEcho('4.1.5', 7, true, true),
  lone('4.2.1', 11, false),
  lone('4.2.2', 12, true),
  afterEcho('4.2.3', 13, false, false),
  afterEcho('4.2.4', 14, true, false),
  afterEcho('4.2.5', 15, true, true),
];
