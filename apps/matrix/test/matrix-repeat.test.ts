/**
 * `wsmatrix matrix --repeat N`: a server column and a client column each play their cases N times; a case whose
 * verdict differed is stored with its counts (run file and index.json), marked in the report, and a stored
 * verdict is reused with its counts only when it was measured with at least N runs.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alternatingServer } from './alternating-server.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

interface Entry {
  behavior: string;
  repeats?: { runs: number; verdicts: Record<string, number> };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

describe('matrix --repeat on a server column', () => {
  it('stores the counts, marks the cell, and reuses a verdict only when measured with enough runs', async () => {
    const server = await alternatingServer();
    const dir = await tempDir('matrix-repeat');
    const results = path.join(dir, 'results');
    const report = path.join(dir, 'report');
    const argv = (...more: string[]) => [
      'matrix',
      '--targets',
      'none',
      '--url',
      `alt@1.0.0=${server.url}`,
      '--cases',
      '1.1.2',
      '--results',
      results,
      '--report',
      report,
      ...more,
    ];
    const first = await runMain(argv('--repeat', '2', '--json'));
    expect(first.code, first.stderr).toBe(0);
    expect(server.connections()).toBe(2);
    expect(first.stderr).toMatch(/^alt 1\.0\.0 .*; 1 timing-dependent/m);
    expect(
      (JSON.parse(first.stdout) as { columns: Array<{ timingDependent: number }> }).columns[0]!.timingDependent,
    ).toBe(1);

    const release = path.join(results, 'alt', '1.0.0');
    const entry = (await readJson<Record<string, Record<string, Entry>>>(path.join(release, 'index.json'))).alt![
      '1.1.2'
    ]!;
    expect(entry.repeats).toEqual({ runs: 2, verdicts: { OK: 1, 'FAILED/FAILED': 1 } });
    // The worst verdict seen in Autobahn's field.
    expect(entry.behavior).toBe('FAILED');
    const [runFile] = await readdir(path.join(release, 'runs'));
    const run = await readJson<{ verdicts: Record<string, string>; repeats: Record<string, unknown> }>(
      path.join(release, 'runs', runFile!),
    );
    expect(run.verdicts).toEqual({ '1.1.2': 'FAILED/FAILED' });
    expect(run.repeats).toEqual({ '1.1.2': { runs: 2, verdicts: { OK: 1, 'FAILED/FAILED': 1 } } });

    // The cell: counted as the run that passed, marked, its counts in the title; the case page has the counts.
    const html = await readFile(path.join(report, 'index.html'), 'utf8');
    const cell = html.match(/<td class="cell [^"]*"[^>]*data-timing="[^"]*"[^>]*>.*?<\/td>/)?.[0] ?? '';
    expect(cell).toContain(' timing"');
    expect(cell).toContain('data-outcome="ok"');
    expect(cell).toContain('data-timing="OK 1/2, FAILED/FAILED 1/2"');
    expect(cell).toMatch(/title="Timing-dependent: OK 1\/2, FAILED\/FAILED 1\/2 /);
    expect(cell).toMatch(/>OK<span class="timing-mark">~<\/span>/);
    const page = await readFile(path.join(report, 'cases', '1.1.2.html'), 'utf8');
    expect(page).toMatch(/<span class="timing" data-repeats>timing-dependent: OK 1\/2, FAILED\/FAILED 1\/2<\/span>/);

    // Asked for no more runs than stored: reused with its counts, nothing played.
    const again = await runMain(argv('--repeat', '2'));
    expect(again.code, again.stderr).toBe(0);
    expect(server.connections()).toBe(2);
    expect(again.stdout).toMatch(/1 verdicts reused/);
    const reusedHtml = await readFile(path.join(report, 'index.html'), 'utf8');
    expect(reusedHtml).toContain('data-timing="OK 1/2, FAILED/FAILED 1/2"');
    const reusedPage = await readFile(path.join(report, 'cases', '1.1.2.html'), 'utf8');
    expect(reusedPage).toContain('Stored verdict (timing-dependent: OK 1/2, FAILED/FAILED 1/2), measured ');
    const afterReuse = await readJson<Record<string, Record<string, Entry>>>(path.join(release, 'index.json'));
    expect(afterReuse.alt!['1.1.2']!.repeats).toEqual({ runs: 2, verdicts: { OK: 1, 'FAILED/FAILED': 1 } });

    // Asked for more runs than the stored verdict had: played again, three times.
    const more = await runMain(argv('--repeat', '3'));
    expect(more.code, more.stderr).toBe(0);
    expect(server.connections()).toBe(5);
    expect(more.stdout).not.toMatch(/reused/);
    const replayed = await readJson<Record<string, Record<string, Entry>>>(path.join(release, 'index.json'));
    expect(replayed.alt!['1.1.2']!.repeats!.runs).toBe(3);
  }, 60_000);
});

/**
 * A client driver that plays the first case of the plan: it echoes on the first, third… time it is started and
 * closes 1000 without echoing on the others (its count kept in `counter`).
 */
function alternatingDriver(counter: string): string {
  const ws = pathToFileURL(createRequire(import.meta.url).resolve('ws')).href;
  return [
    `import WebSocket from ${JSON.stringify(ws)};`,
    "import { existsSync, readFileSync, writeFileSync } from 'node:fs';",
    `const counter = ${JSON.stringify(counter)};`,
    "const n = (existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0) + 1;",
    'writeFileSync(counter, String(n));',
    'const [base, agent] = process.argv.slice(2);',
    "const ws = new WebSocket(base + '/runCase?case=1&agent=' + encodeURIComponent(agent));",
    "ws.on('message', (data, isBinary) => (n % 2 === 1 ? ws.send(data, { binary: isBinary }) : ws.close(1000)));",
    "ws.on('error', () => {});",
    "ws.on('close', () => process.exit(0));",
  ].join('\n');
}

describe('matrix --repeat on a client column', () => {
  it('starts the driver once per repeat and folds its runs into one result with the counts', async () => {
    const dir = await tempDir('matrix-repeat-client');
    const counter = path.join(dir, 'started');
    const driver = path.join(dir, 'alternating.mjs');
    await writeFile(driver, alternatingDriver(counter));
    const results = path.join(dir, 'results');
    const r = await runMain([
      'matrix',
      '--clients',
      'none',
      '--targets',
      'none',
      '--client',
      `alt@1.0.0=${process.execPath} ${driver} {url} {agent}`,
      '--cases',
      '1.1.2',
      '--repeat',
      '3',
      '--results',
      results,
      '--report',
      path.join(dir, 'report'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(counter, 'utf8')).toBe('3');
    expect(r.stdout).toMatch(/\(run 3 of 3\)/);
    const index = await readJson<Record<string, Record<string, Entry>>>(
      path.join(results, 'clients', 'alt', '1.0.0', 'index.json'),
    );
    const entry = index.alt!['1.1.2']!;
    expect(entry.repeats!.runs).toBe(3);
    // Runs 1 and 3 echoed, run 2 did not: two of one verdict, one of another.
    expect(Object.values(entry.repeats!.verdicts).sort()).toEqual([1, 2]);
    expect(entry.repeats!.verdicts.OK).toBe(2);
  }, 60_000);
});
