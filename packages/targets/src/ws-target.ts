import { createServer, STATUS_CODES, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { packageVersion } from './package-version.js';
import {
  MAX_MESSAGE_SIZE,
  formatUrl,
  resolveStartOptions,
  type EchoTarget,
  type RunningTarget,
  type StartOptions,
} from './types.js';

const require = createRequire(import.meta.url);

/**
 * Options passed to ws 8's `new WebSocketServer()`. ws 8.23 added `maxFragments` (default 16 384)
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

/**
 * ws+deflate: the same server with ws's own permessage-deflate defaults (`perMessageDeflate: true`:
 * window 15, context takeover, messages under 1024 bytes sent uncompressed, zlib concurrency 10).
 */
export const wsDeflateServerOptions = { ...wsServerOptions, perMessageDeflate: true } as const;

/**
 * ws 7 knows only these of the options above (skipUTF8Validation, autoPong and allowSynchronousEvents
 * came with 8.x); 7.5.14 back-ported the fragment and chunk limits, so they are raised the same way.
 */
export const ws7ServerOptions = {
  maxPayload: MAX_MESSAGE_SIZE,
  maxFragments: MAX_MESSAGE_SIZE,
  maxBufferedChunks: MAX_MESSAGE_SIZE,
  perMessageDeflate: false,
  clientTracking: true,
} as const;

/** The slice of ws's API (7.x and 8.x alike) this adapter uses. */
interface WsSocket {
  on(event: 'message', listener: (data: Buffer | string, isBinary?: boolean) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  send(data: Buffer | string, options?: { binary: boolean }): void;
  terminate(): void;
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  readonly clients: Set<WsSocket>;
  close(): void;
}
type WsServerClass = new (options: Record<string, unknown>) => WsServer;

interface WsRelease {
  /** Registry name of the target. */
  name: string;
  /** Install name in node_modules (an npm alias for older majors). */
  installName: string;
  options: Readonly<Record<string, unknown>>;
  /**
   * ws 8 hands every message over as a Buffer with an isBinary flag; ws 7 hands text over as a
   * string (already UTF-8 decoded) and binary as a Buffer, and send() picks the opcode from the type.
   */
  textAsString: boolean;
}

const RELEASES = {
  ws: { name: 'ws', installName: 'ws', options: wsServerOptions, textAsString: false },
  ws7: { name: 'ws7', installName: 'ws7', options: ws7ServerOptions, textAsString: true },
  'ws+deflate': { name: 'ws+deflate', installName: 'ws', options: wsDeflateServerOptions, textAsString: false },
} as const satisfies Record<string, WsRelease>;

/** Same answer ws gives to plain HTTP requests in its own `port` mode. */
function answer426(server: Server): void {
  server.on('request', (_req, res) => {
    const body = STATUS_CODES[426] ?? 'Upgrade Required';
    res.writeHead(426, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
    res.end(body);
  });
}

function loadServerClass(installName: string): WsServerClass {
  const mod = require(installName) as { Server?: WsServerClass; WebSocketServer?: WsServerClass };
  const ctor = mod.WebSocketServer ?? mod.Server;
  if (typeof ctor !== 'function') throw new Error(`${installName} exports no WebSocket server class`);
  return ctor;
}

function createTarget(release: WsRelease): EchoTarget {
  return {
    name: release.name,
    implementation: 'ws',
    version: packageVersion(release.installName),
    options: { ...release.options, httpServer: 'node:http, 426 for non-upgrade requests (as ws port mode)' },
    start: (opts) => startWs(release, opts),
  };
}

/** The current ws (8.x). */
export function createWsTarget(): EchoTarget {
  return createTarget(RELEASES.ws);
}

/** The current ws (8.x) with permessage-deflate on. */
export function createWsDeflateTarget(): EchoTarget {
  return createTarget(RELEASES['ws+deflate']);
}

/** ws 7.x through the `ws7` npm alias, so releases can be compared side by side. */
export function createWs7Target(): EchoTarget {
  return createTarget(RELEASES.ws7);
}

async function startWs(release: WsRelease, opts?: StartOptions): Promise<RunningTarget> {
  const { host, port } = resolveStartOptions(opts);
  const ServerClass = loadServerClass(release.installName);
  // We own the HTTP server (instead of ws's `port` mode) so close() can drop every socket,
  // including half-sent or idle HTTP requests that server.close() would wait for.
  const server = createServer();
  answer426(server);
  const wss = new ServerClass({ ...release.options, server });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      if (release.textAsString) socket.send(data);
      // binaryType is the default "nodebuffer", so data is one Buffer even for fragmented messages.
      else socket.send(data as Buffer, { binary: isBinary === true });
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
