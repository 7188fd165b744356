import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

interface Server {
  url: string;
  close(): Promise<void>;
}

/**
 * A `ws` server on a free port. `serverHeader` is sent in its handshake response; `onMessage` is what it
 * does with each message (an echo unless given).
 */
async function startServer(
  options: { serverHeader?: string; onMessage?: (ws: WebSocket, data: Buffer, binary: boolean) => void } = {},
): Promise<Server> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  if (options.serverHeader !== undefined) {
    wss.on('headers', (headers) => headers.push(`Server: ${options.serverHeader}`));
  }
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer, binary) => {
      if (options.onMessage) options.onMessage(ws, data, binary);
      else ws.send(data, { binary });
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** Keys sorted as strings at every level (case ids and field names are never integer-like here). */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, sortedDeep(record[k])]),
  );
}

async function writeSpec(dir: string, spec: unknown): Promise<string> {
  const file = path.join(dir, 'spec.json');
  await writeFile(file, JSON.stringify(spec));
  return file;
}

let echo: Server;
let named: Server;
let broken: Server;

beforeAll(async () => {
  echo = await startServer();
  named = await startServer({ serverHeader: 'EchoServer/2.0 (test)' });
  // Echoes, then drops the TCP connection at once: behavior OK, the closing handshake never happens.
  broken = await startServer({
    onMessage: (ws, data, binary) => ws.send(data, { binary }, () => ws.terminate()),
  });
});

afterAll(async () => {
  await Promise.all([echo, named, broken].map((s) => s?.close()));
});

