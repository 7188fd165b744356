/** Number formatting shared by the text table and the HTML page. */

/** 3 significant digits with k / M suffixes: 182345 → "182k", 1.95e6 → "1.95M". */
export function formatValue(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${digits(value / 1e6)}M`;
  if (abs >= 1e4) return `${digits(value / 1e3)}k`;
  return digits(value);
}

function digits(n: number): string {
  const abs = Math.abs(n);
  return n.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** A ratio as "×1.23" (two decimals below 10, one above); "–" when absent. */
export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '–';
  return `×${ratio.toFixed(ratio >= 10 ? 1 : ratio >= 0.1 ? 2 : 3)}`;
}

/** Microseconds as "85 µs", "1.25 ms", "2.10 s". */
export function formatMicros(us: number | null): string {
  if (us === null) return '–';
  if (us < 1000) return `${us.toFixed(us < 10 ? 1 : 0)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

export function formatPercent(fraction: number | null): string {
  return fraction === null ? '–' : `${(fraction * 100).toFixed(1)}%`;
}

/** CPU in cores: "0.62". */
export function formatCores(cores: number | null): string {
  return cores === null ? '–' : cores.toFixed(2);
}

/** Rows of text as columns, each as wide as its widest cell: `left` columns padded on the right, others on the left. */
export function alignColumns(
  rows: readonly string[][],
  left: (column: number, row: readonly string[]) => boolean,
): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((text, i) => (left(i, r) ? text.padEnd(widths[i]!) : text.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}
