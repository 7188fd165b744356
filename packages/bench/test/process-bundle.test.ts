/** The benchmark's processes bundled to plain JS: built fresh, started without tsx, answering real handshakes. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpHeadParser, type HttpResponseHead } from '@wsmatrix/protocol';
import { Upgrade } from '../src/load/upgrade.js';
import { bundleProcessEntries, type ProcessBundle } from '../src/process-bundle.js';
import { bundleBenchProcesses, startClientProcess, startServerProcess } from '../src/processes.js';
import { selectWorkloads } from '../src/workloads.js';

/** One upgrade over a raw socket; resolves with the response head. */
function handshake(host: string, port: number): Promise<{ head: HttpResponseHead; upgrade: Upgrade }> {
  const upgrade = new Upgrade(host, port, false);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write(upgrade.request));
    const parser = new HttpHeadParser('response');
    socket.on('data', (d: Buffer) => {
      const head = parser.push(d) as HttpResponseHead | null;
      if (head === null) return;
      socket.destroy();
      resolve({ head, upgrade });
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no response head within 5 s')));
  });
}

/** A process's command line and NODE_OPTIONS, where a tsx loader would show. */
function launchOf(pid: number): { argv: string[]; nodeOptions: string | undefined } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return { argv, nodeOptions: env.find((e) => e.startsWith('NODE_OPTIONS=')) };
}

describe.runIf(process.platform === 'linux')('bundled benchmark processes', () => {
  let bundle: ProcessBundle;
  beforeAll(async () => {
    bundle = await bundleBenchProcesses();
  }, 30_000);
  afterAll(async () => {
    await bundle?.remove();
  });

  it('are plain JS without keepNames wrappers, ESM by their folder package.json', async () => {
    for (const name of ['server-process', 'client-process', 'share-worker']) {
      const text = await readFile(bundle.file(name), 'utf8');
      expect(text).not.toContain('__name(');
      // Workspace code is inside: no import of a @wsmatrix package or of a .ts file is left.
      expect(text).not.toMatch(/from ["']@wsmatrix\//);
      expect(text).not.toMatch(/import\(["'][^"']*\.ts["']\)/);
    }
    expect(JSON.parse(await readFile(`${bundle.dir}/package.json`, 'utf8'))).toEqual({ type: 'module' });
  });

  for (const target of ['core', 'ws', 'ws7', 'uws']) {
    it(`start ${target} without tsx and it answers a real WebSocket handshake`, async () => {
      const server = await startServerProcess(target, { bundle });
      try {
        const { argv, nodeOptions } = launchOf(server.info.pid);
        expect(argv).toContain(bundle.file('server-process'));
        expect(argv.join(' ')).not.toContain('tsx');
        expect(nodeOptions ?? '').not.toContain('tsx');
        const { head, upgrade } = await handshake(server.info.host, server.info.port);
        expect(upgrade.check(head)).toBeNull();
        // uWS's own header: the native binary answered, not the package's JS fallback.
        if (target === 'uws') expect(head.headers.get('uwebsockets')).toBe('20');
        // The core reports the socket layer it runs on, stored with the figures: the one asked for (the
        // environment's, as CI runs every layer; else 'net'), or another with the reason.
        if (target === 'core') {
          const { socketLayer, socketLayerFallback } = server.info.options;
          if (socketLayerFallback === undefined) expect(socketLayer).toBe(process.env.WSMATRIX_CORE_SOCKETS || 'net');
          else expect(socketLayerFallback).toMatch(/\S/);
        } else expect(server.info.options).not.toHaveProperty('socketLayer');
      } finally {
        await server.stop();
      }
    }, 20_000);
  }

  it('run a threaded load job: the client finds its bundled worker', async () => {
    const server = await startServerProcess('core', { bundle });
    const client = await startClientProcess({ bundle });
    try {
      expect(launchOf(client.pid).argv).toContain(bundle.file('client-process'));
      const [workload] = selectWorkloads(['small-c16-f32']);
      const job = { workload: workload!, host: server.info.host, port: server.info.port, protocol: 'ws' as const };
      // The window is held open until each thread completed a message (count, not time), 10 s at most.
      const result = await client.run(
        job,
        { warmupMs: 50, durationMs: 200, threads: 2, serverPid: server.info.pid, minCompleted: 2, maxHoldMs: 10_000 },
        40_000,
      );
      expect(result.threads).toBe(2);
      expect(result.errorCount).toBe(0);
      expect(result.completed).toBeGreaterThanOrEqual(2);
    } finally {
      await Promise.all([client.stop(), server.stop()]);
    }
  }, 60_000);

  it('remove() deletes the folder', async () => {
    const other = await bundleBenchProcesses();
    expect(existsSync(other.file('server-process'))).toBe(true);
    await other.remove();
    expect(existsSync(other.dir)).toBe(false);
  }, 30_000);
});

describe('bundleProcessEntries', () => {
  it('gives bundled CommonJS a working require for external packages', async () => {
    const entry = fileURLToPath(new URL('./fixtures/bundle/cjs-entry.mjs', import.meta.url));
    const bundle = await bundleProcessEntries({ entry });
    try {
      const text = await readFile(bundle.file('entry'), 'utf8');
      // ws stays outside the bundle, required by its absolute path in node_modules.
      expect(text).toMatch(/__require\("\/[^"]*node_modules\/ws\/index\.js"\)/);
      const { stdout } = await promisify(execFile)(process.execPath, [bundle.file('entry')]);
      expect(JSON.parse(stdout)).toEqual({ hasServer: true });
    } finally {
      await bundle.remove();
    }
  }, 30_000);
  it('fails with a clear error and leaves no folder when a source does not build', async () => {
    const missing = fileURLToPath(new URL('./fixtures/bundle/missing.ts', import.meta.url));
    await expect(bundleProcessEntries({ entry: missing })).rejects.toThrow(/cannot bundle the benchmark processes/);
  }, 30_000);
});
