import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { packageVersion } from './package-version.js';
import {
  MAX_MESSAGE_SIZE,
  formatUrl,
  resolveStartOptions,
  type EchoTarget,
  type RunningTarget,
  type StartOptions,
} from './types.js';

/**
 * Options passed to `new WebSocketServer()`. ws 8.23 added `maxFragments` (default 16 384)
 * and `maxBufferedChunks` (default 262 144), which close Autobahn 9.3.1 / 9.4.1 (65 536
 * fragments of 64 B) with 1008. Every non-empty fragment and every buffered chunk carries
 * at least one byte, so setting both to the message size limit makes `maxPayload` the
 * effective limit while keeping a bound against floods of empty frames.
 */
export const wsServerOptions = {
  maxPayload: MAX_MESSAGE_SIZE,
  maxFragments: MAX_MESSAGE_SIZE,
  maxBufferedChunks: MAX_MESSAGE_SIZE,
  perMessageDeflate: false,
  clientTracking: true,
  autoPong: true,
  skipUTF8Validation: false,
  allowSynchronousEvents: true,
} as const;

/** Same answer ws gives to plain HTTP requests in its own `port` mode. */
function answer426(server: Server): void {
  server.on('request', (_req, res) => {
    const body = STATUS_CODES[426] ?? 'Upgrade Required';
    res.writeHead(426, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
    res.end(body);
  });
}

export function createWsTarget(): EchoTarget {
  return {
    name: 'ws',
    implementation: 'ws',
    version: packageVersion('ws'),
    options: { ...wsServerOptions, httpServer: 'node:http, 426 for non-upgrade requests (as ws port mode)' },
    start: startWs,
  };
}

async function startWs(opts?: StartOptions): Promise<RunningTarget> {
  const { host, port } = resolveStartOptions(opts);
  // We own the HTTP server (instead of ws's `port` mode) so close() can drop every socket,
  // including half-sent or idle HTTP requests that server.close() would wait for.
  const server = createServer();
  answer426(server);
  const wss = new WebSocketServer({ ...wsServerOptions, server });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      // binaryType is the default "nodebuffer", so data is one Buffer even for fragmented messages.
      socket.send(data as Buffer, { binary: isBinary });
    });
    socket.on('error', () => {
      // Protocol errors are answered by ws with a close frame; nothing else to do.
    });
  });
  wss.on('error', () => {
    // Re-emitted server errors; listen errors are handled below.
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: formatUrl(host, bound),
    host,
    port: bound,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
