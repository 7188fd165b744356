/**
 * @wsmatrix/runner: plays the case catalogue against any ws:// server with Autobahn's verdict rules and
 * writes Autobahn-compatible reports. Exports what other packages use; the rest is internal to its modules.
 */
export { runSuite } from './suite.js';
export { resultPassed, isTargetDown } from './pass-rules.js';
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
export type { CaseResult, IndexEntry, AutobahnIndex } from './result.js';
export type { WireLogEntry } from './wire-log.js';
