import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { allCaseIds, caseById, selectCaseIds, type CaseDef } from '@wsmatrix/cases';
import { runSuite, writeReportFiles, summarize, type CaseResult } from '@wsmatrix/runner';
import { allTargetNames, getAnyTarget, type EchoTarget } from '@wsmatrix/targets';
import { parseArgs, type CommandSpec } from '../args.js';
import { caseFailed, toJUnit } from '../junit.js';
import { Progress } from '../progress.js';
import { writeReport, type ReportColumn } from '../report/index.js';
import { loadHistory, loadLatestBench, saveRun } from '../results-store.js';
import { renderBenchmarkHtml } from '@wsmatrix/bench';
import { verdictString } from '../report/index.js';
import { USER_AGENT, WSMATRIX_VERSION } from '../version.js';
import { selectIds } from './cases.js';
import type { Command, CommandContext } from './types.js';

/** Embedded targets, then the external ones of the shipped targets file. */
const MATRIX_TARGETS = allTargetNames();

export const matrixSpec = {
  name: 'matrix',
  summary: 'Run every target against the catalogue; store results per release and write the HTML report.',
  positionals: [],
  flags: {
    targets: { type: 'list', choices: MATRIX_TARGETS, default: MATRIX_TARGETS, placeholder: 'LIST', description: 'Targets (matrix columns) to run' },
    cases: { type: 'list', default: ['*'], placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to run' },
    'exclude-cases': { type: 'list', default: [], placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to skip' },
    results: { type: 'string', default: 'matrix/results', placeholder: 'DIR', description: 'Stored results (history of compliance)' },
    report: { type: 'string', default: 'matrix/report', placeholder: 'DIR', description: 'Where the static HTML report goes' },
    'no-save': { type: 'boolean', description: 'Do not store this run under --results' },
    junit: { type: 'string', placeholder: 'FILE', description: 'Also write JUnit XML (one testsuite per implementation)' },
    json: { type: 'boolean', description: 'Print a machine summary (JSON) on stdout; human output goes to stderr' },
    strict: { type: 'boolean', description: 'Exit 1 when any case FAILED or a column could not run' },
    concurrency: { type: 'integer', min: 1, max: 1024, placeholder: 'N', description: 'Cases in flight at once per target (9.x always run alone)' },
  },
} as const satisfies CommandSpec;

interface ColumnRun {
  column: ReportColumn;
  failed: number;
  durationMs: number;
}

/** Plays the cases against one target; a target that cannot start becomes a column that says why. */
async function runColumn(
  name: string,
  cases: readonly CaseDef[],
  concurrency: number | undefined,
  progress: Progress,
  say: (text: string) => void,
): Promise<ColumnRun> {
  let target: EchoTarget;
  try {
    target = getAnyTarget(name);
  } catch (err) {
    return unavailableColumn(name, name, '?', 'unavailable', err);
  }
  const base = { key: name, label: `${name} ${target.version}`, implementation: implementationOf(name, target), version: target.version };
  const startedAt = Date.now();
  let running;
  try {
    running = await target.start({ port: 0 });
  } catch (err) {
    const status = err instanceof Error && err.name === 'TargetUnavailableError' ? 'unavailable' : 'down';
    say(`${name}: ${status === 'unavailable' ? 'unavailable' : 'did not start'}: ${errorText(err)}\n`);
    return unavailableColumn(name, base.label, base.version, status, err, base.implementation);
  }
  say(`${name}: ${target.implementation} ${target.version} on ${running.url}\n`);
  // Cases that would judge our harness rather than the implementation are left out of its column.
  const na = target.notApplicable;
  const excluded = na ? new Set(selectCaseIds(allCaseIds, na.cases, [])) : new Set<string>();
  const playable = cases.filter((c) => !excluded.has(c.id));
  progress.expect(name, playable.length);
  let downReason: string | undefined;
  let results: CaseResult[];
  try {
    const byAgent = await runSuite({
      servers: [{ agent: name, url: running.url }],
      cases: playable,
      ...(concurrency !== undefined ? { concurrency } : {}),
      userAgent: USER_AGENT,
      onResult: (r) => progress.caseDone(r.agent, caseFailed(r)),
      onTargetDown: (_agent, reason) => {
        downReason = reason;
      },
    });
    results = byAgent.get(name) ?? [];
  } finally {
    await running.close();
  }
  const notes = [
    ...(downReason !== undefined ? [`stopped answering during the run: ${downReason}`] : []),
    ...(na && excluded.size > 0 && playable.length < cases.length ? [`${na.cases.join(', ')} not applicable: ${na.reason}`] : []),
  ];
  const column: ReportColumn = {
    ...base,
    status: downReason === undefined ? 'ok' : 'down',
    ...(notes.length ? { reason: notes.join('; ') } : {}),
    results,
  };
  return { column, failed: results.filter(caseFailed).length, durationMs: Date.now() - startedAt };
}

/**
 * The implementation a column's results are filed under: a configured variant of an implementation
 * ('ws+deflate', 'uws+deflate-dedicated') is a history of its own, never mixed with the plain one.
 */
export function implementationOf(targetName: string, target: Pick<EchoTarget, 'implementation'>): string {
  const plus = targetName.indexOf('+');
  return plus < 0 ? target.implementation : `${target.implementation}${targetName.slice(plus)}`;
}

function unavailableColumn(
  key: string,
  label: string,
  version: string,
  status: 'unavailable' | 'down',
  err: unknown,
  implementation = key,
): ColumnRun {
  return {
    column: { key, label, implementation, version, status, reason: errorText(err), results: [] },
    failed: 0,
    durationMs: 0,
  };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}

export const matrixCommand: Command<typeof matrixSpec> = {
  spec: matrixSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(matrixSpec, argv);
    const ids = selectIds(flags.cases, flags['exclude-cases']);
    const cases = ids.map((id) => caseById(id)!);
    const names = [...new Set(flags.targets)];
    // With --json, stdout carries only the JSON document.
    const say = flags.json ? ctx.stderr : ctx.stdout;
    const runAt = new Date().toISOString();
    const startedAt = Date.now();
    const progress = new Progress({ write: ctx.stderr, isTTY: process.stderr.isTTY === true });
    for (const name of names) progress.expect(name, cases.length);

    const runs: ColumnRun[] = [];
    for (const name of names) runs.push(await runColumn(name, cases, flags.concurrency, progress, say));
    progress.finish();

    // Full case reports (wire logs and all) next to the HTML, Autobahn-shaped; not committed.
    const ran = runs.filter((r) => r.column.results.length > 0);
    await writeReportFiles(
      path.join(flags.report, 'servers'),
      new Map(ran.map((r) => [r.column.key, r.column.results])),
    );
    if (!flags['no-save']) {
      for (const r of ran) {
        const target = getAnyTarget(r.column.key);
        const dir = await saveRun(
          flags.results,
          {
            target: r.column.key,
            implementation: r.column.implementation,
            version: r.column.version,
            options: target.options,
            runAt,
            wsmatrixVersion: WSMATRIX_VERSION,
            durationMs: r.durationMs,
          },
          r.column.key,
          r.column.results,
        );
        say(`stored ${r.column.key} in ${dir}\n`);
      }
    }
    const history = (await loadHistory(flags.results)).map((h) => ({ ...h }));
    // The benchmark page shows the newest stored `wsmatrix bench --save` result, if any.
    const bench = await loadLatestBench(flags.results);
    const { pages } = await writeReport(flags.report, {
      title: 'wsmatrix: WebSocket servers side by side',
      generatedAt: runAt,
      columns: runs.map((r) => r.column),
      history,
      ...(bench ? { benchmarkHtml: renderBenchmarkHtml(bench) } : {}),
    });
    if (flags.junit !== undefined) {
      await writeFile(
        flags.junit,
        toJUnit(runs.map((r) => ({ name: r.column.label, results: r.column.results, ...(r.column.status !== 'ok' && r.column.results.length === 0 ? { unavailable: r.column.reason ?? r.column.status } : {}) }))),
      );
      say(`JUnit XML in ${flags.junit}\n`);
    }

    const wallMs = Date.now() - startedAt;
    printTable(runs, say);
    say(`report: ${path.join(flags.report, 'index.html')} (${pages} pages)\n`);
    say(`wall time ${(wallMs / 1000).toFixed(1)} s for ${cases.length} cases × ${names.length} targets\n`);
    if (flags.json) ctx.stdout(`${JSON.stringify(machineSummary(runs, cases.length, wallMs, runAt), null, 1)}\n`);

    const anyFailed = runs.some((r) => r.failed > 0 || r.column.status !== 'ok');
    return flags.strict && anyFailed ? 1 : 0;
  },
};

function printTable(runs: readonly ColumnRun[], say: CommandContext['stdout']): void {
  for (const r of runs) {
    const c = r.column;
    if (c.results.length === 0) {
      say(`${c.label.padEnd(34)} ${c.status.toUpperCase()}: ${c.reason ?? ''}\n`);
      continue;
    }
    const s = summarize(c.results);
    const counts = Object.entries(s.behavior)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    say(`${c.label.padEnd(34)} ${counts}; close other than OK: ${s.total - (s.behaviorClose.OK ?? 0)}; ${(r.durationMs / 1000).toFixed(1)} s\n`);
  }
}

function machineSummary(runs: readonly ColumnRun[], caseCount: number, wallMs: number, runAt: string): unknown {
  return {
    tool: `wsmatrix ${WSMATRIX_VERSION}`,
    runAt,
    wallMs,
    cases: caseCount,
    columns: runs.map((r) => ({
      key: r.column.key,
      implementation: r.column.implementation,
      version: r.column.version,
      status: r.column.status,
      ...(r.column.reason !== undefined ? { reason: r.column.reason } : {}),
      durationMs: r.durationMs,
      failed: r.failed,
      totals: r.column.results.length ? summarize(r.column.results) : null,
      notOk: Object.fromEntries(r.column.results.filter((x) => verdictString(x) !== 'OK').map((x) => [x.id, verdictString(x)])),
    })),
  };
}
