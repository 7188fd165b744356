import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { allCaseIds, caseById, selectCaseIds, type CaseDef } from '@wsmatrix/cases';
import { isTargetDown, writeCaseBundles, summarize } from '@wsmatrix/runner';
import {
  allTargetNames,
  getAnyTarget,
  InvalidTargetsFileError,
  type EchoTarget,
  type RunningTarget,
} from '@wsmatrix/targets';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { exitCodeForSignal } from '../interrupt.js';
import { caseFailed, caseOutcome, TARGET_DOWN, toJUnit } from '../junit.js';
import { playServer, type PlayOutcome } from '../play.js';
import { Progress } from '../progress.js';
import { describeSocketLayer, optionsInEffect } from '../target-options.js';
import { writeReport, type ReportColumn } from '../report/index.js';
import { checkStoredRelease as checkRelease, loadHistory, loadLatestBench, saveRun } from '../results-store.js';
import { renderBenchmarkHtml } from '@wsmatrix/bench';
import { verdictString } from '../report/index.js';
import { USER_AGENT, WSMATRIX_VERSION } from '../version.js';
import { selectIds } from './cases.js';
import type { Command } from './types.js';
import { targetsFileColumns, urlColumns, type ColumnSource } from '../user-targets.js';

/** Embedded targets, then the external ones of the shipped targets file. */
const MATRIX_TARGETS = allTargetNames();

