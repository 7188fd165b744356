/**
 * Socket layers: 'net' by default, public API only (no process.binding, no takeover of the accept
 * callback); 'shared-reads' and 'bare' only when asked for, and only after proving themselves by the bytes
 * a loopback pair carries; the layer in effect is reported, also when a fallback happened (a proof that
 * fails, --permission). Flags-dependent checks run in a child process (test/fixtures/layer-probe.ts).
 */
import { execFile } from 'node:child_process';
import { createServer, Server as NetServerClass, type Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEchoServer } from '../src/echo.js';
import type { WebSocketServer } from '../src/server.js';
import { loadLibuvStreams } from '../src/libuv-stream.js';
import { SOCKET_LAYERS, proveSharedReads } from '../src/socket-layer.js';
import { wsClient } from './helpers.js';

const probe = fileURLToPath(new URL('./fixtures/layer-probe.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface ProbeResult {
  layer: string | null;
  reason: string | null;
  echo: string;
  warnings: string[];
}

function runProbe(flags: string[], layer: string, sabotage: string[] = []): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, '--conditions=@wsmatrix/source', '--import', 'tsx', probe, layer, ...sabotage],
      { cwd: packageDir, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`layer-probe ${layer} failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult);
      },
    );
  });
}

let server: WebSocketServer | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = null;
});

async function echoOnce(s: WebSocketServer): Promise<string> {
  const { port } = await s.listen();
  const ws = await wsClient(port);
  const reply = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
  ws.send('over the layer');
  const text = await reply;
  ws.close();
  return text;
}

/** The accept callback of a listening net.Server's handle (read here only to see whether it was replaced). */
function acceptCallback(server: NetServer): unknown {
  return (server as unknown as { _handle: { onconnection: unknown } })._handle.onconnection;
}

/** Node's own accept callback, as a plain listening net.Server has it. */
async function nodesAcceptCallback(): Promise<unknown> {
  const plain = createServer();
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  try {
    return acceptCallback(plain);
  } finally {
    plain.close();
  }
}

function withLayerEnv<T>(value: string | undefined, build: () => T): T {
  const saved = process.env.WSMATRIX_CORE_SOCKETS;
  if (value === undefined) delete process.env.WSMATRIX_CORE_SOCKETS;
  else process.env.WSMATRIX_CORE_SOCKETS = value;
  try {
    return build();
  } finally {
    if (saved === undefined) delete process.env.WSMATRIX_CORE_SOCKETS;
    else process.env.WSMATRIX_CORE_SOCKETS = saved;
  }
}

/** Like useUserBuffer ignored by Node: reads go elsewhere and the buffer handed over keeps stale bytes. */
async function withUserBufferIgnored<T>(run: () => Promise<T>): Promise<T> {
  const streams = loadLibuvStreams();
  expect(streams).toBeDefined();
  const proto = streams!.TCP.prototype as { useUserBuffer(buffer: Uint8Array): void };
  const original = proto.useUserBuffer;
  proto.useUserBuffer = () => {};
  try {
    return await run();
  } finally {
    proto.useUserBuffer = original;
  }
}

describe('socket layers', () => {
  it("the default is 'net': public API only, no process.binding, Node's own accept callback and sockets", async () => {
    const binding = vi.spyOn(process as unknown as { binding: (name: string) => unknown }, 'binding');
    server = withLayerEnv(undefined, () => createEchoServer());
    expect(server.options.socketLayer).toBe('net');
    const { port } = await server.listen();
    // Accepting stays Node's: the listening handle keeps the callback a plain net.Server has.
    expect(acceptCallback(server.server as NetServer)).toBe(await nodesAcceptCallback());
    const ws = await wsClient(port);
    // net.Server built the socket itself, so its own count sees it (adopted sockets are not counted).
    const counted = await new Promise<number>((resolve, reject) =>
      (server!.server as NetServer).getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
    expect(counted).toBe(1);
    const reply = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    ws.send('over the layer');
    expect(await reply).toBe('over the layer');
    // Node's reads are not in a shared buffer, so there is no arena to unmask them in.
    expect(server.maskArena).toBeNull();
    ws.close();
    await server.close();
    expect({ layer: server.socketLayer, reason: server.socketLayerFallback }).toEqual({ layer: 'net', reason: null });
    expect(binding).not.toHaveBeenCalled();
  });

  it("'shared-reads' takes over the accept callback; 'net' leaves it alone", async () => {
    const nodes = await nodesAcceptCallback();
    server = createEchoServer({ socketLayer: 'shared-reads' });
    await server.listen();
    expect(server.socketLayer).toBe('shared-reads');
    expect(acceptCallback(server.server as NetServer)).not.toBe(nodes);
  });

  for (const layer of SOCKET_LAYERS) {
    it(`'${layer}' asked for is the layer in effect, and it echoes`, async () => {
      server = createEchoServer({ socketLayer: layer });
      expect(server.socketLayer).toBeNull(); // not before listen()
      expect(await echoOnce(server)).toBe('over the layer');
      expect({ layer: server.socketLayer, reason: server.socketLayerFallback }).toEqual({ layer, reason: null });
      // The shared read buffer (shared-reads, bare) is a mask arena while listening, and let go by close().
      expect(server.maskArena !== null).toBe(layer !== 'net');
      await server.close();
      expect(server.maskArena).toBeNull();
    });
  }

  it('an unknown layer is refused with one clear message, as an option and in the environment', () => {
    expect(() => createEchoServer({ socketLayer: 'raw' as never })).toThrow(
      'option socketLayer must be one of net, shared-reads, bare, got "raw"',
    );
    // 'connection' was the public layer's former name: refused, not silently mapped.
    expect(() => withLayerEnv('connection', () => createEchoServer())).toThrow(
      'WSMATRIX_CORE_SOCKETS must be one of net, shared-reads, bare, got "connection"',
    );
  });

  it('the shared-reads proof passes on this Node, and fails when reads ' +
    'no longer land in the buffer handed to libuv', async () => {
    expect(await proveSharedReads(null)).toBeNull();
    expect(await withUserBufferIgnored(() => proveSharedReads(null))).toMatch(/differ|landed somewhere/);
  }, 60_000);

  it('the proofs fail when this Node keeps calling its own accept callback ' +
    '(a plain connection event arrives)', async () => {
    // Every listening handle keeps Node's accept callback, ignoring the takeover's assignment.
    const listen = NetServerClass.prototype.listen;
    vi.spyOn(NetServerClass.prototype, 'listen').mockImplementation(function (this: NetServer, ...args: unknown[]) {
      this.prependOnceListener('listening', () => {
        const handle = (this as unknown as { _handle: object })._handle;
        const nodes = (handle as { onconnection: unknown }).onconnection;
        Object.defineProperty(handle, 'onconnection', { configurable: true, get: () => nodes, set: () => {} });
      });
      return (listen as (...a: unknown[]) => NetServer).apply(this, args);
    });
    const streams = loadLibuvStreams();
    expect(streams).toBeDefined();
    expect(await proveSharedReads(null)).toBe('this Node does not call the taken-over accept callback');
    expect(await proveSharedReads(streams!)).toBe('this Node does not call the taken-over accept callback');
  }, 60_000);

  it('the bare proof passes on this Node, and fails when reads ' +
    'no longer land in the buffer handed to libuv', async () => {
    const streams = loadLibuvStreams();
    expect(streams).toBeDefined();
    expect(await proveSharedReads(streams!)).toBeNull();
    expect(await withUserBufferIgnored(() => proveSharedReads(streams!))).toMatch(/differ|landed somewhere/);
  }, 60_000);
});

describe('socket layers under Node flags (child processes)', () => {
  it('default flags: no warning on any layer; ' +
    'only bare calls process.binding (seen with --pending-deprecation)', async () => {
    for (const layer of ['default', ...SOCKET_LAYERS]) {
      const result = await runProbe([], layer);
      expect(result.echo).toBe('probe');
      expect(result.warnings).toEqual([]);
      expect(result.layer).toBe(layer === 'default' ? 'net' : layer);
    }
    // --throw-deprecation would end the process on any deprecation; --pending-deprecation makes DEP0111 one.
    const strict = await runProbe(['--pending-deprecation', '--throw-deprecation'], 'default');
    expect(strict).toMatchObject({ layer: 'net', reason: null, echo: 'probe', warnings: [] });
    const bare = await runProbe(['--pending-deprecation'], 'bare');
    expect(bare.warnings).toEqual(['DeprecationWarning DEP0111']);
    const sharedReads = await runProbe(['--pending-deprecation', '--throw-deprecation'], 'shared-reads');
    expect(sharedReads).toMatchObject({ layer: 'shared-reads', reason: null, echo: 'probe', warnings: [] });
  }, 120_000);

  for (const layer of ['shared-reads', 'bare']) {
    it(`'${layer}' whose proof fails (reads no longer land where directed) ` +
      `falls back to 'net', says why and still echoes`, async () => {
      const result = await runProbe([], layer, ['ignore-user-buffer']);
      expect(result.echo).toBe('probe');
      expect(result.layer).toBe('net');
      expect(result.reason).toMatch(
        new RegExp(
          `^${layer === 'bare' ? 'bare handles' : 'shared reads'} failed their loopback check: ` +
            '.*(differ|landed somewhere)',
        ),
      );
    }, 60_000);
  }

  // Node 22.13 renamed the permission model's flag --permission (from Node 24 on, the only name), and where
  // the model covers the network (Node 26) the probe's server needs --allow-net.
  const permission = process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
  it(`under ${permission}, 'bare' falls back to 'net' (public) and says why`, async () => {
    const flags = [
      permission,
      '--allow-fs-read=*',
      '--allow-fs-write=*',
      '--allow-worker',
      '--allow-child-process',
      ...(process.allowedNodeEnvironmentFlags.has('--allow-net') ? ['--allow-net'] : []),
      '--no-warnings',
    ];
    const result = await runProbe(flags, 'bare');
    expect(result.echo).toBe('probe');
    expect(result.layer).toBe('net');
    expect(result.reason).toMatch(/process\.binding is not available \(ERR_ACCESS_DENIED/);
  }, 60_000);
});
