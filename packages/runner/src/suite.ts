import { allCases, compareCaseIds, type CaseDef } from '@wsmatrix/cases';
import { notRunResult } from './not-run.js';
import { buildIndex, writeAgentReport } from './report-files.js';
import type { AutobahnIndex, CaseResult } from './result.js';
import { runCase } from './run-case.js';
import type { RunCaseOptions } from './run-options.js';
import { casePhases } from './schedule.js';

export interface SuiteOptions extends Omit<RunCaseOptions, 'agent'> {
  /** ws://host:port/path of the server under test. */
  url: string;
  /** The agent name (index.json key and report file prefix). */
  agent: string;
  /** The cases to play (default: the whole catalogue). */
  cases?: readonly CaseDef[];
  /** Cases in flight at once (default: defaultConcurrency()). Group 9 always runs one at a time. */
  concurrency?: number;
  /** When given, index.json and one JSON report per case are written here. */
  outDir?: string;
  /** Called as each case finishes (progress output). */
  onResult?: (result: CaseResult) => void;
  /** Once aborted, no further case starts; the cases not started are left out of `results`. */
  signal?: AbortSignal;
}

export interface SuiteResult {
  agent: string;
  url: string;
  /** One result per case, in numeric id order. */
  results: CaseResult[];
  /** The index.json content for this agent alone. */
  index: AutobahnIndex;
  /** Wall time of the whole run in ms. */
  wallMs: number;
  /** Set when the server could not be reached; the cases after that were not played. */
  unreachable: string | null;
}

/** Several servers, one after the other (each with `runSuite`); results by agent. */
export interface MultiSuiteOptions extends Omit<SuiteOptions, 'url' | 'agent' | 'outDir'> {
  servers: ReadonlyArray<{ agent: string; url: string }>;
  /** Cases to leave out per agent (a spec's exclude-agent-cases). */
  skip?: (agent: string, caseId: string) => boolean;
  /** Called when a server could not be reached; its remaining cases were reported as not run. */
  onTargetDown?: (agent: string, reason: string) => void;
}

/**
 * Plays the cases against one server: the ordinary cases concurrently (each its own connection), then
 * the timing cases one by one. If the server refuses a connection, the remaining cases are reported as
 * not run (FAILED, handshake never completed) without connecting again.
 * Given `servers` instead of `url` and `agent`, plays them one after the other and returns the results
 * by agent.
 */
export function runSuite(options: SuiteOptions): Promise<SuiteResult>;
export function runSuite(options: MultiSuiteOptions): Promise<Map<string, CaseResult[]>>;
export function runSuite(options: SuiteOptions | MultiSuiteOptions): Promise<SuiteResult | Map<string, CaseResult[]>> {
  return 'servers' in options ? runServers(options) : runOneServer(options);
}

async function runServers(options: MultiSuiteOptions): Promise<Map<string, CaseResult[]>> {
  const { servers, skip, onTargetDown, cases, ...rest } = options;
  const byAgent = new Map<string, CaseResult[]>();
  for (const { agent, url } of servers) {
    if (rest.signal?.aborted) break;
    const selected = (cases ?? allCases).filter((c) => !skip?.(agent, c.id));
    const suite = await runOneServer({ ...rest, url, agent, cases: selected });
    if (suite.unreachable !== null) onTargetDown?.(agent, suite.unreachable);
    byAgent.set(agent, suite.results);
  }
  return byAgent;
}

async function runOneServer(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const { url, agent, outDir, onResult, concurrency, cases: selected, signal, ...caseOptions } = options;
  const cases = [...(selected ?? allCases)].sort((a, b) => compareCaseIds(a.id, b.id));
  const results = new Array<CaseResult>(cases.length);
  let unreachable: string | null = null;

  const runOne = async (index: number) => {
    const def = cases[index]!;
    let result: CaseResult;
    if (unreachable !== null) {
      result = notRunResult(def, agent, url, unreachable);
    } else {
      result = await runCase(url, def, { ...caseOptions, agent });
      if (result.connectFailure?.kind === 'refused') unreachable ??= result.connectFailure.message;
    }
    results[index] = result;
    onResult?.(result);
  };

  const runPool = async (indices: number[], limit: number) => {
    let next = 0;
    const worker = async () => {
      while (next < indices.length && !signal?.aborted) await runOne(indices[next++]!);
    };
    const workers = Math.max(1, Math.min(limit, indices.length));
    await Promise.all(Array.from({ length: workers }, worker));
  };
  for (const phase of casePhases(cases, concurrency)) await runPool(phase.indices, phase.concurrency);

  const wallMs = Math.round(performance.now() - started);
  // After an abort, the cases never started are holes: left out.
  const played = signal?.aborted ? results.filter((r) => r !== undefined) : results;
  if (outDir) await writeAgentReport(outDir, agent, played);
  return { agent, url, results: played, index: buildIndex(new Map([[agent, played]])), wallMs, unreachable };
}
