/**
 * A client column of the matrix: a fuzzingserver of its own on 127.0.0.1 (a free port), the client's driver
 * pointed at it (it asks for the case count, plays /runCase for each case, echoing, then /updateReports), the
 * results the fuzzingserver kept for it. A client that cannot run here is a column that says why; a driver that
 * exits with an error or plays no case gives a column that says so, with what it played.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compareCaseIds } from '@wsmatrix/cases';
import { FuzzingServer, type CaseResult } from '@wsmatrix/runner';
import type { ClientTarget, DriveResult } from '@wsmatrix/targets';
import { caseFailed, caseOutcome } from './junit.js';
import { RepeatTally } from './repeats.js';
import {
  errorText,
  implementationOf,
  interruptedColumn,
  notRunColumn,
  reasonOf,
  unavailableColumn,
  type ColumnBase,
  type ColumnContext,
  type ColumnRun,
} from './matrix-column.js';

/** A client column to run: its name and how to make its target (making one may fail: the column then says why). */
export interface ClientColumnSource {
  name: string;
  make: () => ClientTarget;
}

export interface ClientColumnContext extends ColumnContext {
  /**
   * A driver that neither finishes a case nor writes a line for this long is stopped (its column says so): a hung
   * client must not hold the matrix. Longer than any case's own limit.
   */
  stallMs: number;
}

/** Default stall limit: longer than the slowest case's own time limit on a loaded machine. */
export const DRIVER_STALL_MS = 15 * 60_000;

/** The last line a driver wrote to stderr, cut for a column header. */
function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines.at(-1) ?? '';
  return last.length > 200 ? `${last.slice(0, 200)}…` : last;
}

/** How the driver ended, in words; null when it exited 0. */
function driverProblem(drive: DriveResult): string | null {
  if (drive.exitCode === 0) return null;
  const how = drive.exitCode === null ? `was ended by ${drive.signal ?? 'a signal'}` : `exited with ${drive.exitCode}`;
  const said = lastLine(drive.stderrTail);
  return `its driver ${how}${said ? ` (${said})` : ''}`;
}

/** A client's name on the progress line: a client may have a server's name ('ws'). */
export function progressKey(name: string): string {
  return `${name} (client)`;
}

/** What one pass of a client's driver over the plan gave. */
interface DrivePass {
  /** The cases that finished, by id (none after an interrupt: a case ending then was cut by the stop). */
  results: Map<string, CaseResult>;
  drive?: DriveResult;
  /** The driver could not be run at all. */
  failure?: string;
  /** The driver was stopped for making no progress. */
  stalled: boolean;
}

/** Runs the driver once against a fuzzingserver of its own that serves the column's cases. */
async function drivePass(
  target: ClientTarget,
  name: string,
  cx: ClientColumnContext,
  pass: number,
): Promise<DrivePass> {
  const { cases, progress, say, signal } = cx;
  // Results as the cases finish; a case ending after an interrupt ended because its driver was stopped: no verdict.
  const results = new Map<string, CaseResult>();
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const alive = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort('stalled'), cx.stallMs);
  };
  // /updateReports writes Autobahn's files; the matrix keeps its own copy of the records, so these go.
  const outdir = await mkdtemp(path.join(tmpdir(), 'wsmatrix-clients-'));
  const server = new FuzzingServer({
    cases,
    outdir,
    host: '127.0.0.1',
    port: 0,
    onCaseFinished: (r) => {
      if (signal.aborted) return;
      alive();
      results.set(r.id, r);
      progress.caseDone(progressKey(name), caseOutcome(r));
    },
  });
  let drive: DriveResult | undefined;
  let failure: string | undefined;
  try {
    const baseUrl = await server.listen();
    const passText = cx.repeat !== undefined && cx.repeat > 1 ? ` (run ${pass + 1} of ${cx.repeat})` : '';
    say(`${name}: ${target.implementation} ${target.version} (client) driven against ${baseUrl}${passText}\n`);
    alive();
    drive = await target.drive({
      baseUrl,
      agent: name,
      signal: AbortSignal.any([signal, stall.signal]),
      onLine: alive,
    });
  } catch (err) {
    if (!signal.aborted) failure = `its driver could not be run: ${errorText(err)}`;
  } finally {
    clearTimeout(stallTimer);
    // Cases still in play when the driver left end as the engine records a dropped case.
    await server.close();
    await rm(outdir, { recursive: true, force: true });
  }
  return {
    results,
    ...(drive ? { drive } : {}),
    ...(failure !== undefined ? { failure } : {}),
    stalled: stall.signal.aborted,
  };
}

