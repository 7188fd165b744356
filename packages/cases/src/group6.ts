/**
 * 6 UTF-8 Handling: 6.1-6.4 hand-written (case6_1_*.py ... case6_4_*.py), 6.5-6.23 generated from the
 * table of UTF-8 test sequences (case6_x_x.py).
 */
import { Opcode } from '@wsmatrix/protocol';
import {
  closeAfter,
  frame,
  hex,
  killAfter,
  message,
  normalCloseByMe,
  serverFailsUtf8,
  textEvent,
  timeoutEvent,
} from './build.js';
import type { CaseDef, Step } from './types.js';
import { UTF8_FIRST_SUBGROUP, UTF8_SEQUENCE_GROUPS } from './utf8-sequences.js';

/** "Hello-µ@ßöäüàá-UTF-8!!" (29 octets; µ is U+00B5). */
const HELLO_UTF8 = '48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121';
/** Split of HELLO_UTF8 on a code point boundary (after "ä"), as 6.2.2 sends it. */
const HELLO_PART1 = '48656c6c6f2dc2b540c39fc3b6c3a4';
const HELLO_PART2 = 'c3bcc3a0c3a12d5554462d382121';
/** Greek "kosme", 11 octets. */
const KOSME = 'cebae1bdb9cf83cebcceb5';
/** KOSME + a UTF-16 surrogate (ed a0 80, invalid at the a0) + "edited". */
const KOSME_SURROGATE = `${KOSME}eda080656469746564`;

// 6.4: KOSME, then f4 90 80 80 (would be U+110000: invalid at the 0x90 octet), then "edited".
const FF_P1 = KOSME;
const FF_P2 = 'f4908080';
const FF_P3 = '656469746564';
const FF_ALL = FF_P1 + FF_P2 + FF_P3; // 21 octets
// 6.4.2 / 6.4.4 split: up to and including f4, the single offending octet 90, the rest.
const FF2_P1 = FF_ALL.slice(0, 24);
const FF2_P2 = FF_ALL.slice(24, 26);
const FF2_P3 = FF_ALL.slice(26);

const waitA = { ms: 1000, marker: 'A', requireOpen: true } as const;
const waitB = { ms: 1000, marker: 'B', requireOpen: true } as const;

const FAIL_FAST_EXPECTATION =
  'The first part is accepted, so the first pause passes (marker A). The server must reject the message as ' +
  'soon as the octet that makes it invalid arrives and fail the connection with 1007 before the second ' +
  'pause ends (OK = [A]). Failing only after the rest of the message arrived is NON-STRICT ([A, B]). The ' +
  'runner must not be the one to close.';

function failFastFrames(id: string, parts: [string, string, string], splitNote: string): CaseDef {
  return {
    id,
    description:
      `A text message that turns invalid in its middle, sent as three frames with 1 s pauses between them: ` +
      `${parts[0]} | ${parts[1]} | ${parts[2]} (hex). ${splitNote}`,
    expectation: FAIL_FAST_EXPECTATION,
    steps: [
      frame(Opcode.Text, hex(parts[0]), { fin: false }),
      { kind: 'wait', ...waitA },
      frame(Opcode.Continuation, hex(parts[1]), { fin: false }),
      { kind: 'wait', ...waitB },
      frame(Opcode.Continuation, hex(parts[2]), { fin: true }),
      killAfter(1000),
    ],
    expected: { OK: [timeoutEvent('A')], 'NON-STRICT': [timeoutEvent('A'), timeoutEvent('B')] },
    expectedClose: serverFailsUtf8(),
  };
}

function failFastChops(id: string, parts: [string, string, string], splitNote: string): CaseDef {
  const sizes = parts.map((p) => p.length / 2);
  return {
    id,
    description:
      'A text message that turns invalid in its middle, sent as ONE text frame (FIN clear, length 21) whose ' +
      `payload is written in three pieces with 1 s pauses between them: ${parts[0]} | ${parts[1]} | ${parts[2]} ` +
      `(hex). ${splitNote} After the last piece an empty continuation frame with FIN set ends the message.`,
    expectation: FAIL_FAST_EXPECTATION,
    steps: [
      {
        kind: 'frameParts',
        frame: { opcode: Opcode.Text, fin: false, payload: hex(parts.join('')) },
        parts: sizes,
        waits: [{ ...waitA }, { ...waitB }],
      },
      frame(Opcode.Continuation, undefined, { fin: true }),
      killAfter(1000),
    ],
    expected: { OK: [timeoutEvent('A')], 'NON-STRICT': [timeoutEvent('A'), timeoutEvent('B')] },
    expectedClose: serverFailsUtf8(),
  };
}

const SPLIT_641 =
  'The first and last parts are valid on their own; the middle one encodes 0x110000, beyond the Unicode range.';
const SPLIT_642 =
  'Same bytes as 6.4.1, split so that the second part is exactly the single octet (0x90) that makes the ' +
  'sequence invalid.';