export const matrixSpec = {
  name: 'matrix',
  summary: 'Run every target against the catalogue; store results per release and write the HTML report.',
  positionals: [],
  flags: {
    targets: {
      type: 'list',
      choices: [...MATRIX_TARGETS, 'none'],
      default: MATRIX_TARGETS,
      placeholder: 'LIST',
      description: 'Targets (matrix columns) to run; none: only the servers of --url and --targets-file',
    },
    url: {
      type: 'list',
      placeholder: 'SERVER',
      description:
        'Also test your running server, SERVER = NAME=URL or NAME@VERSION=URL, as column NAME (repeatable); ' +
        'stored under <results>/NAME/VERSION (VERSION unversioned when not given)',
    },
    'targets-file': {
      type: 'string',
      placeholder: 'FILE',
      description:
        'Also run the servers this file starts by command (the format of the shipped targets.json; ' +
        "paths relative to the file's folder)",
    },
    cases: { type: 'list', default: ['*'], placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to run' },
    'exclude-cases': {
      type: 'list',
      default: [],
      placeholder: 'PATTERNS',
      description: 'Autobahn patterns of cases to skip',
    },
    results: {
      type: 'string',
      default: 'matrix/results',
      placeholder: 'DIR',
      description: 'Stored results (history of compliance)',
    },
    report: {
      type: 'string',
      default: 'matrix/report',
      placeholder: 'DIR',
      description: 'Where the static HTML report goes',
    },
    'no-save': { type: 'boolean', description: 'Do not store this run under --results' },
    junit: {
      type: 'string',
      placeholder: 'FILE',
      description: 'Also write JUnit XML (one testsuite per implementation)',
    },
    json: { type: 'boolean', description: 'Print a machine summary (JSON) on stdout; human output goes to stderr' },
    strict: { type: 'boolean', description: 'Exit 1 when any case FAILED or a column could not run' },
    concurrency: {
      type: 'integer',
      min: 1,
      max: 1024,
      placeholder: 'N',
      description: 'Cases in flight at once per target (9.x always run alone)',
    },
  },
  notes: [
    'Your own servers: --url mine=ws://127.0.0.1:9001/ (or mine@1.2.0=…) adds a column beside the embedded ones;',
    '--targets none --url … runs yours alone. A --url server that cannot be reached says "target down".',
    'Each run is stored as its own file under <results>/<implementation>/<version>/runs/ ' +
      "and merged into that release's",
    'index.json case by case: cases not in the run keep their stored verdicts.',
    'Exit codes: 0 done (with --strict: and every case passed, every column ran); ' +
      '1 --strict and something failed; 2 bad usage;',
    '128+N stopped by signal N (130 for Ctrl-C): ' +
      'SIGINT, SIGTERM and SIGHUP stop the targets, store and report the cases',
    'finished so far and leave the rest as not run (stored verdicts kept); a second signal exits at once.',
  ],
} as const satisfies CommandSpec;

interface ColumnRun {
  column: ReportColumn;
  failed: number;
  durationMs: number;
  /** The options the target ran with (what it reported once started included). */
  options: Record<string, unknown>;
  /** Selected cases not played because the run was interrupted. */
  interrupted: string[];
  /** Rows whose server could not be reached. */
  targetDown: number;
}

interface ColumnContext {
  cases: readonly CaseDef[];
  concurrency: number | undefined;
  progress: Progress;
  say: (text: string) => void;
  /** Problems: one line each on stderr (above the progress line). */
  warn: (text: string) => void;
  signal: AbortSignal;
}

/** Plays the cases against one target; a target that cannot start becomes a column that says why. */
async function runColumn(source: ColumnSource, cx: ColumnContext): Promise<ColumnRun> {
  const { cases, progress, say, signal } = cx;
  const { name } = source;
  let target: EchoTarget;
  try {
    target = source.make();
  } catch (err) {
    return unavailableColumn(name, name, '?', 'unavailable', err);
  }
  // A target that cannot run here has no version to show ("unavailable" is its status, not a version).
  const label = target.version === 'unavailable' ? name : `${name} ${target.version}`;
  const base = { key: name, label, implementation: implementationOf(name, target), version: target.version };
  const interruptedRun = () =>
    interruptedColumn(
      base,
      target.options,
      cases.map((c) => c.id),
      String(signal.reason),
    );
  if (signal.aborted) return interruptedRun();
  const startedAt = Date.now();
  let running: RunningTarget;
  try {
    running = await target.start({ port: 0 });
  } catch (err) {
    if (signal.aborted) return interruptedRun();
    const status = err instanceof Error && err.name === 'TargetUnavailableError' ? 'unavailable' : 'down';
    const text = errorText(err);
    const named = text.includes(name) ? text : `${name}: ${text}`;
    cx.warn(`wsmatrix: ${named}${status === 'down' ? ` (its column says "${TARGET_DOWN}")` : ''}\n`);
    return unavailableColumn(name, base.label, base.version, status, err, base.implementation);
  }
  say(
    `${name}: ${target.implementation} ${target.version} on ${running.url}` +
      `${describeSocketLayer(optionsInEffect(target, running))}\n`,
  );
  // Cases that would judge our harness rather than the implementation are left out of its column.
  const na = target.notApplicable;
  const excluded = na ? new Set(selectCaseIds(allCaseIds, na.cases, [])) : new Set<string>();
  const playable = cases.filter((c) => !excluded.has(c.id));
  progress.expect(name, playable.length);
  let outcome: PlayOutcome;
  let options: Record<string, unknown>;
  try {
    outcome = await playServer({
      agent: name,
      url: running.url,
      cases: playable,
      concurrency: cx.concurrency,
      userAgent: USER_AGENT,
      signal,
      onResult: (r) => progress.caseDone(r.agent, caseOutcome(r)),
    });
  } finally {
    // After the traffic: the layer the cases actually ran on.
    options = optionsInEffect(target, running);
    await running.close().catch(() => {});
  }
  const { results, interrupted, unreachable } = outcome;
  const targetDown = results.filter(isTargetDown).length;
  if (unreachable !== null) {
    cx.warn(
      `wsmatrix: ${name} stopped answering (${errorText(unreachable)}); ` +
        `its ${targetDown} remaining cases are reported as "${TARGET_DOWN}"\n`,
    );
  }
  const notes = [
    ...(unreachable !== null
      ? [`${TARGET_DOWN}: stopped answering during the run (${unreachable}); ${targetDown} cases not played`]
      : []),
    ...(interrupted.length
      ? [`interrupted by ${String(signal.reason)}: ${interrupted.length} of ${playable.length} cases not run`]
      : []),
    ...(na && excluded.size > 0 && playable.length < cases.length
      ? [`${na.cases.join(', ')} not applicable: ${na.reason}`]
      : []),
  ];
  const column: ReportColumn = {
    ...base,
    status: unreachable === null ? 'ok' : 'down',
    ...(notes.length ? { reason: notes.join('; ') } : {}),
    results,
  };
  const failed = results.filter((r) => caseFailed(r) && !isTargetDown(r)).length;
  return { column, failed, durationMs: Date.now() - startedAt, options, interrupted, targetDown };
}

/** A column the run was interrupted before: no results, every selected case not run. */
function interruptedColumn(
  base: Pick<ReportColumn, 'key' | 'label' | 'implementation' | 'version'>,
  options: Record<string, unknown>,
  ids: string[],
  signal: string,
): ColumnRun {
  return {
    column: { ...base, status: 'ok', reason: `interrupted by ${signal}: not run`, results: [] },
    failed: 0,
    durationMs: 0,
    options,
    interrupted: ids,
    targetDown: 0,
  };
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
    column: { key, label, implementation, version, status, reason: reasonOf(err), results: [] },
    failed: 0,
    durationMs: 0,
    options: {},
    interrupted: [],
    targetDown: 0,
  };
}