export async function runClientColumn(source: ClientColumnSource, cx: ClientColumnContext): Promise<ColumnRun> {
  const { cases, progress, warn, signal } = cx;
  const { name } = source;
  let target: ClientTarget;
  try {
    target = source.make();
  } catch (err) {
    const base: ColumnBase = { key: name, role: 'client', label: name, implementation: name, version: '?' };
    return unavailableColumn(base, 'unavailable', reasonOf(err));
  }
  const ids = cases.map((c) => c.id);
  const options = { ...target.options };
  let base: ColumnBase = { key: name, role: 'client', label: name, implementation: name, version: '?' };
  let why: string | null;
  try {
    why = await target.unavailable();
    const version = target.version;
    base = { ...base, label: `${name} ${version}`, implementation: implementationOf(name, target), version };
  } catch (err) {
    why = reasonOf(err);
  }
  if (why !== null) {
    warn(`wsmatrix: client "${name}" is unavailable: ${why}\n`);
    return unavailableColumn({ ...base, label: name }, 'unavailable', why, options);
  }
  if (ids.length === 0) return notRunColumn(base, options, 'none of the selected cases is a client case');
  if (signal.aborted) return interruptedColumn(base, options, ids, String(signal.reason));

  const startedAt = Date.now();
  const repeat = cx.repeat ?? 1;
  progress.expect(progressKey(name), ids.length * repeat);
  // --repeat N: the driver plays the whole plan N times, each pass against a fuzzingserver of its own; each
  // case's runs are folded into one result (repeats.ts). A pass that fails, stalls or is interrupted is the last.
  const tally = new RepeatTally();
  // The agent the driver's results carry (the name it was given, or its own).
  const agentOf = new Map<string, string>();
  let pass: DrivePass = { results: new Map(), stalled: false };
  for (let n = 0; n < repeat; n++) {
    pass = await drivePass(target, name, cx, n);
    for (const r of pass.results.values()) {
      if (!agentOf.has(r.id)) agentOf.set(r.id, r.agent);
      if (agentOf.get(r.id) === r.agent) tally.add(r);
    }
    if (signal.aborted || pass.stalled || pass.failure !== undefined) break;
    if (pass.drive && driverProblem(pass.drive) !== null) break;
  }
  const results = new Map<string, CaseResult>();
  for (const id of ids) {
    const r = tally.result(agentOf.get(id) ?? name, id);
    if (r !== undefined) results.set(id, r);
  }
  const { drive, stalled } = pass;
  let failure = pass.failure;
  const played = [...results.values()].sort((a, b) => compareCaseIds(a.id, b.id));
  if (signal.aborted) {
    const done = new Set(results.keys());
    return {
      column: {
        ...base,
        status: 'ok',
        reason: `interrupted by ${String(signal.reason)}: ${ids.length - done.size} of ${ids.length} cases not run`,
        results: played,
      },
      failed: played.filter(caseFailed).length,
      durationMs: Date.now() - startedAt,
      options,
      interrupted: ids.filter((id) => !done.has(id)),
      targetDown: 0,
      notPlayed: [],
    };
  }
  if (stalled) failure = `its driver made no progress for ${Math.round(cx.stallMs / 1000)} s: stopped`;
  else if (drive && failure === undefined) failure = driverProblem(drive) ?? undefined;
  const notPlayed = ids.filter((id) => !results.has(id));
  const notes: string[] = [];
  if (failure !== undefined) notes.push(failure);
  if (played.length === 0) notes.push('no case played');
  else if (notPlayed.length > 0) notes.push(`${notPlayed.length} of ${ids.length} cases not played`);
  if (notes.length > 0) warn(`wsmatrix: client "${name}": ${notes.join('; ')}\n`);
  return {
    column: {
      ...base,
      // A driver that failed, or played nothing, did not run as it should: its column says so.
      status: failure !== undefined || played.length === 0 ? 'down' : 'ok',
      ...(notes.length ? { reason: notes.join('; ') } : {}),
      results: played,
    },
    failed: played.filter(caseFailed).length,
    durationMs: Date.now() - startedAt,
    options,
    interrupted: [],
    targetDown: 0,
    notPlayed,
  };
}
