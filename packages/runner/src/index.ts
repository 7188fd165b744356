/**
 * @wsmatrix/runner: plays the case catalogue against any ws:// server with Autobahn's verdict rules and
 * writes Autobahn-compatible reports.
 */
export { runCase, type RunCaseOptions } from './run-case.js';
export { runSuite, defaultConcurrency, runsAlone, isCpuBound, cpuBoundConcurrency, type SuiteOptions, type SuiteResult, type MultiSuiteOptions } from './suite.js';
export { computeVerdict, eventsEqual, type ObservedEvent, type Verdict, type VerdictInput, type ExpectedSequences } from './verdict.js';
export { expandExpected } from './events.js';
export { DEFAULT_TIMEOUTS, trafficStatsJson, type ClientTimeouts, type ConnectFailure, type TrafficStats, type MessageTraffic, type TrafficStatsJson } from './fuzzing-client.js';
export { freshClosingRecord, type ClosingRecord } from './closing-record.js';
export { autobahnAcceptsCloseCode } from './autobahn-close.js';
export { buildIndex, writeAgentReport, writeReportFiles, writeCaseBundles, caseReportFilename, caseBundleFilename, summarize } from './report-files.js';
export { resultPassed, isTargetDown } from './pass-rules.js';
export { type WireLogEntry } from './wire-log.js';
export { USER_AGENT, RUNNER_VERSION } from './user-agent.js';
export type { CaseResult, IndexEntry, AutobahnIndex } from './result.js';
