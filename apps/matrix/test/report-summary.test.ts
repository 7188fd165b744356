/**
 * The summary lines count each origin of cases apart: Autobahn's catalogue (groups 1-13), our handshake group
 * 0 and our permessage-deflate edge cases of group 14; the glossary says what group 14 is.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { allCaseIds, clientCaseIds } from '@wsmatrix/cases';
import type { CaseResult } from '@wsmatrix/runner';
import { caseResult } from '@wsmatrix/runner/testing';
import { describe, expect, it } from 'vitest';
import { type ReportColumn, writeReport } from '../src/report/index.js';
import { ORIGINS, splitByOrigin } from '../src/report/outcome.js';
import { tempDir } from './temp-dir.js';

const column = (key: string, results: CaseResult[], extra: Partial<ReportColumn> = {}): ReportColumn => ({
  key,
  label: key,
  implementation: key,
  version: '1',
  status: 'ok',
  results,
  ...extra,
});

async function report(columns: ReportColumn[]): Promise<{ dir: string; index: string }> {
  const dir = await tempDir('report-summary');
  await writeReport(dir, { title: 't', generatedAt: 'now', history: [], columns });
  return { dir, index: await readFile(path.join(dir, 'index.html'), 'utf8') };
}

/** The summary row of `key` and one of its cells by data-part. */
function summaryPart(index: string, key: string, part: string): string {
  const row = new RegExp(`<tr data-summary="${key}"[\\s\\S]*?</tr>`).exec(index)![0];
  return new RegExp(`<td class="[^"]*" data-part="${part}"[^>]*>([\\s\\S]*?)</td>`).exec(row)![0];
}

describe('the origins of the catalogue', () => {
  it('split every server case into Autobahn 517, group 0 53 and group 14 26', () => {
    const parts = splitByOrigin(allCaseIds.map((id) => caseResult(id)));
    expect(ORIGINS.map((o) => parts[o].length)).toEqual([517, 53, 26]);
    expect(parts['deflate-edge'].every((r) => r.id.startsWith('14.'))).toBe(true);
    expect(parts.handshake.every((r) => r.id.startsWith('0.'))).toBe(true);
  });

  it('split every client case into Autobahn 517, client group 0 33 and group 14 26', () => {
    const parts = splitByOrigin(clientCaseIds.map((id) => caseResult(id)));
    expect(ORIGINS.map((o) => parts[o].length)).toEqual([517, 33, 26]);
  });
});

describe('summary lines above the grid', () => {
  it('count group 14 in a part of its own, not in the handshake part', async () => {
    const results = [
      caseResult('1.1.1'),
      caseResult('12.1.1', { behavior: 'UNIMPLEMENTED' }),
      caseResult('0.1.1'),
      caseResult('0.1.2'),
      caseResult('14.1.1', { behavior: 'FAILED' }),
      caseResult('14.2.1'),
      caseResult('14.2.4', { behavior: 'NON-STRICT' }),
      caseResult('14.3.4', { behavior: 'UNIMPLEMENTED' }),
    ];
    const { index } = await report([column('bun', results), column('plain', [caseResult('1.1.1')])]);
    expect(summaryPart(index, 'bun', 'autobahn')).toContain('1/1 passed');
    // Group 0 alone: its two cases passed, group 14's FAILED is not there.
    expect(summaryPart(index, 'bun', 'handshake')).toContain('class="part s-ok"');
    expect(summaryPart(index, 'bun', 'handshake')).toContain('2/2 passed');
    expect(summaryPart(index, 'bun', 'handshake-failed')).toContain('>0 FAILED<');
    const edge = summaryPart(index, 'bun', 'deflate-edge');
    expect(edge).toContain('class="part s-failed"');
    expect(edge).toContain('data-passed="2"');
    expect(edge).toContain('2/3 passed');
    expect(edge).toContain('1 UNIMPLEMENTED');
    expect(summaryPart(index, 'bun', 'deflate-edge-failed')).toContain(
      '<strong class="failed-count">1 FAILED</strong>',
    );
    // A column that ran none of group 14 says so in that part.
    expect(summaryPart(index, 'plain', 'deflate-edge')).toContain('not run');
    expect(index).toMatch(/<th title="Group 14: permessage-deflate edge cases[^"]*">Deflate edge cases, group 14/);
  });

  it('a column without results spans every part with its reason', async () => {
    const { index } = await report([column('gone', [], { status: 'down', reason: 'did not start' })]);
    const row = /<tr data-summary="gone"[\s\S]*?<\/tr>/.exec(index)![0];
    const head = /<table class="summary"[\s\S]*?<\/thead>/.exec(index)![0];
    const headCells = head.match(/<th[ >]/g)!.length;
    expect(row).toContain(`<td colspan="${headCells - 1}" class="part s-not-run">target down: did not start</td>`);
  });
});

describe('the glossary', () => {
  it('says what group 14 is: our permessage-deflate edge cases, RFC 7692 rules, both roles', async () => {
    const { dir } = await report([column('x', [caseResult('14.1.1')])]);
    const glossary = await readFile(path.join(dir, 'glossary.html'), 'utf8');
    const entry = /<p id="group-14">([\s\S]*?)<\/p>/.exec(glossary)![1]!;
    expect(entry).toContain('permessage-deflate edge cases');
    expect(entry).toContain('RFC 7692');
    expect(entry).toMatch(/both roles/);
    for (const sub of ['14.1', '14.2', '14.3', '14.4', '14.5']) expect(entry).toContain(`(${sub})`);
    expect(glossary).toMatch(/group 14, the permessage-deflate edge cases/);
  });
});
