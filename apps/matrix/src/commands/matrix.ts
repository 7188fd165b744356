import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderBenchmarkHtml } from '@wsmatrix/bench';
import { caseById, compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { isTargetDown, writeCaseBundles, summarize, type CaseResult } from '@wsmatrix/runner';
import {
  allTargetNames,
  clientTargetNames,
  createCommandClient,
  getClientTarget,
  InvalidClientCommandError,
  InvalidTargetsFileError,
  parseClientCommand,
  type ClientTarget,
  type EchoTarget,
} from '@wsmatrix/targets';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { DRIVER_STALL_MS, runClientColumn, type ClientColumnSource } from '../client-column.js';
import { describeCpu } from '../cpu-account.js';
import { exitCodeForSignal } from '../interrupt.js';
import { caseFailed, TARGET_DOWN, toJUnit } from '../junit.js';
import { errorText, implementationOf, type ColumnContext, type ColumnRun } from '../matrix-column.js';
import { Progress } from '../progress.js';
import { PARTS, verdictString, writeReport, type Role } from '../report/index.js';
import {
  checkStoredRelease as checkRelease,
  loadHistory,
  loadLatestBench,
  loadStoredReleases,
  saveRun,
} from '../results-store.js';
import { isTimingDependent, REPEAT_FLAG, REPEAT_NOTES, repeatCount } from '../repeats.js';
import { findReusable, reusedFrom, reusedResult, reuseKey } from '../reuse.js';
import { runServerColumn } from '../server-column.js';
import { RELEASE_NOTES, targetSources } from '../target-specs.js';
import { targetsFileColumns, urlColumns, type ColumnSource } from '../user-targets.js';
import { WSMATRIX_VERSION } from '../version.js';
import { selectRoleIds } from './cases.js';
import type { Command } from './types.js';

/** Embedded targets, then the external ones of the shipped targets file. */
const MATRIX_TARGETS = allTargetNames();
/** Embedded clients, then the shipped external ones. */
const MATRIX_CLIENTS: readonly string[] = clientTargetNames;

export const matrixSpec = {
  name: 'matrix',
  summary: 'Run every target against the catalogue; store results per release and write the HTML report.',
  positionals: [],
  flags: {
    targets: {
      type: 'list',
      choices: [...MATRIX_TARGETS, 'none'],
      releases: true,
      placeholder: 'LIST',
      description:
        'Server targets (matrix columns) to run; none: only the servers of --url and --targets-file ' +
        '[default: every target, or none when --clients is given]',
    },
    clients: {
      type: 'list',
      choices: [...MATRIX_CLIENTS, 'none'],
      placeholder: 'LIST',
      description:
        'Client targets to run, each driven against a fuzzingserver of its own ' +
        '[default: every client, or none when --targets is given]',
    },
    client: {
      type: 'multi',
      placeholder: 'CLIENT',
      description:
        "Also test your client, CLIENT = 'NAME=COMMAND {url} {agent}' or NAME@VERSION=…: its driver, " +
        "started with the fuzzingserver's URL and the agent name (repeatable); stored under " +
        '<results>/clients/NAME/VERSION',
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
    rerun: {
      type: 'boolean',
      description:
        'Play every selected case, even those whose verdict a stored run of the same release, options, ' +
        'catalogue and runner already measured',
    },
    junit: {
      type: 'string',
      placeholder: 'FILE',
      description: 'Also write JUnit XML (one testsuite per column, named "(server)" or "(client)")',
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
    repeat: REPEAT_FLAG,
  },
  notes: [
    ...RELEASE_NOTES,
    'Its column is NAME@<version>, stored beside the other releases under <results>/<implementation>/<version>/.',
    'Your own servers: --url mine=ws://127.0.0.1:9001/ (or mine@1.2.0=…) adds a column beside the embedded ones;',
    '--targets none --url … runs yours alone. A --url server that cannot be reached says "target down".',
    "Clients: each plays the client cases (group 0's for clients, then Autobahn's) against wsmatrix as the",
    "server, through its driver (Autobahn's fuzzingserver protocol); stored under <results>/clients/ and shown",
    "in the report's Clients part. Naming --targets or --clients runs only the columns named.",
    'Stored verdicts are reused: a case a stored run of the same release measured with the same options, Node',
    'line and wsmatrix code (catalogue, runner, targets, core) is not played again; the report says when it was',
    'measured. --rerun plays every case.',
    ...REPEAT_NOTES,
    '--repeat N in matrix: server columns play the selection N times; a client driver plays the whole plan N times,',
    'each time against a fuzzingserver of its own. A stored verdict is reused only when its run played the case at',
    'least N times (it keeps its counts); one measured with fewer runs is played again.',
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

export const matrixCommand: Command<typeof matrixSpec> = {
  spec: matrixSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(matrixSpec, argv);
    const selected = selectRoleIds(flags.cases, flags['exclude-cases']);
    const serverCases = selected.server.map((id) => caseById(id)!);
    const clientCases = selected.client.map((id) => caseById(id)!);
    const columns = await columnSources(flags, ctx);
    if (columns === null) return 2;
    const clients = clientSources(flags);
    const names = columns.map((c) => c.name);
    if (names.length === 0 && clients.length === 0)
      throw new UsageError('no columns to run: --targets none needs --url or --targets-file');
    if (!flags['no-save']) await checkStoredReleases(flags.results, columns, clients);
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
    for (const name of names) progress.expect(name, serverCases.length * repeatCount(flags.repeat));

    const repeat = repeatCount(flags.repeat);
    const cx = (cases: ColumnContext['cases']): ColumnContext => ({
      cases,
      concurrency: flags.concurrency,
      repeat,
      progress,
      say,
      warn,
      signal: ctx.signal,
    });
    const runs: Array<ColumnRun & StoredRunKeys> = [];
    const reuse = (role: Role, name: string, make: () => EchoTarget | ClientTarget, cases: readonly CaseDef[]) =>
      flags.rerun ? noReuse(cases) : storedVerdicts(flags.results, role, name, make, cases, repeat);
    for (const column of columns) {
      const stored = await reuse('server', column.name, column.make, serverCases);
      const run = await runServerColumn(column, cx(stored.toPlay));
      runs.push(withReused(run, stored, say));
    }
    for (const client of clients) {
      const stored = await reuse('client', client.name, client.make, clientCases);
      const run = await runClientColumn(client, { ...cx(stored.toPlay), stallMs: DRIVER_STALL_MS });
      runs.push(withReused(run, stored, say));
    }
    progress.finish();
    const interruptedBy = ctx.signal.aborted ? String(ctx.signal.reason) : undefined;

    // Full case reports (wire logs and all) next to the HTML, as Autobahn's reports/servers and reports/clients:
    // index.json and each column's case reports as one gzip-compressed file (the case pages link to it); not
    // committed. Those of an earlier run go first, so the folders hold this run's cases only.
    const ran = runs.filter((r) => r.column.results.length > 0);
    for (const part of Object.values(PARTS)) {
      const dir = path.join(flags.report, part.recordsDir);
      await rm(dir, { recursive: true, force: true });
      const ofPart = ran.filter((r) => r.column.role === part.role);
      // The servers' folder is written even empty (as before clients were tested), unless only clients ran.
      if (ofPart.length > 0 || (part.role === 'server' && clients.length === 0))
        await writeCaseBundles(dir, new Map(ofPart.map((r) => [r.column.key, r.column.results])));
    }
    if (!flags['no-save']) {
      for (const r of ran) {
        const played = r.column.results.filter((x) => reusedFrom(x) === undefined);
        // Nothing measured: the release's store already holds every verdict the column shows.
        if (played.length === 0 && r.reused.length > 0) continue;
        // A column whose rows are all "target down" says nothing about the release: its run is still
        // stored (so the attempt is on record), but no verdict of the release changes.
        const dir = await saveRun(
          flags.results,
          {
            target: r.column.key,
            ...(r.column.role === 'client' ? { role: r.column.role } : {}),
            implementation: r.column.implementation,
            version: r.column.version,
            options: r.options,
            runAt,
            wsmatrixVersion: WSMATRIX_VERSION,
            durationMs: r.durationMs,
            ...(r.reuseKey ? { reuseKey: r.reuseKey } : {}),
          },
          r.column.key,
          played,
          {
            interrupted: r.interrupted,
            ...(interruptedBy ? { interruptedBy } : {}),
            ...(r.notPlayed.length ? { notPlayed: r.notPlayed } : {}),
            ...(r.reused.length ? { reused: r.reused } : {}),
          },
        );
        say(`stored ${r.column.key}${r.column.role === 'client' ? ' (client)' : ''} in ${dir}\n`);
      }
    }
    const history = await loadHistory(flags.results);
    // The benchmark page shows the newest stored `wsmatrix bench --save` result, if any.
    const bench = await loadLatestBench(flags.results);
    const { pages } = await writeReport(flags.report, {
      title: `wsmatrix: WebSocket servers${clients.length ? ' and clients' : ''} side by side`,
      generatedAt: runAt,
      columns: runs.map((r) => r.column),
      history,
      // The Releases view compares each release's stored index.json, which --no-save leaves as it was.
      releases: await loadStoredReleases(flags.results),
      ...(bench ? { benchmarkHtml: renderBenchmarkHtml(bench) } : {}),
    });
    if (flags.junit !== undefined) {
      await writeFile(flags.junit, junitOf(runs, interruptedBy));
      say(`JUnit XML in ${flags.junit}\n`);
    }

    const wallMs = Date.now() - startedAt;
    printTable(runs, say);
    say(`report: ${path.join(flags.report, 'index.html')} (${pages} pages)\n`);
    const sizes = [
      ...(names.length || !clients.length ? [`${serverCases.length} cases × ${names.length} targets`] : []),
      ...(clients.length ? [`${clientCases.length} cases × ${clients.length} clients`] : []),
    ];
    say(`wall time ${(wallMs / 1000).toFixed(1)} s for ${sizes.join(' and ')}\n`);
    if (interruptedBy !== undefined) {
      const notRun = runs.reduce((n, r) => n + r.interrupted.length, 0);
      say(
        `interrupted by ${interruptedBy}: ${notRun} case run(s) not played ` +
          '(not run, not failed; stored verdicts kept)\n',
      );
    }
    if (flags.json) {
      const counts = { server: serverCases.length, client: clientCases.length };
      ctx.stdout(`${JSON.stringify(machineSummary(runs, counts, wallMs, runAt, interruptedBy), null, 1)}\n`);
    }

    if (interruptedBy !== undefined) return exitCodeForSignal(interruptedBy);
    const anyFailed = runs.some(
      (r) => r.failed > 0 || r.targetDown > 0 || r.notPlayed.length > 0 || r.column.status !== 'ok',
    );
    return flags.strict && anyFailed ? 1 : 0;
  },
};

type MatrixFlags = ReturnType<typeof parseArgs<typeof matrixSpec>>['flags'];

/** Server columns run unless only --clients names columns; client columns unless only --targets does. */
function chosenNames(flags: MatrixFlags): { targets: string[]; clients: string[] } {
  const targets = flags.targets ?? (flags.clients === undefined ? MATRIX_TARGETS : []);
  const clients = flags.clients ?? (flags.targets === undefined ? MATRIX_CLIENTS : []);
  for (const [flag, list] of [
    ['--targets', targets],
    ['--clients', clients],
  ] as const) {
    if (list.includes('none') && new Set(list).size > 1) throw new UsageError(`${flag} none cannot be combined`);
  }
  return {
    targets: [...new Set(targets)].filter((n) => n !== 'none'),
    clients: [...new Set(clients)].filter((n) => n !== 'none'),
  };
}

/**
 * The server columns of this run: the chosen targets, then the user's servers (--targets-file, then --url), or
 * null when the targets file is invalid (every problem already written, one line each).
 */
async function columnSources(
  flags: MatrixFlags,
  ctx: { stderr: (text: string) => void },
): Promise<ColumnSource[] | null> {
  const { targets } = chosenNames(flags);
  const columns = await targetSources(targets, ctx.stderr);
  // Every name the user's servers must not take: embedded or shipped, chosen or not, and the releases asked for.
  const taken = new Set<string>([...MATRIX_TARGETS, ...columns.map((c) => c.name)]);
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

/** The client columns: the chosen clients, then the user's (--client), whose names must be new. */
function clientSources(flags: MatrixFlags): ClientColumnSource[] {
  const { clients } = chosenNames(flags);
  const taken = new Set<string>(MATRIX_CLIENTS);
  const sources: ClientColumnSource[] = clients.map((name) => ({ name, make: () => getClientTarget(name) }));
  for (const raw of flags.client ?? []) {
    let target: ClientTarget;
    try {
      target = createCommandClient(parseClientCommand(raw));
    } catch (err) {
      if (err instanceof InvalidClientCommandError) throw new UsageError(`--client: ${err.message}`);
      throw err;
    }
    if (taken.has(target.name)) throw new UsageError(`--client ${target.name}: the name is already a client column`);
    taken.add(target.name);
    sources.push({ name: target.name, make: () => target });
  }
  return sources;
}

/** A stored release index this run could not merge into is bad input: said before anything is played. */
async function checkStoredReleases(
  root: string,
  columns: readonly ColumnSource[],
  clients: readonly ClientColumnSource[],
): Promise<void> {
  const check = async (name: string, make: () => EchoTarget | ClientTarget, role: Role) => {
    let target: EchoTarget | ClientTarget;
    let version: string;
    try {
      target = make();
      version = target.version;
    } catch {
      return; // its column says why
    }
    if (version === 'unavailable') return;
    try {
      await checkRelease(root, implementationOf(name, target), version, name, role);
    } catch (err) {
      throw new UsageError(`--results: ${errorText(err)}`);
    }
  };
  for (const { name, make } of columns) await check(name, make, 'server');
  for (const { name, make } of clients) await check(name, make, 'client');
}

/** One testsuite per column, its name saying whether it tested a server or a client. */
function junitOf(runs: readonly ColumnRun[], interruptedBy: string | undefined): string {
  return toJUnit(
    runs.map((r) => ({
      name: `${r.column.label} (${r.column.role})`,
      results: r.column.results,
      ...(r.column.status !== 'ok' && r.column.results.length === 0
        ? {
            unavailable:
              `${r.column.status === 'down' ? PARTS[r.column.role].downText : r.column.status}: ` +
              `${r.column.reason ?? 'no reason given'}`,
          }
        : {}),
      ...(r.interrupted.length
        ? { notRun: { ids: r.interrupted, reason: `not run (interrupted by ${interruptedBy})` } }
        : r.notPlayed.length
          ? { notRun: { ids: r.notPlayed, reason: `not played: ${r.column.reason ?? 'its driver never asked'}` } }
          : {}),
    })),
  );
}

function printTable(runs: ReadonlyArray<ColumnRun & StoredRunKeys>, say: (text: string) => void): void {
  for (const r of runs) {
    const c = r.column;
    const label = c.role === 'client' ? `${c.label} (client)` : c.label;
    if (c.results.length === 0) {
      const what =
        c.status === 'ok'
          ? 'NOT RUN'
          : c.status === 'down'
            ? PARTS[c.role].downText.toUpperCase()
            : c.status.toUpperCase();
      say(`${label.padEnd(34)} ${what}: ${c.reason ?? ''}\n`);
      continue;
    }
    const played = c.results.filter((x) => !isTargetDown(x));
    const s = summarize(played);
    const counts = Object.entries(s.behavior)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const timing = c.results.filter((x) => isTimingDependent(x.repeats)).length;
    const extra = [
      ...(timing ? [`${timing} timing-dependent`] : []),
      ...(r.reused.length ? [`${r.reused.length} reused`] : []),
      ...(r.targetDown ? [`${r.targetDown} ${TARGET_DOWN}`] : []),
      ...(r.interrupted.length ? [`${r.interrupted.length} not run (interrupted)`] : []),
      ...(r.notPlayed.length ? [`${r.notPlayed.length} not played`] : []),
      ...(c.status === 'down' && c.reason ? [c.reason] : []),
    ];
    say(
      `${label.padEnd(34)} ${counts || 'no case played'}; ` +
        `close other than OK: ${s.total - (s.behaviorClose.OK ?? 0)}; ` +
        `${(r.durationMs / 1000).toFixed(1)} s${extra.map((e) => `; ${e}`).join('')}\n`,
    );
    if (r.cpu) say(`${''.padEnd(34)} ${describeCpu(r.cpu)}\n`);
  }
}

function machineSummary(
  runs: ReadonlyArray<ColumnRun & StoredRunKeys>,
  caseCounts: Record<Role, number>,
  wallMs: number,
  runAt: string,
  interruptedBy: string | undefined,
): unknown {
  return {
    tool: `wsmatrix ${WSMATRIX_VERSION}`,
    runAt,
    wallMs,
    /** The selected server cases; clientCases: the selected client cases. */
    cases: caseCounts.server,
    clientCases: caseCounts.client,
    ...(interruptedBy !== undefined ? { interruptedBy } : {}),
    columns: runs.map((r) => ({
      key: r.column.key,
      role: r.column.role,
      implementation: r.column.implementation,
      version: r.column.version,
      status: r.column.status,
      ...(r.column.reason !== undefined ? { reason: r.column.reason } : {}),
      options: r.options,
      durationMs: r.durationMs,
      failed: r.failed,
      targetDown: r.targetDown,
      interrupted: r.interrupted.length,
      notPlayed: r.notPlayed.length,
      reused: r.reused.length,
      timingDependent: r.column.results.filter((x) => isTimingDependent(x.repeats)).length,
      ...(r.cpu ? { cpu: r.cpu } : {}),
      totals: r.column.results.length ? summarize(r.column.results.filter((x) => !isTargetDown(x))) : null,
      notOk: Object.fromEntries(
        r.column.results
          .map((x) => [x.id, isTargetDown(x) ? TARGET_DOWN : verdictString(x)] as const)
          .filter(([, v]) => v !== 'OK'),
      ),
    })),
  };
}

/** What a column takes from the store, and what it still plays. */
interface StoredPart {
  toPlay: readonly CaseDef[];
  reused: CaseResult[];
  /** The key this column's run is stored with; absent when the target could not even be made. */
  key?: string;
}

function noReuse(cases: readonly CaseDef[]): StoredPart {
  return { toPlay: cases, reused: [] };
}

/**
 * The selected cases of a column whose verdict a stored run with the same reuse key measured, as records, and the
 * cases left to play. A target that cannot be made, or a client that is unavailable here, reuses nothing: its
 * column says why, as without reuse.
 */
async function storedVerdicts(
  root: string,
  role: Role,
  name: string,
  make: () => EchoTarget | ClientTarget,
  cases: readonly CaseDef[],
  repeat: number,
): Promise<StoredPart> {
  let target: EchoTarget | ClientTarget;
  try {
    target = make();
    if ('unavailable' in target && (await target.unavailable()) !== null) return noReuse(cases);
    if (target.version === 'unavailable') return noReuse(cases);
  } catch {
    return noReuse(cases);
  }
  const implementation = implementationOf(name, target);
  const key = reuseKey({
    implementation,
    version: target.version,
    role,
    options: target.options,
    ...(target.codeIdentity !== undefined ? { codeIdentity: target.codeIdentity } : {}),
  });
  const found = await findReusable(
    root,
    implementation,
    target.version,
    role,
    key,
    cases.map((c) => c.id),
    repeat,
  );
  return {
    key,
    toPlay: cases.filter((c) => !found.has(c.id)),
    reused: cases.filter((c) => found.has(c.id)).map((c) => reusedResult(c, name, found.get(c.id)!)),
  };
}

/** A column's played results joined with its reused ones, its header saying how many were reused and from when. */
function withReused(run: ColumnRun, stored: StoredPart, say: (text: string) => void): ColumnRun & StoredRunKeys {
  const keys: StoredRunKeys = { reused: stored.reused, ...(stored.key ? { reuseKey: stored.key } : {}) };
  if (stored.reused.length === 0 || run.column.status === 'unavailable') return { ...run, ...keys };
  const when = [...new Set(stored.reused.map((r) => r.started.slice(0, 16).replace('T', ' ')))].sort();
  const note =
    `${stored.reused.length} verdicts reused from the stored run${when.length > 1 ? 's' : ''} of ` +
    `${when.join(', ')} UTC (same release, options, Node line and wsmatrix code; --rerun plays them)`;
  say(`${run.column.key}${run.column.role === 'client' ? ' (client)' : ''}: ${note}\n`);
  const played = run.column.results;
  // A column with nothing left to play said so as its reason: the reuse note replaces that.
  const reasons = [...(played.length > 0 && run.column.reason ? [run.column.reason] : []), note];
  return {
    ...run,
    ...keys,
    column: {
      ...run.column,
      status: played.length === 0 && run.column.status === 'down' ? 'down' : run.column.status,
      reason: reasons.join('; '),
      results: [...played, ...stored.reused].sort((a, b) => compareCaseIds(a.id, b.id)),
    },
    failed: run.failed + stored.reused.filter(caseFailed).length,
  };
}

interface StoredRunKeys {
  reused: CaseResult[];
  reuseKey?: string;
}
