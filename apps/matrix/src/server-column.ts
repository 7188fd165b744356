/**
 * A server column of the matrix: starts the target, plays the selected cases against it as the client, stops it.
 * A target that cannot start becomes a column that says why.
 */
import { allCaseIds, selectCaseIds } from '@wsmatrix/cases';
import { isTargetDown } from '@wsmatrix/runner';
import type { EchoTarget, RunningTarget } from '@wsmatrix/targets';
import { startCpuAccount } from './cpu-account.js';
import { caseFailed, caseOutcome, TARGET_DOWN } from './junit.js';
import {
  errorText,
  implementationOf,
  interruptedColumn,
  notRunColumn,
  reasonOf,
  unavailableColumn,
  type ColumnBase,
  type ColumnContext,
  type ColumnRun,
} from './matrix-column.js';
import type { PlayOutcome } from './play.js';
import { playRestarting, type ServerRestart } from './play-restarting.js';
import { describeSocketLayer, optionsInEffect } from './target-options.js';
import type { ColumnSource } from './user-targets.js';
import { USER_AGENT } from './version.js';

/** Plays the cases against one target; a target that cannot start becomes a column that says why. */
export async function runServerColumn(source: ColumnSource, cx: ColumnContext): Promise<ColumnRun> {
  const { cases, progress, say, signal } = cx;
  const { name } = source;
  let target: EchoTarget;
  try {
    target = source.make();
  } catch (err) {
    return unavailableColumn(
      { key: name, role: 'server', label: name, implementation: name, version: '?' },
      'unavailable',
      reasonOf(err),
    );
  }
  // A target that cannot run here has no version to show ("unavailable" is its status, not a version).
  const label = target.version === 'unavailable' ? name : `${name} ${target.version}`;
  const base: ColumnBase = {
    key: name,
    role: 'server',
    label,
    implementation: implementationOf(name, target),
    version: target.version,
  };
  const interruptedRun = () =>
    interruptedColumn(
      base,
      target.options,
      cases.map((c) => c.id),
      String(signal.reason),
    );
  if (cases.length === 0) return notRunColumn(base, target.options, 'none of the selected cases is a server case');
  if (signal.aborted) return interruptedRun();
  const startedAt = Date.now();
  let running: RunningTarget;
  try {
    running = await target.start({ port: 0 });
  } catch (err) {
    if (signal.aborted) return interruptedRun();
    const status = err instanceof Error && err.name === 'TargetUnavailableError' ? 'unavailable' : 'down';
    const text = errorText(err);
    const named = text.includes(name) ? text : `${name}: ${text}`;
    cx.warn(`wsmatrix: ${named}${status === 'down' ? ` (its column says "${TARGET_DOWN}")` : ''}\n`);
    return unavailableColumn(base, status, reasonOf(err));
  }
  say(
    `${name}: ${target.implementation} ${target.version} on ${running.url}` +
      `${describeSocketLayer(optionsInEffect(target, running))}\n`,
  );
  // Cases that would judge our harness rather than the implementation are left out of its column.
  const na = target.notApplicable;
  const excluded = na ? new Set(selectCaseIds(allCaseIds, na.cases, [])) : new Set<string>();
  const playable = cases.filter((c) => !excluded.has(c.id));
  const repeat = cx.repeat ?? 1;
  progress.expect(name, playable.length * repeat);
  let outcome: PlayOutcome;
  let options: Record<string, unknown>;
  let restarts: ServerRestart[] = [];
  // The CPU of the process serving now; a process that died took its reading with it.
  let serving = running;
  const cpu = startCpuAccount({ cpuTime: () => serving.cpuTime?.() ?? null });
  try {
    const played = await playRestarting(
      repeat,
      running,
      () => target.start({ port: 0 }),
      {
        agent: name,
        cases: playable,
        concurrency: cx.concurrency,
        userAgent: USER_AGENT,
        signal,
        onResult: (r) => progress.caseDone(r.agent, caseOutcome(r)),
      },
      (r) => {
        cx.warn(
          `wsmatrix: ${name} stopped answering (${errorText(r.unreachable)})` +
            `${r.lastWords ? `; its last words: ${r.lastWords}` : ''}; started it again for its ` +
            `${r.replayed} cases not yet played\n`,
        );
        progress.expect(name, playable.length * repeat + r.replayed * repeat);
      },
    );
    outcome = played.outcome;
    restarts = played.restarts;
    serving = played.running;
    running = played.running;
  } finally {
    cpu.stop();
    // After the traffic and the stop (a target in its own process reports its final settings as it stops): the
    // layer the cases actually ran on.
    await running.close().catch(() => {});
    options = optionsInEffect(target, running);
  }
  const { results, interrupted, unreachable } = outcome;
  const targetDown = results.filter(isTargetDown).length;
  if (unreachable !== null) {
    cx.warn(
      `wsmatrix: ${name} stopped answering (${errorText(unreachable)}); ` +
        `its ${targetDown} remaining cases are reported as "${TARGET_DOWN}"\n`,
    );
  }
  const notes = [
    ...restarts.map(
      (r, i) =>
        `the server died during the run${restarts.length > 1 ? ` (${i + 1} of ${restarts.length})` : ''}` +
        `${r.culprit ? ` while it played ${r.culprit} alone` : ''}: ` +
        `${r.unreachable}${r.lastWords ? ` (its last words: ${r.lastWords})` : ''}; started again, ` +
        `${r.replayed} cases played on the new process (those it dropped one at a time first, then those it had ` +
        'not reached; CPU of a dead process not counted)',
    ),
    ...(unreachable !== null
      ? [`${TARGET_DOWN}: stopped answering during the run (${unreachable}); ${targetDown} cases not played`]
      : []),
    ...(interrupted.length
      ? [`interrupted by ${String(signal.reason)}: ${interrupted.length} of ${playable.length} cases not run`]
      : []),
    ...(na && excluded.size > 0 && playable.length < cases.length
      ? [`${na.cases.join(', ')} not applicable: ${na.reason}`]
      : []),
  ];
  const column: ColumnRun['column'] = {
    ...base,
    status: unreachable === null ? 'ok' : 'down',
    ...(notes.length ? { reason: notes.join('; ') } : {}),
    results,
  };
  const failed = results.filter((r) => caseFailed(r) && !isTargetDown(r)).length;
  return {
    column,
    failed,
    durationMs: Date.now() - startedAt,
    options,
    interrupted,
    targetDown,
    notPlayed: [],
    // A column that played nothing here (its cases reused or not applicable) has no time to account for.
    ...(results.length > 0 ? { cpu: cpu.result() } : {}),
  };
}
