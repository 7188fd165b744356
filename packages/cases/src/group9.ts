/**
 * 9 Limits/Performance (case9_1_*.py ... case9_6_*.py, case9_7_X.py). All are echo-timing cases: Autobahn
 * replaces the event comparison with its own onMessage, see EchoTiming in types.ts.
 */
import { normalCloseByMe, rep } from './build.js';
import type { CaseDef, EchoTiming } from './types.js';

const KiB = 1024;
const MiB = 1024 * 1024;

const TEXT_PATTERN = 'BAsd7&jh23';
const BINARY_PATTERN = { hex: '00fe23faf0' };

function sizeName(n: number): string {
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  if (n >= KiB && n % KiB === 0) return `${n / KiB} KiB`;
  return `${n} octets`;
}

function echoCase(id: string, description: string, expectation: string, echoTiming: EchoTiming): CaseDef {
  return {
    id,
    description,
    expectation,
    steps: [],
    expected: {},
    expectedClose: normalCloseByMe(),
    echoTiming,
    reportTime: true,
  };
}

function single(
  id: string,
  binary: boolean,
  pattern: string | { hex: string },
  length: number,
  timeoutMs: number,
  extra: { fragmentSize?: number; chop?: number } = {},
): CaseDef {
  const kind = binary ? 'binary' : 'text';
  const how =
    extra.fragmentSize !== undefined
      ? ` sent as fragments of ${sizeName(extra.fragmentSize)}` +
        (extra.fragmentSize >= length ? ' (which is the whole message, so it goes out as one frame)' : '')
      : extra.chop !== undefined
        ? ` in one frame whose octets are written to the socket in pieces of ${extra.chop}`
        : ' in one frame';
  const echo: EchoTiming = { binary, payload: rep(pattern, length), count: 1, timeoutMs };
  if (extra.fragmentSize !== undefined) echo.fragmentSize = extra.fragmentSize;
  if (extra.chop !== undefined) echo.chop = extra.chop;
  return echoCase(
    id,
    `One ${kind} message of ${sizeName(length)}${how}; the time until its echo is measured.`,
    `The ${kind} message comes back with the same length within ${timeoutMs / 1000} s (content is not checked); ` +
      'then the runner closes with 1000 and the close is clean.',
    echo,
  );
}

// 9.1 / 9.2: [size, WAITSECS] -- 9.2.3 and 9.2.4 keep Autobahn's 10 s, unlike 9.1.3 / 9.1.4.
const SIZES_9_1: Array<[number, number]> = [
  [64 * KiB, 10],
  [256 * KiB, 10],
  [1 * MiB, 100],
  [4 * MiB, 100],
  [8 * MiB, 100],
  [16 * MiB, 100],
];
const SIZES_9_2: Array<[number, number]> = [
  [64 * KiB, 10],
  [256 * KiB, 10],
  [1 * MiB, 10],
  [4 * MiB, 10],
  [8 * MiB, 100],
  [16 * MiB, 100],
];
const FRAGMENTS_9_3 = [64, 256, 1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB];
const CHOPS_9_5 = [64, 128, 256, 512, 1024, 2048];
/** 9.7 / 9.8: [payload size, message count, WAITSECS]. */
const RTT_9_7: Array<[number, number, number]> = [
  [0, 1000, 60],
  [16, 1000, 60],
  [64, 1000, 60],
  [256, 1000, 120],
  [1024, 1000, 240],
  [4096, 1000, 480],
];

const g91 = SIZES_9_1.map(([len, secs], i) => single(`9.1.${i + 1}`, false, TEXT_PATTERN, len, secs * 1000));
const g92 = SIZES_9_2.map(([len, secs], i) => single(`9.2.${i + 1}`, true, BINARY_PATTERN, len, secs * 1000));
const g93 = FRAGMENTS_9_3.map((fs, i) => single(`9.3.${i + 1}`, false, '*', 4 * MiB, 100_000, { fragmentSize: fs }));
// 9.4.1 fills its binary message with 0xfe; Autobahn's 9.4.2-9.4.9 fill theirs with "*" (0x2a).
const g94 = FRAGMENTS_9_3.map((fs, i) =>
  single(`9.4.${i + 1}`, true, i === 0 ? { hex: 'fe' } : '*', 4 * MiB, 100_000, { fragmentSize: fs }),
);
const g95 = CHOPS_9_5.map((chop, i) => single(`9.5.${i + 1}`, false, TEXT_PATTERN, 1 * MiB, 1_000_000, { chop }));
const g96 = CHOPS_9_5.map((chop, i) => single(`9.6.${i + 1}`, true, BINARY_PATTERN, 1 * MiB, 1_000_000, { chop }));

function rtt(sub: 7 | 8): CaseDef[] {
  const binary = sub === 8;
  const kind = binary ? 'binary' : 'text';
  return RTT_9_7.map(([len, count, secs], i) =>
    echoCase(
      `9.${sub}.${i + 1}`,
      `${count} ${kind} messages of ${len} octets each, one at a time: each is sent when the echo of the ` +
        'previous one has arrived; the total time measures round-trip latency.',
      `All ${count} echoes come back with the right type and length within ${secs} s in total; then the runner ` +
        'closes with 1000 and the close is clean.',
      { binary, payload: rep(binary ? { hex: 'fe' } : '*', len), count, timeoutMs: secs * 1000 },
    ),
  );
}

export const group9: CaseDef[] = [...g91, ...g92, ...g93, ...g94, ...g95, ...g96, ...rtt(7), ...rtt(8)];
