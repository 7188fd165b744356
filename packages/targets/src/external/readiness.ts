import { connect } from 'node:net';

const POLL_INTERVAL_MS = 25;
const CONNECT_TIMEOUT_MS = 1000;

/** True if a TCP connection to host:port is accepted (it is closed again at once). */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls until host:port accepts TCP connections. Rejects with `signal.reason` as soon as the
 * signal aborts (the server process exited), or with a timeout error after `timeoutMs`.
 */
export async function waitUntilAccepting(
  host: string,
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    if (await accepts(host, port)) return;
    signal.throwIfAborted();
    if (Date.now() >= deadline)
      throw new Error(`did not accept TCP connections on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}
