/**
 * The programmatic API beside the CLI: play Autobahn's cases against a running server (what
 * `wsmatrix run --url` does) and get the verdicts, with Autobahn-shaped reports written when asked.
 */
import { allCaseIds, caseById, selectCaseIds } from '@wsmatrix/cases';
import { runSuite, type AutobahnIndex, type CaseResult } from '@wsmatrix/runner';
import { USER_AGENT } from './version.js';

export interface RunOptions {
  /** ws:// or wss:// URL of the server under test. */
  url: string;
  /** Its name in the results and report file names (default: the URL's host:port). */
  agent?: string;
  /** Autobahn patterns of the cases to play, e.g. `['1.*', '6.4.*']` (default: every case). */
  cases?: readonly string[];
  /** Autobahn patterns of cases to skip. */
  excludeCases?: readonly string[];
  /** When given, index.json and one JSON report per case are written here, as Autobahn does. */
  outDir?: string;
  /** Cases in flight at once (default: from the core count; group 9 always runs alone). */
  concurrency?: number;
  /** Once aborted, no further case starts. */
  signal?: AbortSignal;
}

export interface RunResult {
  agent: string;
  url: string;
  /** One result per case, in case order. */
  results: CaseResult[];
  /** This agent's index.json content. */
  index: AutobahnIndex;
  /** Set when the server could not be reached; the cases after that were not played. */
  unreachable: string | null;
}

/** Plays the selected cases against `options.url`; rejects when the patterns select no case. */
export async function run(options: RunOptions): Promise<RunResult> {
  const ids = selectCaseIds(allCaseIds, options.cases ?? ['*'], options.excludeCases ?? []);
  if (ids.length === 0) throw new Error(`no case matches ${JSON.stringify(options.cases)}`);
  const { url, outDir, concurrency, signal } = options;
  const { agent, results, index, unreachable } = await runSuite({
    url,
    agent: options.agent ?? new URL(url).host,
    cases: ids.map((id) => caseById(id)!),
    userAgent: USER_AGENT,
    ...(outDir !== undefined ? { outDir } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(signal !== undefined ? { signal } : {}),
  });
  return { agent, url, results, index, unreachable };
}
