/**
 * @wsmatrix/runner: plays the case catalogue against any ws:// server (the runner as client), or against a
 * client that connected to us (the runner as server, Autobahn's fuzzingserver), with Autobahn's verdict
 * rules, and writes Autobahn-compatible reports. Exports what other packages use; the rest is internal.
 */
export { runSuite } from './suite.js';
export { playCaseAsServer, type ReceivedUpgradeRequest } from './serve-case.js';
export type { ServerCaseOptions } from './run-options.js';
export { FuzzingServer, type FuzzingServerOptions } from './fuzzing-server/index.js';
export { resultPassed, isTargetDown } from './pass-rules.js';
export { caseCost, MAX_SHARDS, shardCases, type ShardSpec } from './shards.js';
export { notRunResult } from './not-run.js';
export {
  buildIndex,
  writeReportFiles,
  writeCaseBundles,
  caseBundleFilename,
  caseReportFilename,
  summarize,
  type CaseFileFormat,
} from './report-files.js';
export { autobahnJson } from './autobahn-json.js';
export type { CaseResult, IndexEntry, AutobahnIndex, RepeatCounts } from './result.js';
export type { WireLogEntry } from './wire-log.js';
