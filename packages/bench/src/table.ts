/** The text table `wsmatrix bench` prints: one block per workload, one row per target. */
import { formatCores, formatMicros, formatPercent, formatRatio, formatValue } from './format.js';
import type { BenchCell, BenchResult } from './result.js';

const COLUMNS = ['target', 'median', 'spread', 'vs ws', 'vs tcp', 'p50', 'p99', 'client CPU', 'server CPU', 'other CPU', 'note'] as const;

function row(cell: BenchCell): string[] {
  const notes: string[] = [];
  if (cell.clientBound) notes.push('client-bound');
  if (cell.serverBound) notes.push('server-bound');
  if (cell.noisy) notes.push('noisy: other processes busy');
  if (cell.errors.length) notes.push(`errors: ${cell.errors[0]}`);
  return [
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
}

function align(rows: string[][]): string[] {
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  // Text left, figures right.
  return rows.map((r) =>
    r.map((text, i) => (i === 0 || i === r.length - 1 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ').trimEnd(),
  );
}

export function formatBenchTable(result: BenchResult): string {
  const { machine, pinning, settings } = result;
  const lines = [
    `wsmatrix bench · ${machine.cores} cores, ${machine.cpuModel} · node ${machine.node} · ${pinning.note}`,
    `${settings.runs} run(s) × ${settings.durationSec} s after ${settings.warmupSec} s warm-up · median, spread = (max − min) / median · ` +
      `CPU in cores · tcp = raw TCP echo (${settings.tcpEcho})`,
  ];
  for (const t of result.targets) {
    lines.push(`  ${t.name}: ${t.implementation} ${t.version}${t.error ? ` — not measured: ${t.error}` : ''}`);
  }
  for (const w of result.workloads) {
    const cells = result.cells.filter((c) => c.workload === w.id);
    lines.push('', `${w.id} — ${w.title} (${w.unit})`, ...align([[...COLUMNS], ...cells.map(row)]).map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}
