import type { Behavior, BehaviorClose, ExpectedClose } from '@wsmatrix/cases';
import type { ClosingRecord } from './closing-record.js';
import type { ConnectFailure } from './fuzzing-connection.js';
import type { TrafficStats, TrafficStatsJson } from './traffic-stats.js';
import type { WireLogEntry } from './wire-log.js';

/**
 * One case's report, with Autobahn's field names (fuzzing.py connectionLost) so its tooling can read it,
 * plus `wirelogTimes` (ms since the connection attempt started, for each wire log entry), `connectFailure` and `url`.
 */
export interface CaseResult extends ClosingRecord, TrafficStats {
  case: number;
  id: string;
  description: string;
  expectation: string;
  agent: string;
  started: string;
  duration: number;
  reportTime: boolean;
  reportCompressionRatio: boolean;
  behavior: Behavior;
  behaviorClose: BehaviorClose;
  expected: Record<string, unknown[][]>;
  expectedClose: ExpectedClose;
  received: unknown[][];
  result: string;
  resultClose: string;
  wirelog: WireLogEntry[];
  wirelogTimes: number[];
  createWirelog: boolean;
  createStats: boolean;
  httpRequest: string;
  httpResponse: string;
  /** AutobahnPython's trafficStats (compression ratios, overheads); null unless a 12.x/13.x case succeeded. */
  trafficStats: TrafficStatsJson | null;
  connectFailure: ConnectFailure | null;
  url: string;
  /** wsmatrix's own: set when the case was played more than once (--repeat); see RepeatCounts. */
  repeats?: RepeatCounts;
}

/**
 * A case played `runs` times: how many runs gave each verdict ("OK", "NON-STRICT", "OK/UNCLEAN" as in
 * reports). Two or more keys make it timing-dependent. Not Autobahn's: its readers ignore the field.
 */
export interface RepeatCounts {
  runs: number;
  verdicts: Record<string, number>;
}

/** An entry of Autobahn's reports/servers/index.json. */
export interface IndexEntry {
  behavior: Behavior;
  behaviorClose: BehaviorClose;
  duration: number;
  remoteCloseCode: number | null;
  reportfile: string;
  /** wsmatrix's own, as on CaseResult: present only for a case played more than once. */
  repeats?: RepeatCounts;
}

export type AutobahnIndex = Record<string, Record<string, IndexEntry>>;
