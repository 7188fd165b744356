export { runCase, expandExpected, type RunCaseOptions } from './engine.js';
export { runSuite, defaultConcurrency, runsAlone, type SuiteOptions, type SuiteServer } from './suite.js';
export { computeVerdict, eventsEqual, type ObservedEvent, type Verdict, type VerdictInput, type ExpectedSequences } from './verdict.js';
export { FuzzingClient, DEFAULT_TIMEOUTS, type ClientTimeouts, type ClosingRecord, type ConnectFailure, type TrafficStats } from './fuzzing-client.js';
export { buildIndex, writeReportFiles, caseReportFilename, summarize, resultPassed } from './report-files.js';
export { WireLog, hexPreview, textPreview, type WireLogEntry } from './wire-log.js';
export type { CaseResult, IndexEntry, AutobahnIndex } from './result.js';
