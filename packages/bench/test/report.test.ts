import { describe, expect, it } from 'vitest';
import { renderBenchmarkHtml } from '../src/html.js';
import { RESULT_SCHEMA, type BenchResult, type BenchRun } from '../src/result.js';
import { addRatios, pairedRatio, summarizeCell, toRun } from '../src/summary.js';
import { describeTargetSettings, formatBenchTable } from '../src/table.js';
import { selectWorkloads, WORKLOADS } from '../src/workloads.js';

function run(value: number): BenchRun {
  return {
    value,
    perSecond: value,
    completed: value,
    payloadBytes: 32 * value,
    sent: value,
    received: value,
    elapsedMs: 1000,
    p50Us: 100,
    p99Us: 900,
    clientCpu: 0.5,
    serverCpu: 0.95,
    otherCpu: 0,
    errorCount: 0,
    errors: [],
  };
}

function fixture(): BenchResult {
  const [handshake, small] = selectWorkloads(['handshake-l1', 'small-c16-f32']);
  const values: Record<string, number[]> = {
    core: [500, 480, 520],
    ws: [100, 90, 110],
    '<uws>': [900, 950, 1000],
    tcp: [2000, 2000, 2000],
  };
  const cells = [handshake!, small!].flatMap((w) =>
    Object.entries(values).map(([t, v]) => summarizeCell(w, t, v.map(run), [], 1)),
  );
  return {
    schema: RESULT_SCHEMA,
    startedAt: '2026-11-25T12:00:00.000Z',
    finishedAt: '2026-11-25T12:01:00.000Z',
    machine: { cores: 2, cpuModel: 'Test CPU', node: 'v20', platform: 'linux', arch: 'x64', kernel: '6', memoryGiB: 8 },
    pinning: {
      pinned: true,
      serverCpus: '1',
      clientCpus: '0',
      clientThreads: 1,
      note: 'server on cpu 1, client on cpu 0',
    },
    settings: { durationSec: 1, warmupSec: 0.25, runs: 3, tcpEcho: 'write-each', quietWaitMs: 0 },
    targets: Object.keys(values).map((name) => ({ name, implementation: name, version: '1', options: {} })),
    workloads: [handshake!, small!].map((w) => ({ id: w.id, title: w.title, unit: 'x/s' })),
    cells: addRatios(cells),
  };
}

