/** 5 Fragmentation (case5_*.py). */
import { Opcode } from '@wsmatrix/protocol';
import { closeAfter, frame, killAfter, normalCloseByMe, pongEvent, serverFails, textEvent } from './build.js';
import type { CaseDef, Step } from './types.js';

type How = 'burst' | 'sync' | 'chop';
const optsFor = (how: How) => (how === 'sync' ? { sync: true } : how === 'chop' ? { chop: 1 } : {});
const howText = (how: How): string =>
  how === 'burst'
    ? 'Everything goes out in one burst.'
    : how === 'sync'
      ? 'Each frame is written to the socket on its own.'
      : 'Every octet is written to the socket on its own.';

const F1 = 'fragment1';
const F2 = 'fragment2';
const NON_CONT = 'non-continuation payload';
const HELLO = 'Hello, world!';
const PING = 'ping payload';
const NOTHING_TO_CONTINUE =
  'The server fails the connection at once with 1002: there is no message for the continuation frame to continue.';

function fragmentedControl(id: string, opcode: number, name: string): CaseDef {
  return {
    id,
    description:
      `A ${name} split into two frames: a ${name} frame with FIN clear carrying "${F1}", ` +
      `then a continuation frame with FIN set carrying "${F2}".`,
    expectation: 'The server fails the connection at once with 1002: control frames must not be fragmented.',
    steps: [frame(opcode, F1, { fin: false }), frame(Opcode.Continuation, F2, { fin: true }), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFails(),
  };
}

function twoFragments(id: string, how: How): CaseDef {
  const o = optsFor(how);
  const frames = `A text message in two frames, "${F1}" (FIN clear) and a continuation "${F2}" (FIN set).`;
  return {
    id,
    description: `${frames} ${howText(how)}`,
    expectation: `The server reassembles and echoes "${F1}${F2}" as one text message; then a clean close with 1000.`,
    steps: [
      frame(Opcode.Text, F1, { fin: false, ...o }),
      frame(Opcode.Continuation, F2, { fin: true, ...o }),
      closeAfter(1000),
    ],
    expected: { OK: [textEvent(F1 + F2)] },
    expectedClose: normalCloseByMe(),
  };
}

function pingBetween(id: string, how: How): CaseDef {
  const o = optsFor(how);
  return {
    id,
    description:
      `A text message in two frames ("${F1}", then the continuation "${F2}") with a Ping carrying ` +
      `"${PING}" between them. ${howText(how)}`,
    expectation:
      'The Ping is answered in the middle of the message: first a Pong with the Ping payload, then the echo of ' +
      `"${F1}${F2}". Then a clean close with 1000.`,
    steps: [
      frame(Opcode.Text, F1, { fin: false, ...o }),
      frame(Opcode.Ping, PING, { fin: true, ...o }),
      frame(Opcode.Continuation, F2, { fin: true, ...o }),
      closeAfter(1000),
    ],
    expected: { OK: [pongEvent(PING), textEvent(F1 + F2)] },
    expectedClose: normalCloseByMe(),
  };
}

function strayContinuation(id: string, contFin: boolean, how: How): CaseDef {
  const o = optsFor(how);
  return {
    id,
    description:
      `A continuation frame with FIN ${contFin ? 'set' : 'clear'} carrying "${NON_CONT}" although no message ` +
      `was started, then a complete text message "${HELLO}". ${howText(how)}`,
    expectation: `Nothing is echoed. ${NOTHING_TO_CONTINUE}`,
    steps: [
      frame(Opcode.Continuation, NON_CONT, { fin: contFin, ...o }),
      frame(Opcode.Text, HELLO, { fin: true, ...o }),
      killAfter(1000),
    ],
    expected: { OK: [] },
    expectedClose: serverFails(),
  };
}

function repeatedStray(id: string, contFin: boolean): CaseDef {
  const steps: Step[] = [];
  for (let i = 0; i < 2; i++) {
    steps.push(
      frame(Opcode.Continuation, 'fragment1', { fin: contFin }),
      frame(Opcode.Text, 'fragment2', { fin: false }),
      frame(Opcode.Continuation, 'fragment3', { fin: true }),
    );
  }
  steps.push(killAfter(1000));
  return {
    id,
    description:
      `Twice in a row: a continuation frame with FIN ${contFin ? 'set' : 'clear'} ("fragment1") that has nothing ` +
      'to continue, then a text message in two frames ("fragment2" with FIN clear, continuation "fragment3").',
    expectation: `Nothing is echoed. ${NOTHING_TO_CONTINUE}`,
    steps,
    expected: { OK: [] },
    expectedClose: serverFails(),
  };
}

function pingsInLongMessage(id: string, sync: boolean): CaseDef {
  const o = sync ? { sync: true } : {};
  const fr = ['fragment1', 'fragment2', 'fragment3', 'fragment4', 'fragment5'] as const;
  const pings = ['pongme 1!', 'pongme 2!'] as const;
  return {
    id,
    description:
      'A text message in five frames (fragment1 ... fragment5) with Pings inside it: the first two fragments ' +
      `and a Ping "${pings[0]}", a 1 s pause, then fragments 3 and 4, a Ping "${pings[1]}" and the final ` +
      'fragment. All of it is valid.' +
      (sync ? ' Each frame is written to the socket on its own (the octets are the same as in 5.19).' : ''),
    expectation:
      'The first Ping is answered during the pause, before the message is complete; then the second Pong, ' +
      'then the echo of the whole message "fragment1fragment2fragment3fragment4fragment5". ' +
      'Then a clean close with 1000.',
    steps: [
      frame(Opcode.Text, fr[0], { fin: false, ...o }),
      frame(Opcode.Continuation, fr[1], { fin: false, ...o }),
      frame(Opcode.Ping, pings[0], { fin: true, ...o }),
      { kind: 'wait', ms: 1000 },
      frame(Opcode.Continuation, fr[2], { fin: false, ...o }),
      frame(Opcode.Continuation, fr[3], { fin: false, ...o }),
      frame(Opcode.Ping, pings[1], { fin: true, ...o }),
      frame(Opcode.Continuation, fr[4], { fin: true, ...o }),
      closeAfter(1000),
    ],
    expected: { OK: [pongEvent(pings[0]), pongEvent(pings[1]), textEvent(fr.join(''))] },
    expectedClose: normalCloseByMe(),
  };
}

export const group5: CaseDef[] = [
  fragmentedControl('5.1', Opcode.Ping, 'Ping'),
  fragmentedControl('5.2', Opcode.Pong, 'Pong'),
  twoFragments('5.3', 'burst'),
  twoFragments('5.4', 'sync'),
  twoFragments('5.5', 'chop'),
  pingBetween('5.6', 'burst'),
  pingBetween('5.7', 'sync'),
  pingBetween('5.8', 'chop'),
  strayContinuation('5.9', true, 'burst'),
  strayContinuation('5.10', true, 'sync'),
  strayContinuation('5.11', true, 'chop'),
  strayContinuation('5.12', false, 'burst'),
  strayContinuation('5.13', false, 'sync'),
  strayContinuation('5.14', false, 'chop'),
  {
    id: '5.15',
    description:
      'A complete text message in two frames ("fragment1", continuation "fragment2"), then a continuation frame ' +
      'with FIN clear ("fragment3") that has nothing to continue, then a text frame "fragment4". All in one burst.',
    expectation:
      'The first message is echoed as "fragment1fragment2", then the server fails the connection with 1002 on ' +
      'the stray continuation. Also accepted (NON-STRICT): the failure comes before the echo was sent.',
    steps: [
      frame(Opcode.Text, 'fragment1', { fin: false }),
      frame(Opcode.Continuation, 'fragment2', { fin: true }),
      frame(Opcode.Continuation, 'fragment3', { fin: false }),
      frame(Opcode.Text, 'fragment4', { fin: true }),
      killAfter(1000),
    ],
    expected: { OK: [textEvent('fragment1fragment2')], 'NON-STRICT': [] },
    expectedClose: serverFails(),
  },
  repeatedStray('5.16', false),
  repeatedStray('5.17', true),
  {
    id: '5.18',
    description:
      'A text message in two frames where the second frame is also a text frame (opcode 1) instead of a ' +
      'continuation: "fragment1" with FIN clear, then "fragment2" with FIN set. One burst.',
    expectation:
      'Nothing is echoed. The server fails the connection at once with 1002: a new data frame may not start ' +
      'while a fragmented message is still open.',
    steps: [
      frame(Opcode.Text, 'fragment1', { fin: false }),
      frame(Opcode.Text, 'fragment2', { fin: true }),
      killAfter(1000),
    ],
    expected: { OK: [] },
    expectedClose: serverFails(),
  },
  pingsInLongMessage('5.19', false),
  pingsInLongMessage('5.20', true),
];
