import { describe, expect, it } from 'vitest';
import { renderBenchmarkHtml } from '../src/html.js';
import { RESULT_SCHEMA, type BenchResult, type BenchRun } from '../src/result.js';
import { addRatios, summarizeCell } from '../src/summary.js';
import { formatBenchTable } from '../src/table.js';
import { selectWorkloads, UnknownWorkloadError, WORKLOADS } from '../src/workloads.js';

function run(value: number): BenchRun {
  return {
    value, perSecond: value, completed: value, payloadBytes: 32 * value, sent: value, received: value, elapsedMs: 1000,
    p50Us: 100, p99Us: 900, clientCpu: 0.5, serverCpu: 0.95, otherCpu: 0, errorCount: 0, errors: [],
  };
}

function fixture(): BenchResult {
  const [handshake, small] = selectWorkloads(['handshake-l1', 'small-c16-f32']);
  const values: Record<string, number[]> = { core: [500, 480, 520], ws: [100, 90, 110], '<uws>': [900, 950, 1000], tcp: [2000, 2000, 2000] };
  const cells = [handshake!, small!].flatMap((w) =>
    Object.entries(values).map(([t, v]) => summarizeCell(w, t, v.map(run), [], 1)),
  );
  return {
    schema: RESULT_SCHEMA, startedAt: '2026-11-25T12:00:00.000Z', finishedAt: '2026-11-25T12:01:00.000Z',
    machine: { cores: 2, cpuModel: 'Test CPU', node: 'v20', platform: 'linux', arch: 'x64', kernel: '6', memoryGiB: 8 },
    pinning: { pinned: true, serverCpus: '1', clientCpus: '0', clientThreads: 1, note: 'server on cpu 1, client on cpu 0' },
    settings: { durationSec: 1, warmupSec: 0.25, runs: 3, tcpEcho: 'write-each', quietWaitMs: 0 },
    targets: Object.keys(values).map((name) => ({ name, implementation: name, version: '1', options: {} })),
    workloads: [handshake!, small!].map((w) => ({ id: w.id, title: w.title, unit: 'x/s' })),
    cells: addRatios(cells),
  };
}

describe('workload selection', () => {
  it('takes ids and group names, in catalogue order, once each', () => {
    expect(selectWorkloads(['large', 'handshake-l1', 'handshake']).map((w) => w.id)).toEqual(['handshake-l1', 'handshake-l16', 'large-64k', 'large-1m']);
    expect(selectWorkloads(['all'])).toHaveLength(WORKLOADS.length);
    expect(() => selectWorkloads(['nope'])).toThrow(UnknownWorkloadError);
  });
});

describe('summary', () => {
  it('median, min, max, spread and the ratios to ws and tcp', () => {
    const core = fixture().cells.find((c) => c.target === 'core' && c.workload === 'small-c16-f32')!;
    expect(core).toMatchObject({ median: 500, min: 480, max: 520, ratioToWs: 5, ratioToTcp: 0.25, serverBound: true, clientBound: false, noisy: false });
    expect(core.spread).toBeCloseTo(0.08);
  });

  it('a cell without runs has no figures and keeps the failures', () => {
    const cell = summarizeCell(WORKLOADS[0]!, 'core', [], ['refused'], 1);
    expect(cell).toMatchObject({ median: null, spread: null, errors: ['refused'] });
  });
});

describe('output', () => {
  it('the table has every target of every workload with ratios', () => {
    const text = formatBenchTable(fixture());
    expect(text).toContain('handshake-l1');
    expect(text).toMatch(/core\s+500 conn\/s\s+8\.0%\s+×5\.00\s+×0\.25/);
  });

  it('the HTML fragment has one SVG chart per workload, the ratio table, and escapes names', () => {
    const html = renderBenchmarkHtml(fixture());
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<rect /g)).toHaveLength(8);
    expect(html).toContain('<table class="bench-ratios">');
    expect(html).toContain('&#60;uws&#62;');
    expect(html).not.toContain('<uws>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
