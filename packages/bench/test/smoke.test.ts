/** One short end-to-end run through real processes: figures must be positive and consistent, never timed. */
import { describe, expect, it } from 'vitest';
import { runBenchmark } from '../src/run-benchmark.js';

describe('end to end', () => {
  it('measures ws and the tcp ceiling on the pipelined small-message workload', async () => {
    // Each window is held open until it holds some messages: a busy machine may take longer, never fewer.
    const result = await runBenchmark({
      targets: ['ws'],
      workloads: ['small-c16-f32'],
      durationSec: 0.3,
      warmupSec: 0.1,
      runs: 1,
      quietWaitMs: 0,
      minCompleted: 32,
    });
    expect(result.targets.map((t) => [t.name, t.error])).toEqual([
      ['ws', undefined],
      ['tcp', undefined],
    ]);
    expect(result.cells.map((c) => c.target)).toEqual(['ws', 'tcp']);
    for (const cell of result.cells) {
      const [r] = cell.runs;
      expect(cell.errors).toEqual([]);
      expect(r!.errorCount).toBe(0);
      expect(r!.completed).toBeGreaterThanOrEqual(32);
      expect(r!.value).toBeGreaterThan(0);
      // Every message sent came back, and the walked payload bytes matched the message count (else errorCount > 0).
      expect(r!.received).toBe(r!.sent);
      expect(r!.completed).toBeLessThanOrEqual(r!.received);
      expect(r!.payloadBytes).toBe(r!.completed * 32);
      expect(r!.p50Us).toBeGreaterThan(0);
      expect(r!.p99Us).toBeGreaterThanOrEqual(r!.p50Us!);
      expect(r!.clientCpu).toBeGreaterThan(0);
    }
    expect(result.cells.find((c) => c.target === 'ws')!.ratioToWs).toBe(1);
    expect(result.cells.find((c) => c.target === 'tcp')!.ratioToTcp).toBe(1);
  }, 120_000);
});
