/**
 * What the driver does with every child process it starts (server, load generator): keep its stderr
 * (bounded) for error messages, send it requests over IPC and match their replies, and stop it.
 */
import type { ChildProcess } from 'node:child_process';

/** How much of a child's stderr is kept for an error message: enough for a stack trace, never unbounded. */
export const STDERR_KEPT_CHARS = 8192;

/**
 * Keeps what a child writes on stderr (its last STDERR_KEPT_CHARS characters); the returned function gives
 * all of it, trimmed, with a note when the start was cut off: a failure is shown whole, not its last line.
 */
export function stderrText(child: ChildProcess): () => string {
  let kept = '';
  let cut = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    kept += d;
    if (kept.length > STDERR_KEPT_CHARS) {
      kept = kept.slice(-STDERR_KEPT_CHARS);
      cut = true;
    }
  });
  return () => {
    const text = kept.trim();
    if (text === '') return '(nothing on stderr)';
    return cut ? `[… earlier output cut]\n${text}` : text;
  };
}

export interface RequestErrors {
  /** Names a request in the timeout error: "<what> timed out after N ms". */
  what: string;
  /** The error when the child exits before replying (say what it wrote on stderr). */
  exited(code: number | null): string;
}

/**
 * Request/reply over a child's IPC channel: sends `{id, ...message}` with a fresh id and resolves with
 * field `key` of the reply carrying that id; rejects with the reply's `error`, after `timeoutMs`, or when
 * the child exits first. Messages without that id are left alone.
 */
export function ipcRequester<Message extends object, Reply>(
  child: ChildProcess,
  key: string,
  errors: RequestErrors,
): (message: Message, timeoutMs: number) => Promise<Reply> {
  let nextId = 1;
  return (message, timeoutMs) => {
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`${errors.what} timed out after ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (msg: unknown): void => {
        if (typeof msg !== 'object' || msg === null || (msg as { id?: unknown }).id !== id) return;
        const reply = msg as Record<string, unknown>;
        if ('error' in reply) finish(new Error(String(reply.error)));
        else finish(undefined, reply[key] as Reply);
      };
      const onExit = (code: number | null): void => finish(new Error(errors.exited(code)));
      const finish = (err?: Error, reply?: Reply): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (err) reject(err);
        else resolve(reply as Reply);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      // A closed channel fails this request instead of emitting 'error' on the child.
      child.send({ id, ...message }, (err) => err && finish(err));
    });
  };
}

/**
 * Asks a child to end (`ask`; by default its IPC channel is closed, which our children exit on), kills it
 * with SIGKILL if it has not exited after `graceMs`, and resolves once it has. `exited` is
 * `once(child, 'exit')`, taken when the child was started.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  ask: () => void = () => child.disconnect(),
  graceMs = 5000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  ask();
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(killer);
  }
}
