/**
 * outdir/index.html of a wstest run: one self-contained page (inline style, no scripts), a row per case and
 * a column per agent, each cell the case's behavior linked to its JSON report and its close verdict with
 * the tested peer's close code, and whether the case passed under the run's pass rule.
 */
import { compareCaseIds } from '@wsmatrix/cases';
import { caseReportFilename, type AutobahnIndex } from '@wsmatrix/runner';
import type { PassRule } from './pass-rules.js';
import { esc } from './report/html.js';

const CLASS: Record<string, string> = {
  OK: 'ok',
  'NON-STRICT': 'nonstrict',
  INFORMATIONAL: 'info',
  UNIMPLEMENTED: 'unimpl',
};

const STYLE = [
  'body{font:14px system-ui,sans-serif;margin:1.5em}',
  'table{border-collapse:collapse}',
  'th,td{border:1px solid #ccc;padding:2px 8px;text-align:left}',
  '.ok{background:#cfc}.nonstrict{background:#ffc}.info{background:#ddf}.unimpl{background:#eee}',
  '.failed{background:#fcc}.missing{color:#888}.rule-fail{outline:2px solid #c00}',
].join('\n');

/** `peer`: what the agents are (servers for wstest -m fuzzingclient, clients for the fuzzingserver). */
export function renderIndexHtml(
  index: Readonly<AutobahnIndex>,
  rule: PassRule,
  generatedAt: Date,
  peer: 'server' | 'client' = 'server',
): string {
  const agents = Object.keys(index).sort();
  const ids = [...new Set(agents.flatMap((a) => Object.keys(index[a]!)))].sort(compareCaseIds);
  const totals = agents.map((agent) => {
    const entries = Object.values(index[agent]!);
    const failing = entries.filter((e) => !rule.passes(e)).length;
    return `<li>${esc(agent)}: ${entries.length} cases, ${failing} failing under the rule "${esc(rule.name)}"</li>`;
  });
  const head = `<tr><th>Case</th>${agents.map((a) => `<th>${esc(a)}</th>`).join('')}</tr>`;
  const rows = ids.map((id) => {
    const cells = agents.map((agent) => {
      const e = index[agent]![id];
      if (e === undefined) return '<td class="missing">Missing</td>';
      const cls = `${CLASS[e.behavior] ?? 'failed'}${rule.passes(e) ? '' : ' rule-fail'}`;
      const file = esc(caseReportFilename(agent, id));
      const close = `${esc(e.behaviorClose)}${e.remoteCloseCode === null ? '' : ` (${e.remoteCloseCode})`}`;
      return `<td class="${cls}"><a href="${file}">${esc(e.behavior)}</a> · ${close}</td>`;
    });
    return `<tr><td>${esc(id)}</td>${cells.join('')}</tr>`;
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>wstest report</title>',
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<h1>wstest report</h1>',
    `<p>Generated ${esc(generatedAt.toISOString())}. Each cell: behavior (linked to the case's JSON report) · ` +
      `behaviorClose (the ${peer}'s close code). Outlined cells fail the pass rule.</p>`,
    `<ul>\n${totals.join('\n')}\n</ul>`,
    `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
