import { cpus } from 'node:os';
import type { CaseDef } from '@wsmatrix/cases';
import { runCase, type RunCaseOptions } from './engine.js';
import type { CaseResult } from './result.js';

export interface SuiteServer {
  agent: string;
  url: string;
}

export interface SuiteOptions {
  servers: SuiteServer[];
  cases: readonly CaseDef[];
  /** Positions (1-based, Autobahn's case numbers) by id. */
  positions?: ReadonlyMap<string, number>;
  concurrency?: number;
  userAgent: string;
  /** Cases to skip per agent (from a spec's exclude-agent-cases). */
  skip?: (agent: string, caseId: string) => boolean;
  caseOptions?: Partial<Pick<RunCaseOptions, 'timeouts' | 'maxMessageSize'>>;
  onResult?: (result: CaseResult) => void;
  /** A server became unreachable; the rest of its cases are reported "target down" without connecting. */
  onTargetDown?: (agent: string, reason: string) => void;
}

/** A sensible default: cases spend most of their time waiting on timers, so many can overlap per core. */
export function defaultConcurrency(): number {
  return Math.max(8, Math.min(64, cpus().length * 16));
}

/** Group 9 measures timing: those cases run one at a time with nothing else in flight. */
export function runsAlone(def: CaseDef): boolean {
  return def.id.startsWith('9.');
}

/**
 * Runs the cases against every server: for each server, the ordinary cases concurrently (each its own
 * connection), then the timing cases alone. Results come back in catalogue order per agent.
 */
export async function runSuite(options: SuiteOptions): Promise<Map<string, CaseResult[]>> {
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency());
  const all = new Map<string, CaseResult[]>();
  for (const server of options.servers) {
    const cases = options.cases.filter((c) => !options.skip?.(server.agent, c.id));
    const results = new Array<CaseResult | undefined>(cases.length);
    let downReason: string | null = null;
    const runOne = async (index: number) => {
      const def = cases[index]!;
      let result: CaseResult;
      if (downReason) {
        result = notRunResult(def, server, options.positions?.get(def.id) ?? 0, downReason);
      } else {
        result = await runCase(def, {
          url: server.url,
          agent: server.agent,
          userAgent: options.userAgent,
          position: options.positions?.get(def.id) ?? 0,
          ...options.caseOptions,
        });
        if (result.connectFailure?.kind === 'refused' && !downReason) {
          downReason = result.connectFailure.message;
          options.onTargetDown?.(server.agent, downReason);
        }
      }
      results[index] = result;
      options.onResult?.(result);
    };
    const ordinary: number[] = [];
    const alone: number[] = [];
    cases.forEach((def, i) => (runsAlone(def) ? alone : ordinary).push(i));
    let next = 0;
    const worker = async () => {
      while (next < ordinary.length) await runOne(ordinary[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ordinary.length) }, worker));
    for (const index of alone) await runOne(index);
    all.set(server.agent, results.filter((r): r is CaseResult => r !== undefined));
  }
  return all;
}

/** The row for a case that was not played because its server is down. */
function notRunResult(def: CaseDef, server: SuiteServer, position: number, reason: string): CaseResult {
  return {
    case: position,
    id: def.id,
    description: def.description,
    expectation: def.expectation,
    agent: server.agent,
    started: new Date().toISOString(),
    duration: 0,
    reportTime: false,
    reportCompressionRatio: false,
    behavior: 'FAILED',
    behaviorClose: 'FAILED',
    expected: {},
    expectedClose: def.expectedClose,
    received: [],
    result: `Not run: target down (${reason})`,
    resultClose: 'The WebSocket opening handshake was never completed!',
    wirelog: [],
    wirelogTimes: [],
    createWirelog: false,
    isServer: false,
    closedByMe: false,
    failedByMe: false,
    droppedByMe: false,
    wasClean: false,
    wasNotCleanReason: 'target down',
    wasServerConnectionDropTimeout: false,
    wasOpenHandshakeTimeout: false,
    wasCloseHandshakeTimeout: false,
    localCloseCode: null,
    localCloseReason: null,
    remoteCloseCode: null,
    remoteCloseReason: null,
    createStats: false,
    rxOctetStats: {},
    txOctetStats: {},
    rxFrameStats: {},
    txFrameStats: {},
    httpRequest: '',
    httpResponse: '',
    trafficStats: null,
    connectFailure: { kind: 'refused', message: reason },
    url: server.url,
  };
}