/** A target's own one-line reason when it says it cannot run here, else the error's message. */
function reasonOf(err: unknown): string {
  if (err instanceof Error && err.name === 'TargetUnavailableError' && 'reason' in err) return String(err.reason);
  return errorText(err);
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
    const columns = columnSources(flags, ctx);
    if (columns === null) return 2;
    const names = columns.map((c) => c.name);
    if (names.length === 0) throw new UsageError('no columns to run: --targets none needs --url or --targets-file');
    if (!flags['no-save']) await checkStoredReleases(flags.results, columns);
    const runAt = new Date().toISOString();
    const startedAt = Date.now();
    const progress = new Progress({
      write: ctx.stderr,
      isTTY: process.stderr.isTTY === true,
      columns: () => process.stderr.columns,
    });
    // With --json, stdout carries only the JSON document. Status lines go above the progress line.
    const say = (text: string): void => progress.above(flags.json ? ctx.stderr : ctx.stdout, text);
    const warn = (text: string): void => progress.above(ctx.stderr, text);
    for (const name of names) progress.expect(name, cases.length);

    const runs: ColumnRun[] = [];
    for (const column of columns) {
      runs.push(
        await runColumn(column, { cases, concurrency: flags.concurrency, progress, say, warn, signal: ctx.signal }),
      );
    }
    progress.finish();
    const interruptedBy = ctx.signal.aborted ? String(ctx.signal.reason) : undefined;

    // Full case reports (wire logs and all) next to the HTML: Autobahn's index.json and each column's case
    // reports as one gzip-compressed file (the case pages link to it); not committed. Those of an earlier run go
    // first, so the folder holds this run's cases only.
    const ran = runs.filter((r) => r.column.results.length > 0);
    await rm(path.join(flags.report, 'servers'), { recursive: true, force: true });
    await writeCaseBundles(
      path.join(flags.report, 'servers'),
      new Map(ran.map((r) => [r.column.key, r.column.results])),
    );
    if (!flags['no-save']) {
      for (const r of ran) {
        // A column whose rows are all "target down" says nothing about the release: its run is still
        // stored (so the attempt is on record), but no verdict of the release changes.
        const dir = await saveRun(
          flags.results,
          {
            target: r.column.key,
            implementation: r.column.implementation,
            version: r.column.version,
            options: r.options,
            runAt,
            wsmatrixVersion: WSMATRIX_VERSION,
            durationMs: r.durationMs,
          },
          r.column.key,
          r.column.results,
          { interrupted: r.interrupted, ...(interruptedBy ? { interruptedBy } : {}) },
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
        toJUnit(
          runs.map((r) => ({
            name: r.column.label,
            results: r.column.results,
            ...(r.column.status !== 'ok' && r.column.results.length === 0
              ? {
                  unavailable:
                    `${r.column.status === 'down' ? TARGET_DOWN : r.column.status}: ` +
                    `${r.column.reason ?? 'no reason given'}`,
                }
              : {}),
            ...(r.interrupted.length
              ? { notRun: { ids: r.interrupted, reason: `not run (interrupted by ${interruptedBy})` } }
              : {}),
          })),
        ),
      );
      say(`JUnit XML in ${flags.junit}\n`);
    }

    const wallMs = Date.now() - startedAt;
    printTable(runs, say);
    say(`report: ${path.join(flags.report, 'index.html')} (${pages} pages)\n`);
    say(`wall time ${(wallMs / 1000).toFixed(1)} s for ${cases.length} cases × ${names.length} targets\n`);
    if (interruptedBy !== undefined) {
      const notRun = runs.reduce((n, r) => n + r.interrupted.length, 0);
      say(
        `interrupted by ${interruptedBy}: ${notRun} case run(s) not played ` +
          '(not run, not failed; stored verdicts kept)\n',
      );
    }
    if (flags.json)
      ctx.stdout(`${JSON.stringify(machineSummary(runs, cases.length, wallMs, runAt, interruptedBy), null, 1)}\n`);

    if (interruptedBy !== undefined) return exitCodeForSignal(interruptedBy);
    const anyFailed = runs.some((r) => r.failed > 0 || r.targetDown > 0 || r.column.status !== 'ok');
    return flags.strict && anyFailed ? 1 : 0;
  },
};

