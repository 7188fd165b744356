/**
 * The targets of a benchmark, made ready before any server process starts. Each name is resolved: an embedded
 * target, an external one of the shipped targets file, or an npm release (`ws@6.2.2`, `ws@6`), installed into the
 * cache once and named by its exact version so its server process finds it there. An external target is started
 * once here and closed: its build is done and its start checked, so its server process starts within the start
 * timeout, and one that cannot run here becomes a row that says why while the rest is measured.
 */
import {
  DEFAULT_HOST,
  InvalidReleaseSpecError,
  ReleaseNotFoundError,
  UnknownTargetError,
  type EchoTarget,
} from '@wsmatrix/targets';

/** The raw TCP echo: not a WebSocket target, started by the server process itself. */
export const TCP_TARGET = 'tcp';

export type TargetResolver = (name: string) => Promise<EchoTarget>;

export interface ReadyTarget {
  /** As the user named it. */
  asked: string;
  /** As its server process is asked to start it: an npm release by its exact version. */
  name: string;
  /** Why it is not measured: unavailable here, its release could not be installed, or it did not start. */
  error?: string;
}

/** A name the user got wrong (no such target, a malformed release, a release the registry lacks): usage. */
export function isBadTargetName(err: unknown): boolean {
  return (
    err instanceof UnknownTargetError || err instanceof InvalidReleaseSpecError || err instanceof ReleaseNotFoundError
  );
}

/** A target started by command (an external one, an npm release) says whether it can run here. */
function startedByCommand(target: EchoTarget): target is EchoTarget & { unavailableReason(): string | undefined } {
  return typeof (target as { unavailableReason?: unknown }).unavailableReason === 'function';
}

/** The first line of an error: a start failure carries the server's output after it. */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0]!;
}

/**
 * Every name resolved first (a bad name throws before anything starts: see isBadTargetName), then each external
 * target tried once. Two names of one release (`ws@6`, `ws@6.2.2`) give one target.
 */
export async function prepareTargets(names: readonly string[], resolve: TargetResolver): Promise<ReadyTarget[]> {
  const resolved: Array<{ asked: string; target?: EchoTarget; error?: string }> = [];
  for (const asked of names) {
    if (asked === TCP_TARGET) {
      resolved.push({ asked });
      continue;
    }
    try {
      resolved.push({ asked, target: await resolve(asked) });
    } catch (err) {
      if (isBadTargetName(err)) throw err;
      resolved.push({ asked, error: firstLine(err) });
    }
  }
  const ready: ReadyTarget[] = [];
  for (const { asked, target, error } of resolved) {
    const name = target?.name ?? asked;
    if (ready.some((r) => r.name === name)) continue;
    if (error !== undefined || target === undefined) {
      ready.push({ asked, name, ...(error !== undefined ? { error } : {}) });
      continue;
    }
    ready.push({ asked, name, ...(await tryStart(target)) });
  }
  return ready;
}

/** Starts and closes a target started by command; embedded targets start in their server process only. */
async function tryStart(target: EchoTarget): Promise<{ error?: string }> {
  if (!startedByCommand(target)) return {};
  const reason = target.unavailableReason();
  if (reason !== undefined) return { error: `unavailable: ${reason}` };
  try {
    const running = await target.start({ host: DEFAULT_HOST, port: 0 });
    await running.close();
    return {};
  } catch (err) {
    return { error: firstLine(err) };
  }
}
