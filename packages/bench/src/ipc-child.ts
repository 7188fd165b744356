/**
 * What the driver does with every child process it starts (server, load generator): keep the tail
 * of its stderr for error messages, send it requests over IPC and match their replies, and stop it.
 */
import type { ChildProcess } from 'node:child_process';

/** Keeps the tail of a child's stderr (never all of it); the returned function gives its last line. */
export function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4096)));
  return () => tail.trim().split('\n').pop() ?? '';
}

export interface RequestErrors {
  /** Names a request in the timeout error: "<what> timed out after N ms". */
  what: string;
  /** The error when the child exits before replying (say what it last wrote on stderr, if anything). */
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
