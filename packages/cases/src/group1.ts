/** 1 Framing: 1.1 text and 1.2 binary messages of boundary sizes (case1_1_*.py, case1_2_*.py). */
import { Opcode } from '@wsmatrix/protocol';
import { binaryEvent, frame, killAfter, normalCloseByMe, rep, repHex, textEvent } from './build.js';
import type { CaseDef } from './types.js';

/** [sub-case, payload length, chop size, killAfter ms] -- identical for 1.1 and 1.2. */
const SIZES: Array<[number, number, number | undefined, number]> = [
  [1, 0, undefined, 1000],
  [2, 125, undefined, 1000],
  [3, 126, undefined, 1000],
  [4, 127, undefined, 1000],
  [5, 128, undefined, 1000],
  [6, 65535, undefined, 10000],
  [7, 65536, undefined, 10000],
  [8, 65536, 997, 10000],
];

function sizeNote(len: number): string {
  if (len === 0) return 'an empty payload';
  if (len === 125) return 'a 125-octet payload, the largest the 7-bit length field holds';
  if (len < 125) return `a ${len}-octet payload`;
  if (len < 0xffff) return `a ${len}-octet payload, which needs the 16-bit extended length`;
  if (len === 0xffff) return 'a 65535-octet payload, the largest the 16-bit extended length holds';
  return `a ${len}-octet payload, which needs the 64-bit extended length`;
}

function sizeCase(sub: 1 | 2, n: number, len: number, chop: number | undefined, killMs: number): CaseDef {
  const binary = sub === 2;
  const payload = binary ? repHex('fe', len) : rep('*', len);
  const kind = binary ? 'binary' : 'text';
  const filler = binary ? 'every octet 0xfe' : 'all asterisks';
  const chopNote = chop ? ` The frame's octets are written to the socket in pieces of ${chop}.` : '';
  return {
    id: `1.${sub}.${n}`,
    description:
      `One unfragmented ${kind} frame with ${sizeNote(len)}${len > 0 ? `, ${filler}` : ''}.${chopNote} ` +
      `If the echo has not come back after ${killMs / 1000} s the runner gives up and closes.`,
    expectation:
      `The server echoes the ${kind} message unchanged; ` +
      'the runner then closes with 1000 ' +
      'and the close is clean.',
    steps: [frame(binary ? Opcode.Binary : Opcode.Text, payload, chop ? { chop } : {}), killAfter(killMs)],
    expected: { OK: [binary ? binaryEvent(payload) : textEvent(payload)] },
    expectedClose: normalCloseByMe(),
  };
}

export const group1: CaseDef[] = ([1, 2] as const).flatMap((sub) =>
  SIZES.map(([n, len, chop, killMs]) => sizeCase(sub, n, len, chop, killMs)),
);
