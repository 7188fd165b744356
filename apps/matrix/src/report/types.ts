import type { CaseResult } from '@wsmatrix/runner';

/** One column of the matrix: an implementation at one version, with its results (none when not ok). */
export interface ReportColumn {
  /** Stable id, e.g. 'core', 'ws@8', 'ws@7', 'uws', 'wslay', 'python-websockets'. */
  key: string;
  /** Header text, e.g. 'ws 8.23.0'. */
  label: string;
  implementation: string;
  version: string;
  /** unavailable: toolchain/package missing; down: did not start or answer. */
  status: 'ok' | 'unavailable' | 'down';
  /** Why the column is not ok; shown in the header and its cells. */
  reason?: string;
  /** Empty when not ok; any results given anyway (a target that went down midway) are shown. */
  results: CaseResult[];
}

/** One stored run of one implementation release: case id -> verdict string ("OK", "FAILED", "OK/UNCLEAN"). */
export interface HistoryPoint {
  implementation: string;
  version: string;
  runAt: string;
  verdicts: Record<string, string>;
}

export interface ReportInput {
  title: string;
  generatedAt: string;
  columns: ReportColumn[];
  history: HistoryPoint[];
  /** Trusted HTML fragment, written as bench.html and linked from the index when present. */
  benchmarkHtml?: string;
}
