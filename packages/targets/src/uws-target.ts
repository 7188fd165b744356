import { basename } from 'node:path';
import type * as Uws from 'uWebSockets.js';
import { TargetUnavailableError } from './external/unavailable.js';
import {
  MAX_MESSAGE_SIZE,
  formatUrl,
  resolveStartOptions,
  type EchoTarget,
  type RunningTarget,
  type StartOptions,
} from './types.js';
import { loadUwsNative, uwsUnavailableReason, type UwsModule } from './uws-native.js';

/**
 * uWS drops a send (returns 2) when the socket already holds more than maxBackpressure bytes
 * before the send. A single 16 MiB echo is never dropped (the buffer is empty when it is
 * sent), but with the default 64 KiB a second echo queued behind a slow reader is silently
 * lost. 64 MiB lets four 16 MiB echoes queue; beyond that we close instead of dropping.
 */
export const uwsBehaviorOptions = {
  maxPayloadLength: MAX_MESSAGE_SIZE,
  compression: 'DISABLED',
  idleTimeout: 0,
  maxLifetime: 0,
  maxBackpressure: 2 * MAX_MESSAGE_SIZE,
  closeOnBackpressureLimit: false,
  sendPingsAutomatically: false,
} as const;

/**
 * The compression settings of the uws columns. uWS has two permessage-deflate implementations: a
 * shared compressor/decompressor (no per-socket zlib state; it negotiates no context takeover) and
 * dedicated ones (a sliding window per socket). Names are the uWS constants OR-ed together.
 */
const UWS_VARIANTS = {
  uws: { compression: ['DISABLED'] },
  'uws+deflate': { compression: ['SHARED_COMPRESSOR', 'SHARED_DECOMPRESSOR'] },
  'uws+deflate-dedicated': { compression: ['DEDICATED_COMPRESSOR_256KB', 'DEDICATED_DECOMPRESSOR'] },
} as const satisfies Record<string, { compression: readonly string[] }>;

export type UwsVariant = keyof typeof UWS_VARIANTS;

export function createUwsTarget(variant: UwsVariant = 'uws'): EchoTarget {
  const compression = UWS_VARIANTS[variant].compression;
  const unavailable = uwsUnavailableReason();
  const native = unavailable === undefined ? loadUwsNative() : undefined;
  return {
    name: variant,
    implementation: 'uWebSockets.js',
    // Like the external targets: a build that cannot run here has no version, only a reason.
    version: native?.uwsVersion ?? 'unavailable',
    options: {
      ...uwsBehaviorOptions,
      compression: compression.join(' | '),
      route: '/*',
      // Without it uSockets sets SO_REUSEPORT for a fixed port, so a second server on the same
      // port silently shares it instead of failing like ws and core do.
      listen: 'LIBUS_LISTEN_EXCLUSIVE_PORT',
      onSendDropped: 'close() (TCP close, no close frame): an echo is never lost silently',
      binary: 'native addon loaded directly, never the JS fallback',
      nativeBuild: native ? `${native.packageId} ${basename(native.binaryPath)}` : unavailable,
    },
    start: (opts) => {
      if (unavailable !== undefined) return Promise.reject(new TargetUnavailableError(variant, unavailable));
      return startUws(compression, opts);
    },
  };
}

export const createUwsDeflateTarget = (): EchoTarget => createUwsTarget('uws+deflate');
export const createUwsDeflateDedicatedTarget = (): EchoTarget => createUwsTarget('uws+deflate-dedicated');

async function startUws(compressionNames: readonly string[], opts?: StartOptions): Promise<RunningTarget> {
  const { host, port } = resolveStartOptions(opts);
  const { uws } = loadUwsNative();
  let compression = 0;
  for (const name of compressionNames) {
    const value = (uws as unknown as Record<string, unknown>)[name];
    if (typeof value !== 'number') throw new Error(`uWebSockets.js has no compression constant ${name}`);
    compression |= value;
  }
  const compress = compression !== uws.DISABLED;
  const app = uws.App();
  const open = new Set<Uws.WebSocket<unknown>>();

  app.ws<unknown>('/*', {
    maxPayloadLength: uwsBehaviorOptions.maxPayloadLength,
    compression,
    idleTimeout: uwsBehaviorOptions.idleTimeout,
    maxLifetime: uwsBehaviorOptions.maxLifetime,
    maxBackpressure: uwsBehaviorOptions.maxBackpressure,
    sendPingsAutomatically: uwsBehaviorOptions.sendPingsAutomatically,
    open: (ws) => {
      open.add(ws);
    },
    close: (ws) => {
      open.delete(ws);
    },
    message: (ws, message, isBinary) => {
      // `message` is neutered when this handler returns; send() copies it synchronously.
      if (ws.send(message, isBinary, compress) === 2) ws.close();
    },
  });

  // The native listen(host, port, options, cb) overload is missing from the bundled typings.
  const listen = app.listen.bind(app) as unknown as (
    host: string,
    port: number,
    options: number,
    cb: (token: Uws.us_listen_socket | false) => void,
  ) => void;
  const exclusive = (uws as UwsModule & { LIBUS_LISTEN_EXCLUSIVE_PORT?: number }).LIBUS_LISTEN_EXCLUSIVE_PORT ?? 1;
  const listenSocket = await new Promise<Uws.us_listen_socket>((resolve, reject) => {
    listen(host, port, exclusive, (token) => {
      if (token) resolve(token);
      else reject(new Error(`uWebSockets.js could not listen on ${host}:${port} (address in use or not available)`));
    });
  });
  const bound = uws.us_socket_local_port(listenSocket as Uws.us_socket);

  let closed = false;
  return {
    url: formatUrl(host, bound),
    host,
    port: bound,
    async close() {
      if (closed) return;
      closed = true;
      uws.us_listen_socket_close(listenSocket);
      for (const ws of [...open]) ws.close();
      // Also drops plain HTTP sockets (e.g. a handshake never sent), which would otherwise
      // keep the process alive until uWS's HTTP idle timeout. Not in the bundled typings.
      (app as Uws.TemplatedApp & { close?: () => void }).close?.();
    },
  };
}
