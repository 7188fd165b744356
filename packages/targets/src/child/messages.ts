/**
 * What a target's child process (serve-entry) tells its parent: one JSON object per line on its stdout.
 * Nothing else is written there (targets print nothing), so every line is one of these.
 */

/** Settings the server resolved at start or later (RunningTarget.options); absent when it has none. */
type ResolvedOptions = Record<string, unknown> | undefined;

export type ChildMessage =
  /** The server listens: first line of a good start. */
  | { kind: 'listening'; url: string; host: string; port: number; options?: Record<string, unknown> }
  /** Its resolved settings changed after the start (the core falls back on its first connection). */
  | { kind: 'options'; options: Record<string, unknown> }
  /** start() threw; `unavailable` is the reason when it was a TargetUnavailableError. Exit code 1 follows. */
  | { kind: 'failed'; message: string; unavailable?: string }
  /** Told to stop: its settings and own CPU time as it closes the server (process.cpuUsage(), ms). */
  | { kind: 'stopping'; cpuMs: number; options?: Record<string, unknown> };

export function encodeMessage(message: ChildMessage): string {
  return `${JSON.stringify(message)}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const optionsOf = (value: unknown): ResolvedOptions => (isRecord(value) ? value : undefined);

/** The message a line carries, or undefined when it is none (a stray line is ignored, not trusted). */
export function decodeMessage(line: string): ChildMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const options = optionsOf(value.options);
  switch (value.kind) {
    case 'listening': {
      const { url, host, port } = value;
      if (typeof url !== 'string' || typeof host !== 'string' || !Number.isInteger(port)) return undefined;
      return { kind: 'listening', url, host, port: port as number, ...(options ? { options } : {}) };
    }
    case 'options':
      return options ? { kind: 'options', options } : undefined;
    case 'failed': {
      const { message, unavailable } = value;
      if (typeof message !== 'string') return undefined;
      return { kind: 'failed', message, ...(typeof unavailable === 'string' ? { unavailable } : {}) };
    }
    case 'stopping':
      if (typeof value.cpuMs !== 'number') return undefined;
      return { kind: 'stopping', cpuMs: value.cpuMs, ...(options ? { options } : {}) };
    default:
      return undefined;
  }
}
