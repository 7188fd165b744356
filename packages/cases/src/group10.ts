/** 10 Misc: 10.1 Auto-Fragmentation (case10_1_1.py). */
import { Opcode } from '@wsmatrix/protocol';
import { killAfter, message, normalCloseByMe, rep, textEvent } from './build.js';
import type { CaseDef } from './types.js';

const LENGTH = 65536;
const FRAGMENT = 1300;

export const group10: CaseDef[] = [
  {
    id: '10.1.1',
    description:
      `A ${LENGTH}-octet text message (all asterisks) that the client library splits by itself into frames of ` +
      `${FRAGMENT} octets: one text frame, then continuation frames, the last holding the remaining ` +
      `${LENGTH % FRAGMENT} octets.`,
    expectation:
      'The whole message is echoed unchanged, and the runner can confirm it sent exactly 1 text frame and ' +
      `${Math.floor(LENGTH / FRAGMENT)} continuation frames; then a clean close with 1000.`,
    steps: [message(false, rep('*', LENGTH), FRAGMENT), killAfter(10000)],
    expected: { OK: [textEvent(rep('*', LENGTH))] },
    expectedClose: normalCloseByMe(),
    // Autobahn: opcode 0 -> floor(65536 / 1300) = 50, opcode 1 -> 1 (65536 % 1300 > 0).
    expectTxFrames: {
      [Opcode.Continuation]: Math.floor(LENGTH / FRAGMENT),
      [Opcode.Text]: LENGTH % FRAGMENT > 0 ? 1 : 0,
    },
  },
];
