/** The text table `wsmatrix bench` prints: one block per workload, one row per target. */
import { formatCores, formatMicros, formatPercent, formatRatio, formatValue } from './format.js';
import type { BenchCell, BenchResult } from './result.js';

const COLUMNS = ['target', 'median', 'spread', 'vs ws', 'vs tcp', 'p50', 'p99', 'client CPU', 'server CPU', 'other CPU', 'note'] as const;
/** Where the `wire` column goes (after "vs tcp") in blocks that have a permessage-deflate row. */
const WIRE_AT = COLUMNS.indexOf('vs tcp') + 1;

function row(cell: BenchCell, withWire: boolean): string[] {
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
  if (withWire) cells.splice(WIRE_AT, 0, cell.deflate ? formatPercent(cell.deflate.wireRatio) : '–');
  return cells;
}

function header(withWire: boolean): string[] {
  const names: string[] = [...COLUMNS];
  if (withWire) names.splice(WIRE_AT, 0, 'wire');
  return names;
}

function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  // Text left, figures right.
  return rows.map((r) =>
    r.map((text, i) => (i === 0 || i === r.length - 1 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ').trimEnd(),
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
    const deflate = t.deflate ? ' · permessage-deflate (offered and required)' : '';
    lines.push(`  ${t.name}: ${t.implementation} ${t.version}${deflate}${t.error ? ` — not measured: ${t.error}` : ''}`);
  }
  for (const w of result.workloads) {
    const cells = result.cells.filter((c) => c.workload === w.id);
    const withWire = cells.some((c) => c.deflate);
    lines.push(
      '',
      `${w.id} — ${w.title} (${w.unit})`,
      ...deflateLegend(cells),
      ...align([header(withWire), ...cells.map((c) => row(c, withWire))]).map((l) => `  ${l}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
