import { createServer } from 'node:net';

function listenOnce(host: string, port: number): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port that is free on `host` right now: bind port 0, read the port, release it. Another
 * process could take it before the server binds; start() retries on that.
 */
export function pickFreePort(host: string): Promise<number> {
  return listenOnce(host, 0);
}

/**
 * Rejects if host:port is taken. Readiness is "the port accepts TCP", so without this check a
 * server that fails to bind a taken port would look ready (the other server answers).
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  try {
    await listenOnce(host, port);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot start on ${host}:${port}: ${code === 'EADDRINUSE' ? 'address already in use' : String(err)}`,
      {
        cause: err,
      },
    );
  }
}
