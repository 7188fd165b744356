/**
 * One column of a matrix run, server's or client's: what playing it gave, and the columns that say why nothing
 * was played (unavailable, interrupted before it started). The server and client columns are run by
 * server-column.ts and client-column.ts; the matrix command stores, reports and summarises both alike.
 */
import type { CaseDef } from '@wsmatrix/cases';
import type { CpuAccount } from './cpu-account.js';
import type { Progress } from './progress.js';
import type { ReportColumn, Role } from './report/index.js';

export interface ColumnRun {
  column: ReportColumn & { role: Role };
  failed: number;
  durationMs: number;
  /** The options the target ran with (what it reported once started included). */
  options: Record<string, unknown>;
  /** Selected cases not played because the run was interrupted. */
  interrupted: string[];
  /** Rows whose server could not be reached. */
  targetDown: number;
  /** A client's selected cases its driver never asked for (it stopped early or skipped them). */
  notPlayed: string[];
  /** Where the time of the played cases went, when they were played against a started server. */
  cpu?: CpuAccount;
}

export interface ColumnContext {
  /** The selected cases of the column's role. */
  cases: readonly CaseDef[];
  concurrency: number | undefined;
  /** Plays of each case (matrix --repeat N): 1 when absent. */
  repeat?: number;
  progress: Progress;
  say: (text: string) => void;
  /** Problems: one line each on stderr (above the progress line). */
  warn: (text: string) => void;
  signal: AbortSignal;
}

export type ColumnBase = Pick<ReportColumn, 'key' | 'label' | 'implementation' | 'version'> & { role: Role };

/**
 * The implementation a column's results are filed under: a configured variant of an implementation
 * ('ws+deflate', 'uws+deflate-dedicated') is a history of its own, never mixed with the plain one. An npm
 * release's column ('ws+deflate@6.2.2') is filed as its target's ('ws+deflate'), under its own version.
 */
export function implementationOf(targetName: string, target: { implementation: string }): string {
  const at = targetName.lastIndexOf('@');
  const name = at > 0 ? targetName.slice(0, at) : targetName;
  const plus = name.indexOf('+');
  return plus < 0 ? target.implementation : `${target.implementation}${name.slice(plus)}`;
}

/** A column that played nothing, and why; `interrupted` lists the selected cases when an interrupt was why. */
export function notRunColumn(
  base: ColumnBase,
  options: Record<string, unknown>,
  reason: string,
  interrupted: string[] = [],
): ColumnRun {
  return {
    column: { ...base, status: 'ok', reason, results: [] },
    failed: 0,
    durationMs: 0,
    options,
    interrupted,
    targetDown: 0,
    notPlayed: [],
  };
}

/** A column the run was interrupted before: no results, every selected case not run. */
export function interruptedColumn(
  base: ColumnBase,
  options: Record<string, unknown>,
  ids: string[],
  signal: string,
): ColumnRun {
  return notRunColumn(base, options, `interrupted by ${signal}: not run`, ids);
}

/** A column that could not run: its reason instead of results. */
export function unavailableColumn(
  base: ColumnBase,
  status: 'unavailable' | 'down',
  reason: string,
  options: Record<string, unknown> = {},
): ColumnRun {
  return {
    column: { ...base, status, reason, results: [] },
    failed: 0,
    durationMs: 0,
    options,
    interrupted: [],
    targetDown: 0,
    notPlayed: [],
  };
}

/** A target's own one-line reason when it says it cannot run here, else the error's message. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error && err.name === 'TargetUnavailableError' && 'reason' in err) return String(err.reason);
  return errorText(err);
}

/** An error's message on one line. */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').trim();
}
