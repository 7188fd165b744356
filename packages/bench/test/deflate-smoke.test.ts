/** permessage-deflate end to end: compressed figures must really be compressed, never timed. */
import type net from 'node:net';
import { getAnyTarget, type RunningTarget, uwsUnavailableReason } from '@wsmatrix/targets';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob, type RunJobOptions } from '../src/load/run-job.js';
import { isDeflateTarget, runBenchmark } from '../src/run-benchmark.js';
import { formatBenchTable } from '../src/table.js';
import { selectWorkloads } from '../src/workloads.js';
import { type FakeServer, okHead, startFakeWsServer } from './fake-ws-server.js';

const [LARGE_64K] = selectWorkloads(['large-64k']);

/**
 * Jobs here count messages, not time: the window stays open until it holds a few replies (at most
 * HOLD_MS longer, a safety net), so a busy machine makes a test slower, never wrong.
 */
const HOLD_MS = 15_000;
const COUNTED = { warmupMs: 50, durationMs: 200, threads: 1, minCompleted: 4, maxHoldMs: HOLD_MS };
const JOB_TEST_TIMEOUT_MS = HOLD_MS + 20_000;

/**
 * Accepts permessage-deflate (unless `accept` is false: then a misbehaving server), then answers each
 * message with a short binary frame, RSV1 set on every other one (1st, 3rd, …): the client only counts
 * and never inflates, so the bytes need not be deflate.
 */
function startHalfCompressingServer(accept = true): Promise<FakeServer> {
  const answered = new WeakMap<net.Socket, number>();
  return startFakeWsServer({
    upgrade: (socket, key) => {
      socket.write(okHead(key, accept ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : ''));
    },
    frames: (socket, counter, messages, closesBefore) => {
      let n = answered.get(socket) ?? 0;
      for (let i = 0; i < messages; i++, n++) socket.write(Buffer.from([n % 2 === 0 ? 0xc2 : 0x82, 3, 1, 2, 3]));
      answered.set(socket, n);
      if (counter.closeFrames > closesBefore) socket.end(Buffer.from([0x88, 2, 0x03, 0xe8]));
    },
  });
}

describe('deflate targets', () => {
  it('are the +deflate names, and only those', () => {
    expect(['core+deflate', 'ws+deflate', 'uws+deflate', 'uws+deflate-dedicated'].every(isDeflateTarget)).toBe(true);
    expect(['core', 'ws', 'uws', 'ws7', 'tcp', 'wslay'].some(isDeflateTarget)).toBe(false);
  });
});

describe('end to end over permessage-deflate', () => {
  it('core+deflate: every reply compressed, throughput in uncompressed bytes, wire ratio recorded', async () => {
    // Each window is held open until it holds a few messages: a busy machine may take longer, never fewer.
    const result = await runBenchmark({
      targets: ['core+deflate'],
      workloads: ['large-64k'],
      durationSec: 0.3,
      warmupSec: 0.1,
      runs: 1,
      quietWaitMs: 0,
      minCompleted: 4,
    });
    expect(result.targets.map((t) => [t.name, t.error, t.deflate])).toEqual([
      ['core+deflate', undefined, true],
      ['ws', undefined, undefined],
      ['tcp', undefined, undefined],
    ]);
    const cell = result.cells.find((c) => c.target === 'core+deflate')!;
    const [r] = cell.runs;
    expect(cell.errors).toEqual([]);
    expect(r!.errorCount).toBe(0);
    expect(r!.completed).toBeGreaterThanOrEqual(4);
    expect(r!.value).toBeGreaterThan(0);
    expect(r!.received).toBe(r!.sent);
    expect(r!.payloadBytes).toBe(r!.completed * 65_536);
    const d = r!.deflate!;
    expect(d.replies).toBe(r!.received);
    expect(d.compressedReplies).toBe(d.replies);
    // Log records compress to well under a third; incompressible echoes would be ≥ 1.
    expect(d.wireRatio).toBeGreaterThan(0);
    expect(d.wireRatio).toBeLessThan(0.3);
    expect(d.sentRatio).toBeLessThan(0.3);
    expect(cell.deflate).toMatchObject({ uncompressedReplies: 0, replies: d.replies, wireRatio: d.wireRatio });
    expect(cell.deflate!.payload).toMatch(/JSON/);
    // The uncompressed references stay uncompressed.
    for (const name of ['ws', 'tcp']) {
      const ref = result.cells.find((c) => c.target === name)!;
      expect(ref.deflate).toBeUndefined();
      expect(ref.runs[0]!.deflate).toBeUndefined();
      expect(ref.errors).toEqual([]);
    }
    const table = formatBenchTable(result);
    expect(table).toMatch(/core\+deflate: .* permessage-deflate \(offered and required\)/);
    expect(table).toMatch(/ wire /);
    expect(table).toMatch(/\+deflate rows: permessage-deflate negotiated; payload: JSON/);
  }, 120_000);
});

