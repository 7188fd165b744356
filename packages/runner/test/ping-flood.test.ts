/**
 * A server that answers the upgrade and then streams empty Pings as fast as its socket drains: the
 * runner must end every case of group 1 within its hard limit, keep handshaking with the (otherwise
 * prompt) server, and keep its memory bounded. The runner plays in a child process (its peak RSS is
 * what is measured); the flooding server runs here.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterUpgrade, startRawServer, type HostileServer } from './fixtures/hostile-server.js';
import type { FloodRow } from './fixtures/ping-flood-runner.js';

const MAX_RSS_BYTES = 200 * 1024 * 1024;
/** Empty, unmasked Pings: two octets each. */
const PINGS = Buffer.alloc(64 * 1024, Buffer.from([0x89, 0x00]));

let server: HostileServer;
let out: { rows: FloodRow[]; cases: number; maxRssBytes: number; rssBytes: number };

function runChild(url: string): Promise<string> {
  const script = fileURLToPath(new URL('./fixtures/ping-flood-runner.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: this process's event loop must keep feeding the flood meanwhile.
    const child = spawn(process.execPath, ['--conditions=@wsmatrix/source', '--import', 'tsx', script, url], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`ping-flood runner exited with ${code} ${signal ?? ''}: ${stderr}`));
    });
  });
}

beforeAll(async () => {
  server = await startRawServer(
    afterUpgrade((socket) => {
      const pump = () => {
        while (!socket.destroyed && socket.write(PINGS));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    }),
  );
  out = JSON.parse(await runChild(server.url)) as typeof out;
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `ping flood: ${out.cases} cases, ` +
      `runner peak RSS ${mb(out.maxRssBytes)} MiB, RSS at the end ${mb(out.rssBytes)} MiB`,
  );
  for (const r of out.rows) {
    console.log(
      `  ${r.id.padEnd(6)} ${String(r.ms).padStart(6)} ms in all, ` +
        `${String(r.openMs).padStart(6)} ms open (hard limit ${r.hardLimitMs} ms) ${r.behavior} ${r.result}`,
    );
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe('the runner against a server streaming empty Pings', () => {
  it('plays all 16 cases of group 1, every handshake completing', () => {
    expect(out.rows).toHaveLength(16);
    for (const r of out.rows) expect(r.connectFailure, r.id).toBeNull();
  });

  it('ends every case within its hard limit, as a flood', () => {
    for (const r of out.rows) {
      expect(r.openMs, r.id).toBeLessThanOrEqual(r.hardLimitMs);
      expect(r.ms, r.id).toBeLessThanOrEqual(r.handshakeLimitMs + r.hardLimitMs);
      expect([r.behavior, r.result], r.id).toEqual(['FAILED', expect.stringMatching(/server flooded the connection/)]);
    }
  });

  it('keeps the runner process under 200 MB of RSS', () => {
    expect(out.maxRssBytes).toBeLessThan(MAX_RSS_BYTES);
  });
});