describe('workload selection', () => {
  it('takes ids and group names, in catalogue order, once each', () => {
    expect(selectWorkloads(['large', 'handshake-l1', 'handshake']).map((w) => w.id)).toEqual([
      'handshake-l1',
      'handshake-l16',
      'large-64k',
      'large-1m',
    ]);
    expect(selectWorkloads(['all'])).toHaveLength(WORKLOADS.length);
    expect(() => selectWorkloads(['nope'])).toThrow(/^unknown workload "nope" \(expected one of: handshake, small, /);
  });
});

describe('summary', () => {
  it('median, min, max, spread and the ratios to ws and tcp', () => {
    const core = fixture().cells.find((c) => c.target === 'core' && c.workload === 'small-c16-f32')!;
    expect(core).toMatchObject({
      median: 500,
      min: 480,
      max: 520,
      ratioToWs: 5,
      ratioToTcp: 0.25,
      serverBound: true,
      clientBound: false,
      noisy: false,
    });
    expect(core.spread).toBeCloseTo(0.08);
  });

  it('paired ratios: the median of run k ÷ the reference run k, which a drift of both does not move', () => {
    const [w] = selectWorkloads(['handshake-l16']);
    // The machine slows to half in runs 2 and 3 for both targets; core stays 1.5× ws run by run.
    const core = summarizeCell(w!, 'core', [900, 450, 460, 930, 910].map(run), [], 1);
    const ws = summarizeCell(w!, 'ws', [600, 300, 310, 640, 320].map(run), [], 1);
    const [withRatios] = addRatios([core, ws]);
    // The ratio of the medians mixes a fast core run with a slow ws run (900 / 320);
    // paired: the median of 1.5, 1.5, 1.48, 1.45, 2.84.
    expect(withRatios!.ratioToWs).toBeCloseTo(900 / 320);
    expect(withRatios!.pairedRatioToWs).toBeCloseTo(1.5);
    expect(pairedRatio(core, summarizeCell(w!, 'ws', [600, 300].map(run), [], 1))).toBeNull();
    expect(pairedRatio(core, summarizeCell(w!, 'ws', [600, 0, 310, 640, 320].map(run), [], 1))).toBeNull();
    expect(pairedRatio(core, undefined)).toBeNull();
    const text = formatBenchTable({ ...fixture(), cells: addRatios([...fixture().cells]) });
    expect(text).toContain(
      'paired run by run (median of per-run ratios): core ×5.00 ws, ×0.25 tcp · <uws> ×9.09 ws, ×0.47 tcp',
    );
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
    expect(text).toMatch(/core\s+500 conn\/s\s+×5\.00\s+×0\.25\s+8\.0%/);
  });

  it('the table and the HTML show the socket layer a target ran on next to it, and why when it fell back', () => {
    const base = fixture();
    const result: BenchResult = {
      ...base,
      targets: base.targets.map((t) =>
        t.name === 'core'
          ? {
              ...t,
              options: {
                maxMessageSize: 1,
                socketLayer: 'net',
                socketLayerFallback: 'bare handles failed their loopback check: x',
              },
            }
          : t.name === 'ws'
            ? { ...t, options: { socketLayer: 'bare' } }
            : t,
      ),
    };
    const text = formatBenchTable(result);
    expect(text).toContain('  core: core 1 · socket layer: net (bare handles failed their loopback check: x)\n');
    expect(text).toContain('  ws: ws 1 · socket layer: bare\n');
    expect(text).toContain('  tcp: tcp 1\n');
    const html = renderBenchmarkHtml(result);
    expect(html).toContain(
      '<li><b>core</b>: core 1 · socket layer: net (bare handles failed their loopback check: x)</li>',
    );
    expect(html).toContain('<li><b>tcp</b>: tcp 1</li>');
    expect(describeTargetSettings({ deflate: true, options: { socketLayer: 'shared-reads' } })).toBe(
      ' · permessage-deflate (offered and required) · socket layer: shared-reads',
    );
    expect(describeTargetSettings({ options: {} })).toBe('');
  });

  it('the table and the HTML name the runtime of the processes, when the result records it', () => {
    const bundled = { ...fixture(), settings: { ...fixture().settings, runtime: 'bundle' } };
    expect(formatBenchTable(bundled).split('\n')[1]).toContain('· runtime bundle');
    expect(renderBenchmarkHtml(bundled)).toContain('; runtime bundle.');
    expect(formatBenchTable(fixture())).not.toContain('runtime');
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

describe('deflate in the results', () => {
  const deflateRun = (value: number, wireRatio: number): BenchRun => ({
    ...run(value),
    deflate: { replies: value, compressedReplies: value, wireRatio, sentRatio: 0.14 },
  });

  /** large-64k with core+deflate beside the uncompressed references, as runBenchmark would summarise it. */
  function deflateFixture(): BenchResult {
    const [large] = selectWorkloads(['large-64k']);
    const cells = addRatios([
      summarizeCell(
        large!,
        'core+deflate',
        [deflateRun(300, 0.15), deflateRun(320, 0.13), deflateRun(310, 0.14)],
        [],
        1,
      ),
      summarizeCell(large!, 'ws', [run(600)], [], 1),
      summarizeCell(large!, 'tcp', [run(2000)], [], 1),
    ]);
    const base = fixture();
    return {
      ...base,
      targets: [
        { name: 'core+deflate', implementation: '@wsmatrix/core', version: '1', options: {}, deflate: true },
        ...base.targets.slice(1),
      ],
      workloads: [{ id: large!.id, title: large!.title, unit: 'MB/s' }],
      cells,
    };
  }

  it('toRun turns a deflate tally into ratios; throughput stays in uncompressed bytes', () => {
    const [large] = selectWorkloads(['large-64k']);
    const job = {
      completed: 100,
      payloadBytes: 100 * 65_536,
      sent: 120,
      received: 120,
      elapsedMs: 1000,
      latency: [],
      clientCpuMs: 500,
      serverCpuMs: 500,
      machineCpuMs: 1000,
      cpuWallMs: 1000,
      threads: 1,
      errorCount: 0,
      errors: [],
      deflate: {
        messageBytes: 65_536,
        messageWireBytes: 9_000,
        replies: 120,
        compressedReplies: 119,
        replyWireBytes: 120 * 10_000,
      },
    };
    const r = toRun(large!, job);
    expect(r.value).toBeCloseTo((100 * 65_536) / 1e6);
    expect(r.deflate).toEqual({
      replies: 120,
      compressedReplies: 119,
      wireRatio: 10_000 / 65_536,
      sentRatio: 9_000 / 65_536,
    });
    expect(toRun(large!, { ...job, deflate: undefined })).not.toHaveProperty('deflate');
  });

  it('the cell takes the median wire ratio and counts uncompressed replies over the runs', () => {
    const cell = deflateFixture().cells.find((c) => c.target === 'core+deflate')!;
    expect(cell.deflate).toMatchObject({ wireRatio: 0.14, sentRatio: 0.14, replies: 930, uncompressedReplies: 0 });
    expect(cell.deflate!.payload).toMatch(/JSON log records/);
    const [large] = selectWorkloads(['large-64k']);
    const partly = {
      ...deflateRun(100, 0.5),
      deflate: { replies: 100, compressedReplies: 60, wireRatio: 0.5, sentRatio: 0.14 },
    };
    expect(summarizeCell(large!, 'x+deflate', [partly], [], 1).deflate!.uncompressedReplies).toBe(40);
    expect(deflateFixture().cells.find((c) => c.target === 'ws')).not.toHaveProperty('deflate');
  });

  it('the table marks deflate targets and adds the wire column only where a deflate row is', () => {
    const text = formatBenchTable(deflateFixture());
    expect(text).toContain('core+deflate: @wsmatrix/core 1 · permessage-deflate (offered and required)');
    expect(text).toMatch(
      /\+deflate rows: permessage-deflate negotiated; payload: JSON log records.*sent pre-compressed to 14\.0%/,
    );
    expect(text).toMatch(/target\s+median\s+vs ws\s+vs tcp\s+spread\s+wire\s+p50/);
    expect(text).toMatch(/core\+deflate\s+310 MB\/s\s+×0\.52\s+×0\.15\s+6\.5%\s+14\.0%/);
    expect(text).toMatch(/\n {2}ws\s+600 MB\/s\s+×1\.00\s+×0\.30\s+0\.0%\s+–\s+100 µs/);
    // A result without deflate (every result stored before it existed) prints as before: no wire column.
    expect(formatBenchTable(fixture())).not.toMatch(/wire|deflate/);
  });

  it('the HTML says so too, and a stored result without deflate fields renders as before', () => {
    const html = renderBenchmarkHtml(deflateFixture());
    expect(html).toContain('permessage-deflate (offered and required)');
    expect(html).toContain('<th class="num">wire</th>');
    expect(html).toContain('<td class="num">14.0%</td>');
    expect(html).toMatch(/\+deflate bars: permessage-deflate negotiated; payload: JSON log records/);
    const old = JSON.parse(JSON.stringify(fixture())) as BenchResult;
    expect(renderBenchmarkHtml(old)).not.toMatch(/wire|deflate/);
  });
});
