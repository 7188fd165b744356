/**
 * The benchmark against an external target (wslay: a C server started by command, forking per connection) beside
 * one that cannot start: the external one is measured through real processes, its server CPU read from the whole
 * process tree its server process started; the broken one is a row and a column that say why. Counts only.
 */
import {
  createCommandTarget,
  getAnyTarget,
  resolveTarget,
  type CommandTarget,
  type EchoTarget,
} from '@wsmatrix/targets';
import { describe, expect, it } from 'vitest';
import { renderBenchmarkHtml } from '../src/html.js';
import { runBenchmark } from '../src/run-benchmark.js';
import { formatBenchTable } from '../src/table.js';

const wslayMissing = (getAnyTarget('wslay') as CommandTarget).unavailableReason();

const broken = createCommandTarget(
  {
    name: 'broken',
    implementation: 'broken',
    requires: [],
    version: { run: ['echo', '0.0.1'] },
    command: ['sh', '-c', 'echo "no listening today" >&2; exit 3', 'sh', '{port}'],
    options: {},
    readyTimeoutMs: 5_000,
  },
  { dir: process.cwd() },
);

describe.runIf(wslayMissing === undefined || process.env.CI)('an external target in the benchmark', () => {
  it('is measured with its whole process tree’s CPU, beside a target that did not start', async () => {
    const resolve = (name: string): Promise<EchoTarget> =>
      name === 'broken' ? Promise.resolve(broken) : resolveTarget(name);
    const result = await runBenchmark({
      targets: ['wslay', 'broken'],
      resolveTarget: resolve,
      workloads: ['small-c16-f1'],
      durationSec: 0.5,
      warmupSec: 0.1,
      warmupRoundSec: 0,
      runs: 1,
      quietWaitMs: 0,
      minCompleted: 64,
    });
    expect(result.targets.map((t) => [t.name, t.implementation, t.error === undefined])).toEqual([
      ['wslay', 'wslay', true],
      ['broken', 'broken', false],
      ['ws', 'ws', true],
      ['tcp', 'node:net', true],
    ]);
    expect(result.targets.find((t) => t.name === 'broken')!.error).toMatch(/^target "broken" did not start/);
    expect(result.cells.map((c) => c.target)).toEqual(['wslay', 'ws', 'tcp']);
    const [run] = result.cells.find((c) => c.target === 'wslay')!.runs;
    expect(run!.errorCount).toBe(0);
    expect(run!.completed).toBeGreaterThanOrEqual(64);
    expect(run!.received).toBe(run!.sent);
    // wslay serves each connection in a process it forked: only the tree's CPU shows its work (the server
    // process that started it sits idle meanwhile).
    expect(run!.serverCpu).toBeGreaterThan(0);

    const table = formatBenchTable(result);
    expect(table).toMatch(/ {2}broken: broken unknown — not measured: target "broken" did not start/);
    expect(table).toMatch(/\n {2}broken +not measured +see above\n/);
    const html = renderBenchmarkHtml(result);
    expect(html).toMatch(/<th class="not-measured" title="target &#34;broken&#34; did not start[^"]*">broken<\/th>/);
    expect(html).toMatch(/<tr class="not-measured"><th>broken<\/th><td colspan="\d+">not measured: target/);
  }, 120_000);
});
