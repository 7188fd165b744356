import type { ConnectFailure } from './fuzzing-connection.js';
import type { CaseResult } from './result.js';

/** Results stored before `connectFailure` existed lack it; undefined counts as "the connection opened". */
type MaybeConnectFailure = { connectFailure?: ConnectFailure | null | undefined };

/**
 * Whether a case counts as passed (report totals, JUnit, the CLI's exit status): Autobahn's rule — no
 * FAILED behavior, and a behaviorClose of OK or INFORMATIONAL — and, beyond it, never a case whose
 * connection did not open, whatever its Autobahn-compatible fields hold.
 */
export function resultPassed(r: Pick<CaseResult, 'behavior' | 'behaviorClose'> & MaybeConnectFailure): boolean {
  if (r.connectFailure != null) return false;
  return r.behavior !== 'FAILED' && (r.behaviorClose === 'OK' || r.behaviorClose === 'INFORMATIONAL');
}

/** The case was not played because its server could not be reached: the TCP connection was refused. */
export function isTargetDown(r: MaybeConnectFailure): boolean {
  return r.connectFailure?.kind === 'refused';
}
