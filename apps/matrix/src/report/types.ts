import type { CaseResult, RepeatCounts } from '@wsmatrix/runner';
import type { Role } from './parts.js';

/** One column of the matrix: an implementation at one version, with its results (none when not ok). */
export interface ReportColumn {
  /** Stable id, e.g. 'core', 'ws@8', 'ws@7', 'uws', 'wslay', 'python-websockets'. */
  key: string;
  /** A server (the default) or a client: the part of the report the column is in. Keys are unique per part. */
  role?: Role;
  /** Header text, e.g. 'ws 8.23.0'. */
  label: string;
  implementation: string;
  version: string;
  /** unavailable: toolchain/package missing; down: did not start or answer (a client: its driver played nothing). */
  status: 'ok' | 'unavailable' | 'down';
  /** Why the column is not ok; shown in the header and its cells. */
  reason?: string;
  /** Empty when not ok; any results given anyway (a target that went down midway) are shown. */
  results: CaseResult[];
}

/** One stored run of one implementation release: case id -> verdict string ("OK", "FAILED", "OK/UNCLEAN"). */
export interface HistoryPoint {
  /** A server's run (the default) or a client's: each has its own history. */
  role?: Role;
  implementation: string;
  version: string;
  runAt: string;
  verdicts: Record<string, string>;
  /** Cases the run played more than once (--repeat): how many runs gave each verdict. */
  repeats?: Record<string, RepeatCounts>;
}

/** One stored release's verdicts (its index.json): what the Releases view compares. */
export interface StoredRelease {
  /** A server's release (the default) or a client's. */
  role?: Role;
  /** As stored: 'ws', 'ws+deflate' (a variant is stored as an implementation of its own). */
  implementation: string;
  version: string;
  /** case id -> verdict string ("OK", "OK/UNCLEAN"). */
  verdicts: Record<string, string>;
  /** Cases played more than once (--repeat): the verdicts their repeats saw. */
  seen?: Record<string, string[]>;
}

export interface ReportInput {
  title: string;
  generatedAt: string;
  /** Server and client columns in any order; each role is its own part of the report. */
  columns: ReportColumn[];
  history: HistoryPoint[];
  /**
   * Every stored release's verdicts, for the Releases view. Absent: each release's verdicts merged from its runs
   * in `history`, which keep verdicts its index.json no longer holds (cases since found not applicable).
   */
  releases?: StoredRelease[];
  /** Trusted HTML fragment, written as bench.html and linked from the index when present. */
  benchmarkHtml?: string;
}