const handWritten: CaseDef[] = [
  {
    id: '6.1.1',
    description: 'An unfragmented text message with an empty payload.',
    expectation: 'An empty text message is echoed; then a clean close with 1000.',
    steps: [frame(Opcode.Text, ''), closeAfter(1000)],
    expected: { OK: [textEvent('')] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.1.2',
    description: 'A text message in three frames (text, continuation, continuation with FIN), every one empty.',
    expectation: 'One empty text message is echoed; then a clean close with 1000.',
    steps: [
      frame(Opcode.Text, '', { fin: false }),
      frame(Opcode.Continuation, '', { fin: false }),
      frame(Opcode.Continuation, '', { fin: true }),
      closeAfter(1000),
    ],
    expected: { OK: [textEvent('')] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.1.3',
    description:
      'A text message in three frames: empty first and last frames around a middle frame ' +
      'carrying "middle frame payload".',
    expectation: 'The text message "middle frame payload" is echoed; then a clean close with 1000.',
    steps: [
      frame(Opcode.Text, '', { fin: false }),
      frame(Opcode.Continuation, 'middle frame payload', { fin: false }),
      frame(Opcode.Continuation, '', { fin: true }),
      closeAfter(1000),
    ],
    expected: { OK: [textEvent('middle frame payload')] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.2.1',
    description:
      'A valid UTF-8 text message with several 2-octet characters ' +
      `("Hello-µ@ßöäüàá-UTF-8!!", hex ${HELLO_UTF8}) in one frame.`,
    expectation: 'The message is echoed unchanged; then a clean close with 1000.',
    steps: [message(false, hex(HELLO_UTF8)), closeAfter(1000)],
    expected: { OK: [textEvent(hex(HELLO_UTF8))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.2.2',
    description:
      'The same valid UTF-8 text as 6.2.1 in two frames split between two characters: ' +
      `${HELLO_PART1} | ${HELLO_PART2} (hex).`,
    expectation: 'The reassembled message is echoed unchanged; then a clean close with 1000.',
    steps: [
      frame(Opcode.Text, hex(HELLO_PART1), { fin: false }),
      frame(Opcode.Continuation, hex(HELLO_PART2), { fin: true }),
      closeAfter(1000),
    ],
    expected: { OK: [textEvent(hex(HELLO_UTF8))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.2.3',
    description:
      'The same valid UTF-8 text as 6.2.1 sent one octet per frame, so most frames end inside a character ' +
      '(the client library closes the message with an empty final continuation frame).',
    expectation: 'The reassembled message is echoed unchanged; then a clean close with 1000.',
    steps: [message(false, hex(HELLO_UTF8), 1), closeAfter(1000)],
    expected: { OK: [textEvent(hex(HELLO_UTF8))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.2.4',
    description:
      `A valid UTF-8 Greek word of 2- and 3-octet characters (hex ${KOSME}) sent one octet per frame, so frames ` +
      'end inside characters (followed by an empty final continuation frame).',
    expectation: 'The reassembled message is echoed unchanged; then a clean close with 1000.',
    steps: [message(false, hex(KOSME), 1), closeAfter(1000)],
    expected: { OK: [textEvent(hex(KOSME))] },
    expectedClose: normalCloseByMe(),
  },
  {
    id: '6.3.1',
    description:
      'An unfragmented text message that is not valid UTF-8: it contains ' +
      `an encoded UTF-16 surrogate (hex ${KOSME_SURROGATE}).`,
    expectation:
      'Nothing is echoed. The server fails the connection at once with 1007; the runner must not be the one to close.',
    steps: [message(false, hex(KOSME_SURROGATE)), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFailsUtf8(),
  },
  {
    id: '6.3.2',
    description:
      'The invalid text of 6.3.1 sent one octet per frame (followed by an empty final continuation frame), so ' +
      'frames end inside characters.',
    expectation:
      'Nothing is echoed. The server fails the connection with 1007; the runner must not be the one to close.',
    steps: [message(false, hex(KOSME_SURROGATE), 1), killAfter(1000)],
    expected: { OK: [] },
    expectedClose: serverFailsUtf8(),
  },
  failFastFrames('6.4.1', [FF_P1, FF_P2, FF_P3], SPLIT_641),
  failFastFrames('6.4.2', [FF2_P1, FF2_P2, FF2_P3], SPLIT_642),
  failFastChops('6.4.3', [FF_P1, FF_P2, FF_P3], SPLIT_641),
  failFastChops('6.4.4', [FF2_P1, FF2_P2, FF2_P3], SPLIT_642),
];

function sequenceCase(id: string, groupTitle: string, seqHex: string, valid: boolean): CaseDef {
  const payload = hex(seqHex);
  const steps: Step[] = [message(false, payload), killAfter(500)];
  if (valid) {
    return {
      id,
      description: `One unfragmented text message whose payload is valid UTF-8 (${groupTitle}): 0x${seqHex}`,
      expectation: 'The message is echoed unchanged; then a clean close with 1000.',
      steps,
      expected: { OK: [textEvent(payload)] },
      expectedClose: normalCloseByMe(),
    };
  }
  return {
    id,
    description: `One unfragmented text message whose payload is NOT valid UTF-8 (${groupTitle}): 0x${seqHex}`,
    expectation:
      'Nothing is echoed. The server fails the connection at once with 1007; the runner must not be the one to close.',
    steps,
    expected: { OK: [] },
    expectedClose: serverFailsUtf8(),
  };
}

const generated: CaseDef[] = UTF8_SEQUENCE_GROUPS.flatMap((g, gi) =>
  g.sequences.map((s, si) => sequenceCase(`6.${UTF8_FIRST_SUBGROUP + gi}.${si + 1}`, g.title, s.hex, s.valid)),
);

export const group6: CaseDef[] = [...handWritten, ...generated];
