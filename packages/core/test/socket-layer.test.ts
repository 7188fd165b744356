/**
 * Socket layers: 'net' by default without touching process.binding; 'bare' only when asked for, and
 * only after proving itself by the bytes a loopback pair carries; the layer in effect is reported, also
 * when a fallback happened (under --permission). Flags-dependent checks run in a child process
 * (test/fixtures/layer-probe.ts).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEchoServer, SOCKET_LAYERS, type WebSocketServer } from '../src/index.js';
import { loadLibuvStreams } from '../src/libuv-stream.js';
import { proveBareLayer } from '../src/socket-layer.js';
import { wsClient } from './helpers.js';

const probe = fileURLToPath(new URL('./fixtures/layer-probe.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface ProbeResult {
  layer: string | null;
  reason: string | null;
  echo: string;
  warnings: string[];
}

function runProbe(flags: string[], layer: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, '--import', 'tsx', probe, layer],
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

describe('socket layers', () => {
  it("the default is 'net', and listening, echoing and closing never call process.binding", async () => {
    const saved = process.env['WSMATRIX_CORE_SOCKETS'];
    delete process.env['WSMATRIX_CORE_SOCKETS'];
    const binding = vi.spyOn(process as unknown as { binding: (name: string) => unknown }, 'binding');
    try {
      server = createEchoServer();
    } finally {
      if (saved !== undefined) process.env['WSMATRIX_CORE_SOCKETS'] = saved;
    }
    expect(server.options.socketLayer).toBe('net');
    expect(await echoOnce(server)).toBe('over the layer');
    await server.close();
    expect(server.socketLayer).toBe('net');
    expect(server.socketLayerFallback).toBeNull();
    expect(binding).not.toHaveBeenCalled();
  });

  for (const layer of SOCKET_LAYERS) {
    it(`'${layer}' asked for is the layer in effect, and it echoes`, async () => {
      server = createEchoServer({ socketLayer: layer });
      expect(server.socketLayer).toBeNull(); // not before listen()
      expect(await echoOnce(server)).toBe('over the layer');
      expect({ layer: server.socketLayer, reason: server.socketLayerFallback }).toEqual({ layer, reason: null });
      // The shared read buffer (net, bare) is a mask arena while listening, and let go by close().
      expect(server.maskArena !== null).toBe(layer !== 'connection');
      await server.close();
      expect(server.maskArena).toBeNull();
    });
  }

  it('an unknown layer is refused with a clear message', () => {
    expect(() => createEchoServer({ socketLayer: 'raw' as never })).toThrow(/socketLayer must be one of net, bare, connection/);
  });

  it('the bare proof passes on this Node, and fails when reads no longer land in the buffer handed to libuv', async () => {
    const streams = loadLibuvStreams();
    expect(streams).toBeDefined();
    expect(await proveBareLayer(streams!)).toBeNull();
    // As if Node stopped honouring useUserBuffer: reads go elsewhere and our buffer keeps stale bytes.
    const proto = streams!.TCP.prototype as { useUserBuffer(buffer: Uint8Array): void };
    const original = proto.useUserBuffer;
    proto.useUserBuffer = () => {};
    try {
      expect(await proveBareLayer(streams!)).toMatch(/differ|landed somewhere/);
    } finally {
      proto.useUserBuffer = original;
    }
  }, 60_000);
});

describe('socket layers under Node flags (child processes)', () => {
  it('default flags: no warning on any layer; only bare calls process.binding (seen with --pending-deprecation)', async () => {
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
  }, 120_000);

  it("under --experimental-permission, 'bare' falls back to 'net' and says why", async () => {
    const flags = ['--experimental-permission', '--allow-fs-read=*', '--allow-fs-write=*', '--allow-worker', '--allow-child-process', '--no-warnings'];
    const result = await runProbe(flags, 'bare');
    expect(result.echo).toBe('probe');
    expect(result.layer).toBe('net');
    expect(result.reason).toMatch(/process\.binding is not available \(ERR_ACCESS_DENIED/);
  }, 60_000);
});