// Where no uWS native build runs on this Node, the uws cases skip with its reason (the targets package's
// uws tests check that reason against the builds installed).
const uwsUnavailable = uwsUnavailableReason();
const uwsSkip = (target: string): boolean => target.startsWith('uws') && uwsUnavailable !== undefined;
const skipNote = (target: string): string => (uwsSkip(target) ? ` (skipped: ${uwsUnavailable})` : '');

describe('deflate jobs in process', () => {
  let running: RunningTarget | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  const run = async (target: string, workload = LARGE_64K!, deflate = true, options: RunJobOptions = COUNTED) => {
    running = await getAnyTarget(target).start({ host: '127.0.0.1', port: 0 });
    return runJob({ workload, host: '127.0.0.1', port: running.port, protocol: 'ws', deflate }, options);
  };

  for (const target of ['core+deflate', 'ws+deflate', 'uws+deflate', 'uws+deflate-dedicated']) {
    it.skipIf(uwsSkip(target))(
      `${target} compresses every 64 KiB reply${skipNote(target)}`,
      async () => {
        const job = await run(target);
        expect(job.errors).toEqual([]);
        expect(job.completed).toBeGreaterThan(0);
        expect(job.deflate!.replies).toBe(job.received);
        expect(job.deflate!.compressedReplies).toBe(job.deflate!.replies);
        expect(job.deflate!.replyWireBytes).toBeLessThan(job.deflate!.replies * 65_536 * 0.3);
      },
      JOB_TEST_TIMEOUT_MS,
    );
  }

  it(
    'a server that declines permessage-deflate fails the job loudly',
    async () => {
      await expect(run('core')).rejects.toThrow(/declined permessage-deflate/);
    },
    JOB_TEST_TIMEOUT_MS,
  );

  it(
    'a handshake job against a declining server fails every cycle',
    async () => {
      const [handshake] = selectWorkloads(['handshake-l1']);
      // Nothing can complete here, so the window is not held open for a count.
      const job = await run('ws', handshake!, true, { ...COUNTED, minCompleted: undefined });
      expect(job.completed).toBe(0);
      expect(job.errorCount).toBeGreaterThan(0);
      expect(job.errors[0]).toMatch(/declined permessage-deflate/);
    },
    JOB_TEST_TIMEOUT_MS,
  );

  it(
    'uncompressed replies are errors, counted: a server that compresses only every other reply',
    async () => {
      const fake = await startHalfCompressingServer();
      try {
        const job = await runJob(
          { workload: LARGE_64K!, host: '127.0.0.1', port: fake.port, protocol: 'ws', deflate: true },
          COUNTED,
        );
        const { replies, compressedReplies } = job.deflate!;
        expect(replies).toBe(job.received);
        expect(replies).toBeGreaterThan(2);
        expect(compressedReplies).toBe(Math.ceil(replies / 2));
        expect(job.errors).toContain(
          `${replies - compressedReplies} of ${replies} replies came back uncompressed (RSV1 clear)`,
        );
      } finally {
        await fake.close();
      }
    },
    JOB_TEST_TIMEOUT_MS,
  );

  it(
    'a plain job flags replies with RSV1 (no extension was negotiated)',
    async () => {
      const fake = await startHalfCompressingServer(false);
      try {
        const workload = { ...LARGE_64K!, size: 3 };
        const job = await runJob({ workload, host: '127.0.0.1', port: fake.port, protocol: 'ws' }, COUNTED);
        expect(job.received).toBeGreaterThan(2);
        expect(job.deflate).toBeUndefined();
        expect(job.errors.join('\n')).toMatch(
          new RegExp(`${Math.ceil(job.received / 2)} replies had RSV1 set, but no extension was negotiated`),
        );
      } finally {
        await fake.close();
      }
    },
    JOB_TEST_TIMEOUT_MS,
  );

  it(
    'a plain job against a deflate target neither offers nor gets compression',
    async () => {
      const job = await run('core+deflate', LARGE_64K!, false);
      expect(job.errors).toEqual([]);
      expect(job.deflate).toBeUndefined();
      expect(job.payloadBytes).toBe(job.completed * 65_536);
    },
    JOB_TEST_TIMEOUT_MS,
  );
});