describe('wstest -m fuzzingclient', () => {
  it('writes outdir (relative to the working directory) as Autobahn does, exit 0 when every case passes', async () => {
    const dir = await tempDir('wstest');
    await writeSpec(dir, {
      outdir: './reports/servers',
      servers: [{ agent: 'My Server/1.0', url: echo.url }, { url: named.url }],
      cases: ['1.1.1', '1.1.2'],
      'exclude-agent-cases': { 'EchoServer*': ['1.1.2'] },
      options: { failByDrop: false },
    });
    const before = process.cwd();
    process.chdir(dir);
    let r: Awaited<ReturnType<typeof runMain>>;
    try {
      r = await runMain(['wstest', '-m', 'fuzzingclient', '-s', 'spec.json']);
    } finally {
      process.chdir(before);
    }
    expect(r.stderr).not.toMatch(/wstest:|wsmatrix:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rule strict: 3 of 3 case runs pass$/m);
    const out = path.join(dir, 'reports', 'servers');
    // Autobahn's cleanForFilename: each character outside [a-z0-9] a "_", runs not collapsed.
    expect((await readdir(out)).sort()).toEqual([
      'echoserver_2_0__test_case_1_1_1.json',
      'index.html',
      'index.json',
      'my_server_1_0_case_1_1_1.json',
      'my_server_1_0_case_1_1_2.json',
    ]);
    const text = await readFile(path.join(out, 'index.json'), 'utf8');
    const index = JSON.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
    // Sorted keys, indent 3, no newline at the end: json.dumps(sort_keys=True, indent=3) byte for byte.
    expect(text).toBe(JSON.stringify(sortedDeep(index), null, 3));
    expect(Object.keys(index)).toEqual(['EchoServer/2.0 (test)', 'My Server/1.0']);
    expect(index['My Server/1.0']!['1.1.2']).toMatchObject({
      behavior: 'OK',
      behaviorClose: 'OK',
      remoteCloseCode: 1000,
      reportfile: 'my_server_1_0_case_1_1_2.json',
    });
    const caseText = await readFile(path.join(out, 'my_server_1_0_case_1_1_1.json'), 'utf8');
    const caseFile = JSON.parse(caseText) as { id: string; agent: string; behavior: string };
    // Keys sorted as strings, integer-like ones too (Python's sort_keys: "129" before "2"), indent 3.
    const topKeys = [...caseText.matchAll(/^ {3}"([^"]+)":/gm)].map((m) => m[1]!);
    expect(topKeys).toEqual(Object.keys(caseFile).sort());
    const octetKeys = [.../"rxOctetStats": \{([^}]*)\}/.exec(caseText)![1]!.matchAll(/"(\d+)":/g)].map((m) => m[1]!);
    expect(octetKeys.length).toBeGreaterThan(1);
    expect(octetKeys).toEqual([...octetKeys].sort());
    expect(caseText.endsWith('}')).toBe(true);
    expect(caseFile).toMatchObject({ id: '1.1.1', agent: 'My Server/1.0', behavior: 'OK' });
    const html = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<a href="my_server_1_0_case_1_1_2.json">OK</a>');
    expect(html).toContain('<th>EchoServer/2.0 (test)</th>');
  }, 60_000);

  it('a server with neither agent nor Server header is UnknownServer', async () => {
    const dir = await tempDir('wstest');
    const spec = await writeSpec(dir, {
      outdir: path.join(dir, 'out'),
      servers: [{ url: echo.url }],
      cases: ['1.1.1'],
    });
    const r = await runMain(['wstest', '--mode', 'fuzzingclient', '--spec', spec]);
    expect(r.code).toBe(0);
    expect(await readdir(path.join(dir, 'out'))).toContain('unknownserver_case_1_1_1.json');
  }, 60_000);

  it('exit 1 when a case fails the rule, listing it; a looser rule that passes it exits 0', async () => {
    const dir = await tempDir('wstest');
    const spec = await writeSpec(dir, {
      outdir: path.join(dir, 'out'),
      servers: [{ agent: 'broken', url: broken.url }],
      cases: ['1.1.1'],
    });
    const strict = await runMain(['wstest', '-m', 'fuzzingclient', '-s', spec]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAIL broken 1\.1\.1: OK\/(FAILED|UNCLEAN)/m);
    expect(strict.stdout).toMatch(/^rule strict: 0 of 1 case runs pass$/m);
    const loose = await runMain(['wstest', '-m', 'fuzzingclient', '-s', spec, '--rule', 'behavior-only']);
    expect(loose.code).toBe(0);
    expect(loose.stdout).not.toMatch(/^FAIL/m);
  }, 60_000);

  it('--update-expected writes the results; --expected passes on a match, exits 1 on a difference', async () => {
    const dir = await tempDir('wstest');
    const expected = path.join(dir, 'expected.json');
    const spec = await writeSpec(dir, {
      outdir: path.join(dir, 'out'),
      servers: [{ agent: 'echo', url: echo.url }],
      cases: ['1.1.1', '1.1.2'],
    });
    const args = ['wstest', '-m', 'fuzzingclient', '-s', spec, '--expected', expected];
    const missing = await runMain(args);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read expected results .*expected\.json: ENOENT/);
    const update = await runMain([...args, '--update-expected']);
    expect(update.code).toBe(0);
    const stored = JSON.parse(await readFile(expected, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(stored).toEqual({
      echo: {
        '1.1.1': { behavior: 'OK', behaviorClose: 'OK', remoteCloseCode: 1000 },
        '1.1.2': { behavior: 'OK', behaviorClose: 'OK', remoteCloseCode: 1000 },
      },
    });
    const same = await runMain(args);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`results match ${expected}`);
    (stored.echo!['1.1.2'] as Record<string, unknown>).behavior = 'NON-STRICT';
    await writeFile(expected, JSON.stringify(stored));
    const differs = await runMain(args);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/^DIFF echo 1\.1\.2: behavior expected "NON-STRICT", got "OK"$/m);
  }, 90_000);

  it('failByDrop true: a case the runner must fail is ended by dropping TCP, as AutobahnPython does', async () => {
    const dir = await tempDir('wstest');
    // A server that never echoes: the case's kill timer makes the runner fail the connection (killAfter).
    const silent = await startServer({ onMessage: () => {} });
    try {
      const run = async (failByDrop: boolean) => {
        const spec = await writeSpec(dir, {
          outdir: path.join(dir, `out-${failByDrop}`),
          servers: [{ agent: 'silent', url: silent.url, options: { failByDrop } }],
          cases: ['1.1.1'],
        });
        const r = await runMain(['wstest', '-m', 'fuzzingclient', '-s', spec, '--rule', 'no-failures']);
        const report = JSON.parse(
          await readFile(path.join(dir, `out-${failByDrop}`, 'silent_case_1_1_1.json'), 'utf8'),
        ) as Record<string, unknown>;
        return { code: r.code, report };
      };
      const closes = await run(false);
      const drops = await run(true);
      expect(closes.code).toBe(1);
      expect(drops.code).toBe(1);
      expect(closes.report).toMatchObject({ failedByMe: true, closedByMe: true, localCloseCode: 1001 });
      expect(drops.report).toMatchObject({ failedByMe: true, droppedByMe: true, closedByMe: false, wasClean: false });
      expect(String(drops.report.wasNotCleanReason)).toMatch(/^I dropped the WebSocket TCP connection/);
    } finally {
      await silent.close();
    }
  }, 90_000);

  it('run takes the same --rule: strict fails a server dropping TCP after the echo, behavior-only passes', async () => {
    const out = await tempDir('wstest');
    const args = ['run', '--url', broken.url, '--cases', '1.1.1', '--out', out];
    const strict = await runMain(args);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAIL 127\.0\.0\.1:\d+ 1\.1\.1: OK\/(FAILED|UNCLEAN) — /m);
    const loose = await runMain([...args, '--rule', 'behavior-only']);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/^rule behavior-only: 1 of 1 case runs pass$/m);
    const bad = await runMain([...args, '--update-expected']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'wsmatrix: --update-expected needs --expected FILE (the file it writes)\n',
    ]);
  }, 60_000);

  it('bad usage is one line and exit 2 (-m fuzzingserver: see fuzzingserver.test.ts)', async () => {
    const noMode = await runMain(['wstest', '-s', 'x.json']);
    expect([noMode.code, noMode.stderr]).toEqual([
      2,
      'wsmatrix: wstest needs -m/--mode (fuzzingclient or fuzzingserver)\n',
    ]);
    const other = await runMain(['wstest', '-m', 'echoserver']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/mode "echoserver" is not supported/);
    const dir = await tempDir('wstest');
    const spec = await writeSpec(dir, {
      servers: [{ url: 'ws://127.0.0.1:1/', options: { autoPingInterval: 5 } }],
      cases: ['1.1.1'],
    });
    const option = await runMain(['wstest', '-m', 'fuzzingclient', '-s', spec]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option servers\[0\]\.options\.autoPingInterval/);
    const noSpec = await runMain(['wstest', '-m', 'fuzzingclient', '-s', path.join(dir, 'none.json')]);
    expect(noSpec.code).toBe(2);
    expect(noSpec.stderr.split('\n')).toHaveLength(2);
  });
});
