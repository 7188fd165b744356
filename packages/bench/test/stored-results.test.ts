/** Results with and without machine-speed probes in the table, the HTML and --compare. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareMedians } from '../src/agreement.js';
import { renderBenchmarkHtml } from '../src/html.js';
import { PROBE_REFERENCE_MS } from '../src/probe.js';
import { RESULT_SCHEMA, type BenchResult, type BenchRun } from '../src/result.js';
import { addRatios, summarizeCell, summarizeProbes } from '../src/summary.js';
import { formatBenchTable } from '../src/table.js';
import { selectWorkloads } from '../src/workloads.js';

const STORED = fileURLToPath(new URL('../../../matrix/results/bench/', import.meta.url));

function run(value: number, probeMs?: number): BenchRun {
  return {
    value, perSecond: value, completed: value, payloadBytes: 0, sent: value, received: value, elapsedMs: 1000,
    p50Us: 100, p99Us: 900, clientCpu: 0.5, serverCpu: 0.9, otherCpu: 0, errorCount: 0, errors: [],
    ...(probeMs === undefined ? {} : { probe: { serverMs: probeMs, clientMs: probeMs }, normalized: (value * probeMs) / PROBE_REFERENCE_MS }),
  };
}

function probedResult(): BenchResult {
  const [small] = selectWorkloads(['small-c16-f32']);
  const cells = [
    summarizeCell(small!, 'core', [run(1000, 20), run(800, 25), run(500, 40)], [], 1),
    summarizeCell(small!, 'tcp', [run(2000, 20), run(1600, 25), run(1000, 40)], [], 1),
  ];
  return {
    schema: RESULT_SCHEMA, startedAt: '2026-12-06T20:00:00.000Z', finishedAt: '2026-12-06T20:01:00.000Z',
    machine: { cores: 2, cpuModel: 'Test CPU', node: 'v20', platform: 'linux', arch: 'x64', kernel: '6', memoryGiB: 8 },
    pinning: { pinned: true, serverCpus: '1', clientCpus: '0', clientThreads: 1, note: 'server on cpu 1, client on cpu 0' },
    settings: { durationSec: 1, warmupSec: 0.25, warmupRoundSec: 1, runs: 3, tcpEcho: 'ring', quietWaitMs: 0, probe: { referenceMs: PROBE_REFERENCE_MS, work: 'test' } },
    targets: ['core', 'tcp'].map((name) => ({ name, implementation: name, version: '1', options: {} })),
    workloads: [{ id: small!.id, title: small!.title, unit: 'msg/s' }],
    cells: addRatios(cells),
    probe: summarizeProbes(cells.flatMap((c) => c.runs)),
  };
}

describe('probe in the table and the HTML', () => {
  it('the table says how far the machine moved; the normalised medians only when asked for', () => {
    const text = formatBenchTable(probedResult());
    expect(text).toContain('machine speed moved 100.0% during this run (probe over 6 quiet windows: server cpu 20.0–40.0 ms (median 25.0), client cpu 20.0–40.0 ms (median 25.0))');
    expect(text).not.toContain('normalised');
    const shown = formatBenchTable(probedResult(), true);
    expect(shown).toMatch(/target\s+median\s+normalised\s+spread/);
    expect(shown).toMatch(new RegExp(`core\\s+800 msg/s\\s+${(20000 / PROBE_REFERENCE_MS).toFixed(0)}\\s+62\\.5%`));
    expect(shown).toContain(`normalised = figure × mean probe ÷ ${PROBE_REFERENCE_MS} ms`);
  });
  it('the HTML says it once above the targets; a normalised column only when asked for', () => {
    const html = renderBenchmarkHtml(probedResult());
    expect(html).toContain('<p class="note bench-probe">machine speed moved 100.0% during this run');
    expect(html).not.toContain('normalised');
    expect(renderBenchmarkHtml(probedResult(), true)).toContain('<th class="num">normalised</th>');
  });
});

describe('results stored before the probe existed', () => {
  const files = readdirSync(STORED).filter((f) => f.endsWith('.json'));
  it('still load as wsmatrix-bench/1 and render without a probe line or a normalised column', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files.slice(0, 3)) {
      const stored = JSON.parse(readFileSync(STORED + file, 'utf8')) as BenchResult;
      expect(stored.schema).toBe(RESULT_SCHEMA);
      expect(stored.probe).toBeUndefined();
      const text = formatBenchTable(stored);
      expect(text).not.toContain('machine speed moved');
      expect(text).not.toContain('normalised');
      expect(renderBenchmarkHtml(stored)).not.toContain('normalised');
    }
  });
  it('compare by normalised medians: old results have none, so nothing agrees; probed ones are compared', () => {
    const stored = JSON.parse(readFileSync(STORED + files[0]!, 'utf8')) as BenchResult;
    const old = compareMedians([stored, stored], 0.1, 'normalized');
    expect(old.agreeing).toBe(0);
    expect(old.cells.every((c) => c.medians.every((m) => m === null))).toBe(true);
    const probed = compareMedians([probedResult(), probedResult()], 0.1, 'normalized');
    const at = (v: number): number => (v * 20) / PROBE_REFERENCE_MS;
    expect(probed.cells.map((c) => c.medians)).toEqual([[at(1000), at(1000)], [at(2000), at(2000)]]);
  });
});
