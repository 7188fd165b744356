import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { uwsUnavailableReason } from '@wsmatrix/targets';
import WebSocket from 'ws';
import { runMain } from './cli-harness.js';

const BIN = fileURLToPath(new URL('../bin/wsmatrix.js', import.meta.url));

describe('wsmatrix usage errors: one line on stderr, exit code 2', () => {
  for (const argv of [
    [],
    ['nope'],
    ['--bogus'],
    ['serve'],
    ['serve', 'nope'],
    ['serve', 'ws', '--port', 'abc'],
    ['serve', 'ws', '--port', '70000'],
    ['serve', 'ws', '--bogus'],
    ['serve', 'ws', 'extra'],
  ]) {
    it(`wsmatrix ${argv.join(' ')}`, async () => {
      const r = await runMain(argv);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^wsmatrix: [^\n]+\n$/);
    });
  }

  it('--help prints the commands and exits 0', async () => {
    const r = await runMain(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('serve');
  });
});

/** Starts `wsmatrix serve <target>` as a real process and resolves with its URL. */
function startServe(target: string): Promise<{ url: string; line: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', target, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no URL from serve ${target}: ${out} ${err}`)), 15000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (ws:\/\/\S+).*\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          line: out.split('\n')[0]!,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`serve ${target} exited ${code}: ${err}`)));
  });
}

function echoOnce(url: string, data: string | Buffer): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('error', reject);
    ws.once('open', () => ws.send(data));
    ws.once('message', (reply: Buffer, binary: boolean) => {
      ws.close();
      resolve({ data: reply, binary });
    });
  });
}

describe('wsmatrix serve <target> runs a standalone echo server', () => {
  // Where no uWS native build runs on this Node, serve uws is skipped with the reason.
  const uwsUnavailable = uwsUnavailableReason();
  for (const target of ['core', 'ws', 'uws']) {
    const skip = target === 'uws' && uwsUnavailable !== undefined;
    const title = `serve ${target}: prints its URL, echoes text and binary, exits 0 on SIGTERM`;
    it.skipIf(skip)(
      `${title}${skip ? ` (skipped: ${uwsUnavailable})` : ''}`,
      async () => {
        const served = await startServe(target);
        expect(served.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
        // The core says which socket layer is in effect; the others have none to report.
        if (target === 'core')
          expect(served.line).toMatch(/listening on \S+ \(socket layer: (net|shared-reads|bare)[);]/);
        else expect(served.line).not.toMatch(/socket layer/);
        const text = await echoOnce(served.url, `hello ${target}`);
        expect(text).toEqual({ data: Buffer.from(`hello ${target}`), binary: false });
        const bytes = Buffer.from([0, 1, 2, 255]);
        const binary = await echoOnce(served.url, bytes);
        expect(binary).toEqual({ data: bytes, binary: true });
        expect(await served.stop()).toBe(0);
      },
      30000,
    );
  }
});
