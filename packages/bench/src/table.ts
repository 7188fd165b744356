/** The text table `wsmatrix bench` prints: one block per workload, one row per target. */
import { alignColumns, formatCores, formatMicros, formatPercent, formatRatio, formatValue } from './format.js';
import type { BenchCell, BenchResult, BenchTarget, CellDeflate } from './result.js';

/**
 * What a target's figures were measured with, beyond its version: permessage-deflate, and the socket
 * layer in effect in the server process (the core's; a fallback says why), as " · …" parts.
 */
export function describeTargetSettings(target: Pick<BenchTarget, 'deflate' | 'options'>): string {
  const parts: string[] = [];
  if (target.deflate) parts.push('permessage-deflate (offered and required)');
  const { socketLayer, socketLayerFallback } = target.options;
  const why = typeof socketLayerFallback === 'string' ? ` (${socketLayerFallback})` : '';
  if (typeof socketLayer === 'string') parts.push(`socket layer: ${socketLayer}${why}`);
  return parts.map((p) => ` · ${p}`).join('');
}

type Column = readonly [name: string, value: (cell: BenchCell) => string];

/**
 * A cell's figures after its median and ratios, named, in the text table and on the HTML page alike;
 * `wire` only in blocks that have a permessage-deflate row.
 */
export function detailColumns(wire: boolean): Column[] {
  return [
    ['spread', (c) => formatPercent(c.spread)],
    ...(wire ? [['wire', (c) => (c.deflate ? formatPercent(c.deflate.wireRatio) : '–')] as Column] : []),
    ['p50', (c) => formatMicros(c.p50Us)],
    ['p99', (c) => formatMicros(c.p99Us)],
    ['client CPU', (c) => formatCores(c.clientCpu)],
    ['server CPU', (c) => formatCores(c.serverCpu)],
    ['other CPU', (c) => formatCores(c.otherCpu)],
  ];
}

/** What to know about a cell's figure besides the figures: what bounded it, noise. */
export function cellFlags(cell: BenchCell): string[] {
  const flags = [
    cell.clientBound ? 'client-bound' : '',
    cell.serverBound ? 'server-bound' : '',
    cell.noisy ? 'noisy: other processes busy' : '',
  ];
  return flags.filter(Boolean);
}

/** What the deflate rows of a block measured, in two sentences, said once per block. */
export function describeDeflate(deflate: CellDeflate): [string, string] {
  return [
    `permessage-deflate negotiated; payload: ${deflate.payload}, ` +
      `sent pre-compressed to ${formatPercent(deflate.sentRatio)} of its size`,
    'wire = reply payload bytes on the wire ÷ uncompressed message bytes; figures count messages at their ' +
      'uncompressed size; vs ws / vs tcp divide by the uncompressed references',
  ];
}

/** Why a URL server's row has no server CPU: the benchmark neither started nor pinned it. */
export const URL_SERVER_NOTE = 'server CPU not measured (your server: not started or pinned by the bench)';

function block(
  cells: readonly BenchCell[],
  urlTargets: ReadonlySet<string> = new Set(),
  notMeasured: readonly BenchTarget[] = [],
): string[] {
  const deflate = cells.find((c) => c.deflate)?.deflate;
  const columns = detailColumns(deflate !== undefined);
  // A target that could not run keeps its row in every block, saying so (why: on its target line).
  const missing = notMeasured.map((t) => [t.name, 'not measured', '', '', ...columns.map(() => ''), 'see above']);
  const cellRows = cells.map((c) => [
    c.target,
    c.median === null ? 'failed' : `${formatValue(c.median)} ${c.unit}`,
    formatRatio(c.ratioToWs),
    formatRatio(c.ratioToTcp),
    ...columns.map(([, value]) => value(c)),
    [
      ...(urlTargets.has(c.target) ? ['server CPU not measured (your server)'] : []),
      ...cellFlags(c),
      ...(c.errors.length ? [`errors: ${c.errors[0]}`] : []),
    ].join('; '),
  ]);
  const rows = [...cellRows, ...missing];
  const header = ['target', 'median', 'vs ws', 'vs tcp', ...columns.map(([name]) => name), 'note'];
  // Text left, figures right.
  const table = alignColumns([header, ...rows], (i, r) => i === 0 || i === r.length - 1);
  const legend = deflate ? describeDeflate(deflate) : undefined;
  return [...(legend ? [`+deflate rows: ${legend[0]};`, legend[1]] : []), ...table, ...pairedLine(cells)];
}

export function formatBenchTable(result: BenchResult): string {
  const { machine, pinning, settings } = result;
  const lines = [
    `wsmatrix bench · ${machine.cores} cores, ${machine.cpuModel} · node ${machine.node} · ${pinning.note}`,
    `${settings.runs} run(s) × ${settings.durationSec} s after ${settings.warmupSec} s warm-up · ` +
      'median, spread = (max − min) / median · CPU in cores · ' +
      `tcp = raw TCP echo (${settings.tcpEcho})${settings.malloc ? ` · malloc ${settings.malloc}` : ''}` +
      `${settings.runtime ? ` · runtime ${settings.runtime}` : ''}`,
  ];
  for (const t of result.targets) {
    const error = t.error ? ` — not measured: ${t.error}` : '';
    const url = t.url ? ` at ${t.url}, ${URL_SERVER_NOTE}` : '';
    lines.push(`  ${t.name}: ${t.implementation} ${t.version}${url}${describeTargetSettings(t)}${error}`);
  }
  const urlTargets = new Set(result.targets.filter((t) => t.url).map((t) => t.name));
  const notMeasured = result.targets.filter((t) => t.error);
  for (const w of result.workloads) {
    const cells = result.cells.filter((c) => c.workload === w.id);
    lines.push('', `${w.id} — ${w.title} (${w.unit})`, ...block(cells, urlTargets, notMeasured).map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The ratios taken run by run (run k of a target ÷ run k of ws or tcp, measured seconds apart), whose
 * median a drift of the whole machine between runs does not move; one line under a workload's rows.
 */
function pairedLine(cells: readonly BenchCell[]): string[] {
  const parts = cells
    .filter((c) => c.target !== 'ws' && c.target !== 'tcp' && (c.pairedRatioToWs != null || c.pairedRatioToTcp != null))
    .map(
      (c) => `${c.target} ${formatRatio(c.pairedRatioToWs ?? null)} ws, ${formatRatio(c.pairedRatioToTcp ?? null)} tcp`,
    );
  return parts.length ? [`paired run by run (median of per-run ratios): ${parts.join(' · ')}`] : [];
}
