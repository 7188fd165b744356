/** The text table `wsmatrix bench` prints: one block per workload, one row per target. */
import { formatCores, formatMicros, formatPercent, formatRatio, formatValue } from './format.js';
import type { BenchCell, BenchResult, BenchTarget } from './result.js';

/**
 * What a target's figures were measured with, beyond its version: permessage-deflate, and the socket
 * layer in effect in the server process (the core's; a fallback says why), as " · …" parts.
 */
export function describeTargetSettings(target: Pick<BenchTarget, 'deflate' | 'options'>): string {
  const parts: string[] = [];
  if (target.deflate) parts.push('permessage-deflate (offered and required)');
  const { socketLayer, socketLayerFallback } = target.options;
  if (typeof socketLayer === 'string') {
    parts.push(
      `socket layer: ${socketLayer}${typeof socketLayerFallback === 'string' ? ` (${socketLayerFallback})` : ''}`,
    );
  }
  return parts.map((p) => ` · ${p}`).join('');
}

const COLUMNS = [
  'target',
  'median',
  'spread',
  'vs ws',
  'vs tcp',
  'p50',
  'p99',
  'client CPU',
  'server CPU',
  'other CPU',
  'note',
] as const;
/** Where the `wire` column goes (after "vs tcp") in blocks that have a permessage-deflate row. */
const WIRE_AT = COLUMNS.indexOf('vs tcp') + 1;

function row(cell: BenchCell, wire: boolean): string[] {
  const notes: string[] = [];
  if (cell.clientBound) notes.push('client-bound');
  if (cell.serverBound) notes.push('server-bound');
  if (cell.noisy) notes.push('noisy: other processes busy');
  if (cell.errors.length) notes.push(`errors: ${cell.errors[0]}`);
  const cells = [
    cell.target,
    cell.median === null ? 'failed' : `${formatValue(cell.median)} ${cell.unit}`,
    formatPercent(cell.spread),
    formatRatio(cell.ratioToWs),
    formatRatio(cell.ratioToTcp),
    formatMicros(cell.p50Us),
    formatMicros(cell.p99Us),
    formatCores(cell.clientCpu),
    formatCores(cell.serverCpu),
    formatCores(cell.otherCpu),
    notes.join('; '),
  ];
  if (wire) cells.splice(WIRE_AT, 0, cell.deflate ? formatPercent(cell.deflate.wireRatio) : '–');
  return cells;
}

function header(wire: boolean): string[] {
  const names: string[] = [...COLUMNS];
  if (wire) names.splice(WIRE_AT, 0, 'wire');
  return names;
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  // Text left, figures right.
  return rows.map((r) =>
    r
      .map((text, i) => (i === 0 || i === r.length - 1 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** What the deflate rows of a block measured, said once under its title. */
function deflateLegend(cells: readonly BenchCell[]): string[] {
  const deflate = cells.find((c) => c.deflate)?.deflate;
  if (!deflate) return [];
  return [
    `  +deflate rows: permessage-deflate negotiated; payload: ${deflate.payload}, sent pre-compressed to ${formatPercent(deflate.sentRatio)} of its size;`,
    '  wire = reply payload bytes on the wire ÷ uncompressed message bytes; figures count messages at their uncompressed size; vs ws / vs tcp divide by the uncompressed references',
  ];
}

export function formatBenchTable(result: BenchResult): string {
  const { machine, pinning, settings } = result;
  const lines = [
    `wsmatrix bench · ${machine.cores} cores, ${machine.cpuModel} · node ${machine.node} · ${pinning.note}`,
    `${settings.runs} run(s) × ${settings.durationSec} s after ${settings.warmupSec} s warm-up · median, spread = (max − min) / median · ` +
      `CPU in cores · tcp = raw TCP echo (${settings.tcpEcho})${settings.malloc ? ` · malloc ${settings.malloc}` : ''}` +
      `${settings.runtime ? ` · runtime ${settings.runtime}` : ''}`,
  ];
  for (const t of result.targets) {
    lines.push(
      `  ${t.name}: ${t.implementation} ${t.version}${describeTargetSettings(t)}${t.error ? ` — not measured: ${t.error}` : ''}`,
    );
  }
  for (const w of result.workloads) {
    const cells = result.cells.filter((c) => c.workload === w.id);
    const wire = cells.some((c) => c.deflate);
    lines.push(
      '',
      `${w.id} — ${w.title} (${w.unit})`,
      ...deflateLegend(cells),
      ...align([header(wire), ...cells.map((c) => row(c, wire))]).map((l) => `  ${l}`),
      ...pairedLine(cells),
    );
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
  return parts.length ? [`  paired run by run (median of per-run ratios): ${parts.join(' · ')}`] : [];
}
