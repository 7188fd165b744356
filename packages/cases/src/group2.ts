/** 2 Pings/Pongs (case2_*.py). */
import { Opcode } from '@wsmatrix/protocol';
import {
  CLOSE_NORMAL,
  close,
  closeAfter,
  frame,
  hex,
  killAfter,
  normalCloseByMe,
  pongEvent,
  repHex,
  serverFails,
} from './build.js';
import type { CaseDef, ExpectedEvent, Step } from './types.js';

const BINARY8 = hex('00fffefdfcfb00ff');
const UNSOLICITED = 'unsolicited pong payload';

function tenPings(id: string, chop: number | undefined): CaseDef {
  const steps: Step[] = [];
  const pongs: ExpectedEvent[] = [];
  for (let i = 0; i < 10; i++) {
    const payload = `payload-${i}`;
    steps.push(frame(Opcode.Ping, payload, chop ? { chop } : {}));
    pongs.push(pongEvent(payload));
  }
  steps.push(closeAfter(3000));
  return {
    id,
    description:
      'Ten Pings in a row, carrying "payload-0" to "payload-9"' +
      (chop ? ', every octet written to the socket on its own.' : '.'),
    expectation:
      'A Pong for each Ping, in order, each echoing its Ping payload (RFC 6455 would allow answering only ' +
      'the latest Ping, but the suite checks for all ten). Then a clean close with 1000.',
    steps,
    expected: { OK: pongs },
    expectedClose: normalCloseByMe(),
  };
}

export const group2: CaseDef[] = [
  {
    id: '2.1',
    description: 'A Ping with no payload.',
    expectation: 'The server answers with an empty Pong; then a clean close with 1000.',
    steps: [frame(Opcode.Ping), closeAfter(1000)],
    expected: { OK: [pongEvent('')] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.2',
    description: 'A Ping carrying the short text "Hello, world!".',
    expectation: 'A Pong carrying the same 13 octets; then a clean close with 1000.',
    steps: [frame(Opcode.Ping, 'Hello, world!'), closeAfter(1000)],
    expected: { OK: [pongEvent('Hello, world!')] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.3',
    description: 'A Ping carrying 8 arbitrary octets that are not UTF-8 (00 ff fe fd fc fb 00 ff).',
    expectation: 'A Pong carrying exactly those octets; then a clean close with 1000.',
    steps: [frame(Opcode.Ping, BINARY8), closeAfter(1000)],
    expected: { OK: [pongEvent(BINARY8)] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.4',
    description: 'A Ping with a 125-octet binary payload (0xfe repeated), the most a control frame may carry.',
    expectation: 'A Pong carrying the same 125 octets; then a clean close with 1000.',
    steps: [frame(Opcode.Ping, repHex('fe', 125)), closeAfter(1000)],
    expected: { OK: [pongEvent(repHex('fe', 125))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.5',
    description: 'A Ping with a 126-octet payload, one more than a control frame is allowed.',
    expectation: 'No Pong. The server fails the connection at once with 1002 (protocol error).',
    steps: [frame(Opcode.Ping, repHex('fe', 126)), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
  {
    id: '2.6',
    description: 'A Ping with a 125-octet binary payload, written to the socket one octet at a time.',
    expectation:
      'The server reassembles the frame from the trickle and answers with a Pong carrying the same 125 ' +
      'octets; then a clean close with 1000.',
    steps: [frame(Opcode.Ping, repHex('fe', 125), { chop: 1 }), closeAfter(2000)],
    expected: { OK: [pongEvent(repHex('fe', 125))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.7',
    description: 'An unsolicited Pong with no payload, immediately followed by a Close with 1000 from the runner.',
    expectation: 'The server ignores the Pong, sends nothing back but its Close, and the close is clean.',
    steps: [frame(Opcode.Pong), close(CLOSE_NORMAL), closeAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.8',
    description:
      `An unsolicited Pong carrying "${UNSOLICITED}", ` +
      'immediately followed by a Close with 1000 ' +
      'from the runner.',
    expectation: 'The server ignores the Pong, sends nothing back but its Close, and the close is clean.',
    steps: [frame(Opcode.Pong, UNSOLICITED), close(CLOSE_NORMAL), closeAfter(1000)],
    expected: { OK: [] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '2.9',
    description: `An unsolicited Pong carrying "${UNSOLICITED}", then a Ping carrying "ping payload".`,
    expectation:
      'Nothing comes back for the Pong; the Ping is answered by a Pong carrying "ping payload". Then a clean ' +
      'close with 1000.',
    steps: [frame(Opcode.Pong, UNSOLICITED), frame(Opcode.Ping, 'ping payload'), closeAfter(1000)],
    expected: { OK: [pongEvent('ping payload')] },
    expectedClose: normalCloseByMe(),
  },
  tenPings('2.10', undefined),
  tenPings('2.11', 1),
];