/**
 * The columns of this run: the chosen targets, then the user's servers (--targets-file, then --url), or null
 * when the targets file is invalid (every problem already written, one line each).
 */
function columnSources(
  flags: ReturnType<typeof parseArgs<typeof matrixSpec>>['flags'],
  ctx: { stderr: (text: string) => void },
): ColumnSource[] | null {
  const chosen = [...new Set(flags.targets)];
  if (chosen.includes('none') && chosen.length > 1) throw new UsageError('--targets none cannot be combined');
  const embedded = chosen.filter((n) => n !== 'none');
  // Every name the user's servers must not take: embedded or shipped, chosen or not.
  const taken = new Set<string>(MATRIX_TARGETS);
  const columns: ColumnSource[] = embedded.map((name) => ({ name, make: () => getAnyTarget(name) }));
  if (flags['targets-file'] !== undefined) {
    try {
      columns.push(...targetsFileColumns(flags['targets-file'], taken));
    } catch (err) {
      if (!(err instanceof InvalidTargetsFileError)) throw err;
      for (const line of err.lines) ctx.stderr(`wsmatrix: --targets-file: ${line.replace(/\s*\n\s*/g, ' ')}\n`);
      return null;
    }
  }
  columns.push(...urlColumns(flags.url ?? [], taken));
  return columns;
}

/** A stored release index this run could not merge into is bad input: said before anything is played. */
async function checkStoredReleases(root: string, columns: readonly ColumnSource[]): Promise<void> {
  for (const { name, make } of columns) {
    let target: EchoTarget;
    try {
      target = make();
    } catch {
      continue; // its column says why
    }
    if (target.version === 'unavailable') continue;
    try {
      await checkRelease(root, implementationOf(name, target), target.version, name);
    } catch (err) {
      throw new UsageError(`--results: ${errorText(err)}`);
    }
  }
}

function printTable(runs: readonly ColumnRun[], say: (text: string) => void): void {
  for (const r of runs) {
    const c = r.column;
    if (c.results.length === 0) {
      const what =
        c.status === 'ok' ? 'NOT RUN' : c.status === 'down' ? TARGET_DOWN.toUpperCase() : c.status.toUpperCase();
      say(`${c.label.padEnd(34)} ${what}: ${c.reason ?? ''}\n`);
      continue;
    }
    const played = c.results.filter((x) => !isTargetDown(x));
    const s = summarize(played);
    const counts = Object.entries(s.behavior)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const extra = [
      ...(r.targetDown ? [`${r.targetDown} ${TARGET_DOWN}`] : []),
      ...(r.interrupted.length ? [`${r.interrupted.length} not run (interrupted)`] : []),
    ];
    say(
      `${c.label.padEnd(34)} ${counts || 'no case played'}; ` +
        `close other than OK: ${s.total - (s.behaviorClose.OK ?? 0)}; ` +
        `${(r.durationMs / 1000).toFixed(1)} s${extra.map((e) => `; ${e}`).join('')}\n`,
    );
  }
}

function machineSummary(
  runs: readonly ColumnRun[],
  caseCount: number,
  wallMs: number,
  runAt: string,
  interruptedBy: string | undefined,
): unknown {
  return {
    tool: `wsmatrix ${WSMATRIX_VERSION}`,
    runAt,
    wallMs,
    cases: caseCount,
    ...(interruptedBy !== undefined ? { interruptedBy } : {}),
    columns: runs.map((r) => ({
      key: r.column.key,
      implementation: r.column.implementation,
      version: r.column.version,
      status: r.column.status,
      ...(r.column.reason !== undefined ? { reason: r.column.reason } : {}),
      options: r.options,
      durationMs: r.durationMs,
      failed: r.failed,
      targetDown: r.targetDown,
      interrupted: r.interrupted.length,
      totals: r.column.results.length ? summarize(r.column.results.filter((x) => !isTargetDown(x))) : null,
      notOk: Object.fromEntries(
        r.column.results
          .map((x) => [x.id, isTargetDown(x) ? TARGET_DOWN : verdictString(x)] as const)
          .filter(([, v]) => v !== 'OK'),
      ),
    })),
  };
}
