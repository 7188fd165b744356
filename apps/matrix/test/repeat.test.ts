/**
 * --repeat N: a case whose verdict differs across its runs is timing-dependent, with its counts in the
 * result text, index.json and JUnit; diff lists a timing-dependent flip apart from regressions (exit 0),
 * while a real regression still exits 1.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alternatingServer } from './alternating-server.js';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

async function writeIndex(dir: string, agent: string, entries: Record<string, object>): Promise<string> {
  await mkdir(dir, { recursive: true });
  const cases = Object.fromEntries(
    Object.entries(entries).map(([id, e]) => [
      id,
      { behaviorClose: 'OK', duration: 1, remoteCloseCode: 1000, reportfile: `x_case_${id}.json`, ...e },
    ]),
  );
  await writeFile(path.join(dir, 'index.json'), JSON.stringify({ [agent]: cases }));
  return dir;
}

describe('--repeat', () => {
  it('reports a case whose verdict alternates as timing-dependent with counts 1/2 (index, text, JUnit)', async () => {
    const server = await alternatingServer();
    const out = await tempDir('repeat');
    const junit = path.join(out, 'junit.xml');
    const r = await runMain([
      'run',
      '--url',
      server.url,
      '--agent',
      'alt',
      '--cases',
      '1.1.2,1.1.3',
      '--concurrency',
      '1',
      '--repeat',
      '2',
      '--out',
      out,
      '--junit',
      junit,
    ]);
    expect(server.connections()).toBe(4);
    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8'));
    const entry = index.alt['1.1.2'];
    // Two passes of two cases on one connection each: 1.1.2 gets connections 1 and 3 (both echo)...
    expect(entry.repeats).toEqual({ runs: 2, verdicts: { OK: 2 } });
    // ...and 1.1.3 connections 2 and 4 (neither echoes): one verdict, not timing-dependent.
    expect(Object.keys(index.alt['1.1.3'].repeats.verdicts)).toHaveLength(1);
    expect(r.code).toBe(1);

    // One case on its own alternates between its two runs.
    const out2 = await tempDir('repeat');
    const junit2 = path.join(out2, 'junit.xml');
    const r2 = await runMain([
      'run',
      '--url',
      server.url,
      '--agent',
      'alt',
      '--cases',
      '1.1.2',
      '--repeat',
      '2',
      '--out',
      out2,
      '--junit',
      junit2,
    ]);
    const e2 = JSON.parse(await readFile(path.join(out2, 'index.json'), 'utf8')).alt['1.1.2'];
    expect(e2.repeats.runs).toBe(2);
    expect(Object.values(e2.repeats.verdicts)).toEqual([1, 1]);
    expect(Object.keys(e2.repeats.verdicts)).toContain('OK');
    // The worst verdict seen stands in Autobahn's fields.
    expect(e2.behavior).toBe('FAILED');
    const record = JSON.parse(await readFile(path.join(out2, e2.reportfile), 'utf8'));
    expect(record.result).toMatch(/^Timing-dependent: (OK|FAILED)[^,]* 1\/2, (OK|FAILED)[^,]* 1\/2\. First run OK: /);
    expect(record.repeats).toEqual(e2.repeats);
    const xml = await readFile(junit2, 'utf8');
    expect(xml).toContain('failures="0"');
    expect(xml).toMatch(/<system-out>timing-dependent: .* 1\/2, .* 1\/2 \(passed: some run passed\)<\/system-out>/);
    expect(r2.stdout).toContain('1 timing-dependent');
    // Some run passed the strict rule, so the case passes it.
    expect(r2.code).toBe(0);
  }, 60_000);

  it('rejects a repeat outside 1..100 with one line and exit 2', async () => {
    for (const bad of ['0', '101', 'two']) {
      const r = await runMain(['run', '--url', 'ws://127.0.0.1:1', '--repeat', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('--repeat');
    }
  });
});

describe('diff with repeats', () => {
  it('lists a timing-dependent flip apart, exit 0; a plain change of verdict still regresses, exit 1', async () => {
    const root = await tempDir('repeat-diff');
    const before = await writeIndex(path.join(root, 'before'), 'wslay', {
      '3.3': { behavior: 'OK', repeats: { runs: 5, verdicts: { OK: 3, 'NON-STRICT': 2 } } },
      '3.4': { behavior: 'OK' },
    });
    const flipped = await writeIndex(path.join(root, 'flipped'), 'wslay', {
      '3.3': { behavior: 'NON-STRICT' },
      '3.4': { behavior: 'OK' },
    });
    const r = await runMain(['diff', before, flipped]);
    expect(r.stdout).toContain('0 regressed, 0 fixed, 1 timing-dependent');
    expect(r.stdout).toMatch(
      /timing-dependent \(not regressions.*\n {2}3\.3 +OK → NON-STRICT \(seen: OK, NON-STRICT\)/,
    );
    expect(r.code).toBe(0);

    const regressed = await writeIndex(path.join(root, 'regressed'), 'wslay', {
      '3.3': { behavior: 'OK' },
      '3.4': { behavior: 'NON-STRICT' },
    });
    const r2 = await runMain(['diff', flipped, regressed]);
    expect(r2.stdout).toContain('1 regressed');
    expect(r2.stdout).toMatch(/regressions:\n {2}3\.4 +OK → NON-STRICT/);
    expect(r2.code).toBe(1);

    // Repeated on both sides, each time with one verdict, and the two differ: a regression, not noise.
    const stableOk = await writeIndex(path.join(root, 'stable-ok'), 'wslay', {
      '3.3': { behavior: 'OK', repeats: { runs: 5, verdicts: { OK: 5 } } },
    });
    const stableNs = await writeIndex(path.join(root, 'stable-ns'), 'wslay', {
      '3.3': { behavior: 'NON-STRICT', repeats: { runs: 5, verdicts: { 'NON-STRICT': 5 } } },
    });
    expect((await runMain(['diff', stableOk, stableNs])).code).toBe(1);
    // A verdict the repeats never saw is a regression, even after a timing-dependent side.
    const failed = await writeIndex(path.join(root, 'failed'), 'wslay', {
      '3.3': { behavior: 'FAILED' },
      '3.4': { behavior: 'OK' },
    });
    const r3 = await runMain(['diff', before, failed]);
    expect(r3.stdout).toMatch(/regressions:\n {2}3\.3 +OK → FAILED/);
    expect(r3.code).toBe(1);
    const json = JSON.parse((await runMain(['diff', before, flipped, '--json'])).stdout);
    expect(json.timingDependent).toEqual([{ caseId: '3.3', before: 'OK', after: 'NON-STRICT' }]);
    expect(json.regressions).toEqual([]);
  });
});
