import { packageVersion } from './package-version.js';
import {
  MAX_MESSAGE_SIZE,
  formatUrl,
  resolveStartOptions,
  type EchoTarget,
  type RunningTarget,
  type StartOptions,
} from './types.js';

const CORE_PACKAGE = '@wsmatrix/core';

/**
 * The part of @wsmatrix/core this adapter is coded against:
 *   const server = createEchoServer({ maxMessageSize });
 *   const { port } = await server.listen({ port, host });
 *   await server.close();
 */
export interface CoreEchoServer {
  listen(opts: { port: number; host: string }): Promise<{ port: number }>;
  close(): Promise<void>;
  /** The socket layer in effect once listening ('net', 'shared-reads', 'bare'); absent in older cores. */
  readonly socketLayer?: string | null;
  /** Why it differs from the one asked for; null when it does not. */
  readonly socketLayerFallback?: string | null;
}
export interface CoreModule {
  createEchoServer(opts: { maxMessageSize: number; perMessageDeflate?: boolean }): CoreEchoServer;
  coreVersion?: string;
}

export const coreServerOptions = { maxMessageSize: MAX_MESSAGE_SIZE } as const;
/** core+deflate: permessage-deflate with the core's default policy (window 15, zlib concurrency 10). */
export const coreDeflateServerOptions = { maxMessageSize: MAX_MESSAGE_SIZE, perMessageDeflate: true } as const;

/**
 * Imported lazily, so the ws and uws targets (and the CLI) load without starting the core; the
 * specifier is a literal so that bundlers (the bench's process bundle) include the core.
 */
async function loadCore(): Promise<CoreModule> {
  let mod: Partial<CoreModule>;
  try {
    mod = (await import('@wsmatrix/core')) as Partial<CoreModule>;
  } catch (err) {
    throw new Error(`cannot load ${CORE_PACKAGE}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (typeof mod.createEchoServer !== 'function') {
    throw new Error(`${CORE_PACKAGE} does not export createEchoServer()`);
  }
  return mod as CoreModule;
}

export function createCoreTarget(): EchoTarget {
  return {
    name: 'core',
    implementation: CORE_PACKAGE,
    version: packageVersion(CORE_PACKAGE),
    options: { ...coreServerOptions },
    start: (opts) => startCore(coreServerOptions, opts),
  };
}

/** Our core with permessage-deflate negotiated. */
export function createCoreDeflateTarget(): EchoTarget {
  return {
    name: 'core+deflate',
    implementation: CORE_PACKAGE,
    version: packageVersion(CORE_PACKAGE),
    options: { ...coreDeflateServerOptions },
    start: (opts) => startCore(coreDeflateServerOptions, opts),
  };
}

async function startCore(
  serverOptions: { maxMessageSize: number; perMessageDeflate?: boolean },
  opts?: StartOptions,
): Promise<RunningTarget> {
  const { host, port } = resolveStartOptions(opts);
  const core = await loadCore();
  const server = core.createEchoServer({ ...serverOptions });
  const { port: bound } = await server.listen({ port, host });
  let closing: Promise<void> | undefined;
  return {
    url: formatUrl(host, bound),
    host,
    port: bound,
    // Read when asked: the core may still fall back after listen() (on its first connection).
    get options() {
      const { socketLayer, socketLayerFallback } = server;
      if (typeof socketLayer !== 'string') return undefined;
      return { socketLayer, ...(socketLayerFallback ? { socketLayerFallback } : {}) };
    },
    close() {
      closing ??= server.close();
      return closing;
    },
  };
}
