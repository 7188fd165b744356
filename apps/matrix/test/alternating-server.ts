import { afterEach } from 'vitest';
import { WebSocketServer } from 'ws';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A server that echoes on odd-numbered connections and, on even ones, closes 1000 without echoing: the same
 * case gets OK, then FAILED, deterministically. Stopped after each test.
 */
export async function alternatingServer(): Promise<{ url: string; connections: () => number }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  closers.push(() => new Promise((resolve) => wss.close(() => resolve())));
  let n = 0;
  wss.on('connection', (ws) => {
    const echo = ++n % 2 === 1;
    ws.on('message', (data, isBinary) => {
      if (echo) ws.send(data, { binary: isBinary });
      else ws.close(1000);
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/`, connections: () => n };
}
