/** Results stored by earlier versions of the bench (some with machine-speed probe fields) still load and render. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareMedians } from '../src/agreement.js';
import { renderBenchmarkHtml } from '../src/html.js';
import { RESULT_SCHEMA, type BenchResult } from '../src/result.js';
import { formatBenchTable } from '../src/table.js';

const STORED = fileURLToPath(new URL('../../../matrix/results/bench/', import.meta.url));
const files = readdirSync(STORED).filter((f) => f.endsWith('.json'));
const load = (file: string): BenchResult => JSON.parse(readFileSync(STORED + file, 'utf8')) as BenchResult;

describe('stored results', () => {
  it('include results with and without probe fields', () => {
    const probed = files.filter((f) => 'probe' in load(f));
    expect(probed.length).toBeGreaterThan(0);
    expect(probed.length).toBeLessThan(files.length);
  });

  it.each(files)('%s renders as a table and an HTML page, probe fields ignored', (file) => {
    const stored = load(file);
    expect(stored.schema).toBe(RESULT_SCHEMA);
    const text = formatBenchTable(stored);
    const html = renderBenchmarkHtml(stored);
    for (const w of stored.workloads) {
      expect(text).toContain(`${w.id} — ${w.title}`);
      expect(html).toContain(`id="bench-${w.id}"`);
    }
    expect(text).toContain(`tcp = raw TCP echo (${stored.settings.tcpEcho})`);
    for (const output of [text, html]) expect(output).not.toMatch(/probe|normali[sz]ed|machine speed/i);
  });

  it('compare with one another, cell by cell', () => {
    const [a, b] = files.filter((f) => 'probe' in load(f)).map(load);
    const old = load(files.find((f) => !('probe' in load(f)))!);
    const agreement = compareMedians([a!, b!, old]);
    expect(agreement.total).toBe(a!.cells.length);
    expect(agreement.cells.every((c) => c.medians.length === 3)).toBe(true);
  });
});
