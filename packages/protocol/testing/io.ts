/** Waiting with a safety net, and a port nothing listens on: for tests that touch sockets and timers. */
import { createServer, type AddressInfo } from 'node:net';

/** Rejects after `ms` with a message naming what was awaited; a safety net against a hang, never a measurement. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A port on 127.0.0.1 that was free a moment ago: bound to port 0, read, released. Connecting to it is
 * refused, and a server may be started on it (unless something else took it meanwhile).
 */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
