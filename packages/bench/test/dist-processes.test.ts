/**
 * The benchmark's processes as a user runs them: the compiled entries in dist/ with plain node (no tsx, no
 * bundler), answering real handshakes; a process that fails shows all it wrote on stderr.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HttpHeadParser, type HttpResponseHead } from '@wsmatrix/protocol';
import { uwsUnavailableReason } from '@wsmatrix/targets';
import { Upgrade } from '../src/load/upgrade.js';
import { checkProcessEntries, processEntry, startClientProcess, startServerProcess } from '../src/processes.js';
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

// Where no uWS native build runs on this Node, the uws cases skip with its reason (the targets package's
// uws tests check that reason against the builds installed).
const uwsUnavailable = uwsUnavailableReason();
const uwsSkip = (target: string): boolean => target.startsWith('uws') && uwsUnavailable !== undefined;
const skipNote = (target: string): string => (uwsSkip(target) ? ` (skipped: ${uwsUnavailable})` : '');

describe.runIf(process.platform === 'linux')('compiled benchmark processes', () => {
  it('are built (the test task depends on the build)', () => {
    expect(() => checkProcessEntries('dist')).not.toThrow();
  });

  for (const target of ['core', 'ws', 'ws7', 'uws']) {
    it.skipIf(uwsSkip(target))(
      `start ${target} without tsx and it answers a real WebSocket handshake${skipNote(target)}`,
      async () => {
        const server = await startServerProcess(target);
        try {
          const { argv, nodeOptions } = launchOf(server.info.pid);
          expect(argv).toContain(processEntry('server-process', 'dist').file);
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
      },
      20_000,
    );
  }

  it('run a threaded load job: the client finds its compiled worker', async () => {
    const server = await startServerProcess('core');
    const client = await startClientProcess();
    try {
      expect(launchOf(client.pid).argv).toContain(processEntry('client-process', 'dist').file);
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

  it('a server that cannot start is reported with all it wrote on stderr, not its last line', async () => {
    const failure = startServerProcess('no-such-target');
    await expect(failure).rejects.toThrow(/^server no-such-target exited \(1\) before listening; its stderr:\n/);
    // The whole stack trace: the error line and the frames below it.
    await expect(failure).rejects.toThrow(/no-such-target[^\n]*\n(.*\n)*\s+at /);
  }, 20_000);
});
