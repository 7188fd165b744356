import { connect } from 'node:net';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { WebSocket } from 'ws';

export const MiB = 1024 * 1024;

/** Opens a ws client (no compression, no client-side size limit). */
export async function openClient(url: string, ms = 5000): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 0 });
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    ms,
    `open ${url}`,
  );
  return ws;
}

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

/** Resolves with the next `count` messages (or rejects on close/error/timeout). */
export function nextMessages(ws: WebSocket, count: number, ms: number): Promise<Received[]> {
  return withTimeout(
    new Promise<Received[]>((resolve, reject) => {
      const got: Received[] = [];
      const onMessage = (data: Buffer, isBinary: boolean): void => {
        got.push({ data, isBinary });
        if (got.length === count) {
          cleanup();
          resolve(got);
        }
      };
      const onClose = (code: number): void => {
        cleanup();
        reject(new Error(`connection closed (${code}) after ${got.length} of ${count} messages`));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        ws.off('message', onMessage);
        ws.off('close', onClose);
        ws.off('error', onError);
      };
      ws.on('message', onMessage);
      ws.on('close', onClose);
      ws.on('error', onError);
    }),
    ms,
    `${count} message(s)`,
  );
}

export function nextMessage(ws: WebSocket, ms: number): Promise<Received> {
  return nextMessages(ws, 1, ms).then((m) => m[0]!);
}

/** Resolves with the close code and reason the client saw. */
export function closed(ws: WebSocket, ms: number): Promise<{ code: number; reason: string }> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('already closed'));
  return withTimeout(
    new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
      ws.on('error', () => {});
    }),
    ms,
    'close',
  );
}

/** What a server did with a raw HTTP request. */
export type RawOutcome =
  | { kind: 'status'; status: number; headers: Record<string, string>; head: string }
  | { kind: 'close' } // server closed the TCP connection without sending a byte
  | { kind: 'timeout'; received: string };

/**
 * Sends `request` over plain TCP and reports the status line + headers of the answer, or a
 * silent TCP close. Never hangs: gives up after `ms`.
 */
export function rawRequest(port: number, host: string, request: string, ms = 3000): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(request));
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (outcome: RawOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const parse = (): RawOutcome | undefined => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = buf.subarray(0, end).toString('latin1');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      if (!match) return undefined;
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return { kind: 'status', status: Number(match[1]), headers, head };
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', received: buf.toString('latin1') }), ms);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const outcome = parse();
      if (outcome) finish(outcome);
    });
    socket.on('close', () => {
      const outcome = parse();
      if (outcome) finish(outcome);
      else if (buf.length === 0) finish({ kind: 'close' });
      else finish({ kind: 'timeout', received: buf.toString('latin1') });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset before any byte is a TCP close as far as the client can tell.
      if (err.code === 'ECONNRESET' && buf.length === 0) finish({ kind: 'close' });
      else if (!done) {
        done = true;
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function handshake(
  port: number,
  opts: { method?: string; key?: string | null; version?: string | null; upgrade?: boolean } = {},
): string {
  const lines = [`${opts.method ?? 'GET'} / HTTP/1.1`, `Host: 127.0.0.1:${port}`];
  if (opts.upgrade !== false) lines.push('Upgrade: websocket', 'Connection: Upgrade');
  const key = opts.key === undefined ? KEY : opts.key;
  if (key !== null) lines.push(`Sec-WebSocket-Key: ${key}`);
  const version = opts.version === undefined ? '13' : opts.version;
  if (version !== null) lines.push(`Sec-WebSocket-Version: ${version}`);
  if (opts.method && opts.method !== 'GET') lines.push('Content-Length: 0');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Starts a target once for a describe block (beforeAll) and stops it after (afterAll); `client()` opens a
 * `ws` client to it, and every client is terminated after each test so no test leaks into the next.
 */
export function startedTarget<R extends { url: string; close(): Promise<void> }>(
  start: () => Promise<R>,
  startTimeoutMs = 15_000,
): { readonly running: R; client(): Promise<WebSocket> } {
  let running: R | undefined;
  const clients = new Set<WebSocket>();
  beforeAll(async () => {
    running = await start();
  }, startTimeoutMs);
  afterEach(() => {
    for (const ws of clients) ws.terminate();
    clients.clear();
  });
  afterAll(async () => {
    await running?.close();
  }, 15_000);
  return {
    get running(): R {
      if (!running) throw new Error('target not started');
      return running;
    },
    async client(): Promise<WebSocket> {
      const ws = await openClient(this.running.url);
      clients.add(ws);
      return ws;
    },
  };
}
