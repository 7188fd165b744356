import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import {
  InvalidTargetsFileError,
  TargetStartError,
  TargetUnavailableError,
  createCommandTarget,
  loadCommandTargets,
  parseTargetsJson,
  type CommandTarget,
  type CommandTargetDefinition,
  type RunningCommandTarget,
} from '../src/index.js';
import { pseudoRandomBytes, utf8Payload, withTimeout } from '@wsmatrix/protocol/testing';
import { groupIsGone, isAlive } from '../testing/index.js';
import { MiB, closed, nextMessage, openClient, startedTarget } from './helpers.js';

const SIZES = [0, 125, 126, 65536, MiB] as const;

/**
 * Per-test time limit: these tests start processes and compilers, slow on a busy machine. A safety net
 * (each wait inside a test has its own, shorter one), never a figure a test checks.
 */
const SAFETY_NET_MS = 30_000;
/** Starting a target the first time includes its build, if it has one: above the build's own 120 s limit. */
const FIRST_START_SAFETY_NET_MS = 240_000;

/**
 * A TCP echo server, standing in for a WebSocket server: listens on the first all-digit argument
 * (the port) and 127.0.0.1. Works both as `node -e SCRIPT {port}` and as a file `node FILE {port}`.
 */
const NODE_ECHO_SERVER =
  "require('node:net').createServer((s) => s.pipe(s)).listen(+process.argv.find((a) => /^\\d+$/.test(a)), '127.0.0.1')";

// .ci/run installs libwslay-dev and python3-websockets, so in CI a missing one is a failure;
// on a developer machine without them these suites are skipped with the reason.
const requireAll = Boolean(process.env.CI);

for (const target of loadCommandTargets()) {
  const unavailable = target.unavailableReason();
  const skip = unavailable !== undefined && !requireAll;
  describe.skipIf(skip)(
    `external target "${target.name}"${skip ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: SAFETY_NET_MS },
    () => {
      describeRunningTarget(target);
    },
  );
}

function describeRunningTarget(target: CommandTarget): void {
  // The first start may compile the server (Go, C++): a safety net for a cold build on a loaded machine.
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), FIRST_START_SAFETY_NET_MS);
  const client = (): Promise<WebSocket> => fixture.client();

  test('reads its version and started on a port of its own', () => {
    expect(target.version).toMatch(/^\d+\.\d+(\.\d+)?$/);
    expect(fixture.running.port).toBeGreaterThan(0);
    expect(fixture.running.url).toBe(`ws://127.0.0.1:${fixture.running.port}/`);
    expect(isAlive(fixture.running.pid)).toBe(true);
  });

  // Messages up to the server's declared limit (and 16 MiB): a bigger one is the cases' business (9.x).
  const fits = (size: number): boolean => size <= (target.maxMessageSize ?? Number.POSITIVE_INFINITY);
  for (const size of SIZES.filter(fits)) {
    test(`text message of ${size} bytes comes back as text`, async () => {
      const ws = await client();
      const payload = utf8Payload(size);
      const reply = nextMessage(ws, 10_000);
      ws.send(payload, { binary: false });
      const got = await reply;
      expect(got.isBinary).toBe(false);
      expect(got.data.equals(payload)).toBe(true);
    });
  }

  for (const size of [...SIZES, 16 * MiB].filter(fits)) {
    test(`binary message of ${size} bytes comes back as binary`, async () => {
      const ws = await client();
      const payload = pseudoRandomBytes(size, size + 3);
      const reply = nextMessage(ws, 20_000);
      ws.send(payload, { binary: true });
      const got = await reply;
      expect(got.isBinary).toBe(true);
      expect(got.data.length).toBe(size);
      expect(got.data.equals(payload)).toBe(true);
    }, 25_000);
  }

  test('several connections at once each get their own echo', async () => {
    const sockets = await Promise.all(Array.from({ length: 8 }, () => client()));
    const replies = sockets.map((ws) => nextMessage(ws, 10_000));
    for (const [i, ws] of sockets.entries()) ws.send(`connection ${i}`);
    const got = await Promise.all(replies);
    expect(got.map((m) => m.data.toString())).toEqual(sockets.map((_, i) => `connection ${i}`));
  });

  test('ping gets a pong with the same payload', async () => {
    const ws = await client();
    const pong = withTimeout(new Promise<Buffer>((resolve) => ws.once('pong', resolve)), 5000, 'pong');
    ws.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
  });

  test('a close from the client ends the connection with a close from the server', async () => {
    // Which code comes back is the library's answer, judged by the cases (7.x); the echo program must not hang.
    const ws = await client();
    const done = closed(ws, 5000);
    ws.close(1000, 'done');
    expect((await done).code).not.toBe(1006); // 1006: the TCP connection ended without a Close frame
  });

  test(
    'close() stops the server and every process it forked',
    async () => {
      const own = await target.start();
      const ws = await openClient(own.url); // wslay forks a child per connection
      ws.on('error', () => {});
      const reply = nextMessage(ws, 5000);
      ws.send('hello');
      await reply;
      const clientClosed = closed(ws, 5000);
      await withTimeout(own.close(), 5000, 'close()');
      await clientClosed;
      expect(isAlive(own.pid)).toBe(false);
      expect(groupIsGone(own.pid)).toBe(true);
      await expect(own.close()).resolves.toBeUndefined(); // idempotent
    },
    SAFETY_NET_MS,
  );

  test('start() on a port already in use rejects', async () => {
    await expect(target.start({ port: fixture.running.port })).rejects.toThrow(/already in use/);
  });
}

// ---- the command-target machinery, with stand-in servers written in Node (run everywhere) ----

describe('command targets: availability', { timeout: SAFETY_NET_MS }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wsmatrix-unavailable-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const echoServer = [process.execPath, '-e', NODE_ECHO_SERVER, '{port}'];

  function fake(overrides: Partial<CommandTargetDefinition>): CommandTarget {
    const definition: CommandTargetDefinition = {
      name: 'fake',
      implementation: 'fake',
      requires: [],
      version: { run: [process.execPath, '-p', '"1.2.3"'] },
      command: echoServer,
      options: {},
      ...overrides,
    };
    return createCommandTarget(definition, { dir, cacheDir: join(dir, 'cache') });
  }

  async function unavailableReason(target: CommandTarget): Promise<string> {
    const err = await target.start().then(
      (r) => r.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TargetUnavailableError);
    expect((err as TargetUnavailableError).target).toBe('fake');
    return (err as TargetUnavailableError).reason;
  }

  test('a failing requirement: its one-line reason, and the version says unavailable', async () => {
    const target = fake({
      requires: [{ run: ['sh', '-c', 'exit 1'], missing: 'libfake-dev not installed (fake/fake.h missing)' }],
    });
    expect(await unavailableReason(target)).toBe('libfake-dev not installed (fake/fake.h missing)');
    expect(target.unavailableReason()).toBe('libfake-dev not installed (fake/fake.h missing)');
    expect(target.version).toBe('unavailable');
  });

  test('a version command that is missing or fails', async () => {
    expect(await unavailableReason(fake({ version: { run: ['/nonexistent/python3', '--version'] } }))).toBe(
      'cannot read its version (/nonexistent/python3 not found)',
    );
    const failing = fake({
      version: { run: ['sh', '-c', 'echo "ModuleNotFoundError: No module named \'fake\'" >&2; exit 1'] },
    });
    expect(await unavailableReason(failing)).toBe(
      "cannot read its version (sh exited with 1: ModuleNotFoundError: No module named 'fake')",
    );
  });

  test('{node} is the Node running wsmatrix, whatever node PATH finds', () => {
    const printed = fake({ version: { run: ['{node}', '-p', 'process.execPath'] } }).version;
    expect(printed).toBe(process.execPath);
  });

  test('a version picked out by match, and one that does not match', () => {
    const run = ['sh', '-c', 'echo 1.1.1-3+b1'];
    expect(fake({ version: { run, match: '^\\d+(\\.\\d+)+' } }).version).toBe('1.1.1');
    expect(fake({ version: { run, match: '^v\\d+' } }).unavailableReason()).toBe(
      'cannot read its version (got "1.1.1-3+b1")',
    );
  });

  test('a failing build: the first error line of the compiler', async () => {
    const target = fake({
      build: {
        inputs: [],
        output: 'fake-server',
        run: [
          'sh',
          '-c',
          'echo "fake.c:1:10: fatal error: fake/fake.h: No such file or directory" >&2; exit 1',
          '{output}',
        ],
      },
      command: ['{build}', '{port}'],
    });
    expect(await unavailableReason(target)).toBe(
      'build failed: sh exited with 1: fake.c:1:10: fatal error: fake/fake.h: No such file or directory',
    );
  });

  test('a server command that does not exist', async () => {
    expect(await unavailableReason(fake({ command: ['/nonexistent/echo-server', '{port}'] }))).toBe(
      '/nonexistent/echo-server not found',
    );
  });

  test('the shipped targets file names wslay and python-websockets, then the families it includes', () => {
    const targets = loadCommandTargets();
    expect(targets.slice(0, 2).map((t) => [t.name, t.implementation])).toEqual([
      ['wslay', 'wslay'],
      ['python-websockets', 'python-websockets'],
    ]);
    // One column per implementation, its +deflate variant beside it under the same implementation.
    const implementations = [...new Set(targets.map((t) => t.implementation))];
    expect(implementations).toEqual([
      'wslay',
      'python-websockets',
      'bun',
      'deno',
      'websocket',
      'faye-websocket',
      'ws',
      'gorilla',
      'nhooyr',
      'aiohttp',
      'tornado',
      'autobahn',
      'wsproto',
      'libwebsockets',
      'beast',
      'jetty',
      'faye-websocket-ruby',
      'mojolicious',
    ]);
    for (const t of targets.filter((t) => t.name.includes('+'))) expect(t.name.split('+')[0]).toBe(t.implementation);
  });

  test('a targets file whose command has no {port} is rejected when read', () => {
    const bad = { targets: [{ name: 'x', implementation: 'x', version: { run: ['true'] }, command: ['srv'] }] };
    expect(() => parseTargetsJson(bad, 'targets.json')).toThrow(InvalidTargetsFileError);
    expect(() => parseTargetsJson(bad, 'targets.json')).toThrow(
      'targets.json: targets[0].command must pass the port ({port})',
    );
  });
});

describe('command targets: processes', { timeout: SAFETY_NET_MS }, () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wsmatrix-external-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function nodeTarget(script: string, extra: Partial<CommandTargetDefinition> = {}): CommandTarget {
    return createCommandTarget(
      {
        name: 'node-stand-in',
        implementation: 'node-stand-in',
        requires: [],
        version: { run: [process.execPath, '--version'], match: '\\d+\\.\\d+\\.\\d+' },
        command: [process.execPath, '-e', script, '{port}'],
        options: {},
        ...extra,
      },
      { dir: work, cacheDir: join(work, 'cache') },
    );
  }

  test('port 0: a free port is picked and passed to the command', async () => {
    const running = await nodeTarget(NODE_ECHO_SERVER).start({ port: 0 });
    try {
      expect(running.port).toBeGreaterThan(0);
      expect(await tcpEcho(running.port, 'ping')).toBe('ping');
    } finally {
      await running.close();
    }
    expect(isAlive(running.pid)).toBe(false);
  });

  test('a server that exits before listening: TargetStartError with its output, no retry', async () => {
    const target = nodeTarget('', { command: ['sh', '-c', 'echo "boom: cannot open config" >&2; exit 3', '{port}'] });
    const err = (await target.start().catch((e: unknown) => e)) as TargetStartError;
    expect(err).toBeInstanceOf(TargetStartError);
    expect(err.message).toMatch(
      /exited with code 3 before accepting connections on 127\.0\.0\.1:\d+\n[\s\S]*boom: cannot open config/,
    );
  });

  test('port 0: a server that lost the race for the picked port is started again on another', async () => {
    const marker = join(work, 'lost-once');
    const loseOnce =
      `if [ ! -e ${marker} ]; then touch ${marker}; ` +
      `echo "bind: Address already in use" >&2; exit 1; fi; exec "$0" -e "$1" "$2"`;
    const target = nodeTarget('', { command: ['sh', '-c', loseOnce, process.execPath, NODE_ECHO_SERVER, '{port}'] });
    const running = await target.start();
    try {
      expect(existsSync(marker)).toBe(true);
      expect(await tcpEcho(running.port, 'second try')).toBe('second try');
    } finally {
      await running.close();
    }
  });

  test('a server that never listens: TargetStartError after readyTimeoutMs, and it is killed', async () => {
    const target = nodeTarget('', {
      command: ['sh', '-c', 'echo "pid $$"; exec sleep 60', '{port}'],
      readyTimeoutMs: 300,
    });
    const err = (await target.start().catch((e: unknown) => e)) as TargetStartError;
    expect(err).toBeInstanceOf(TargetStartError);
    expect(err.message).toMatch(/did not accept TCP connections on 127\.0\.0\.1:\d+ within 300 ms/);
    const pid = Number(/pid (\d+)/.exec(err.output)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
  });

  test('close(): SIGKILL after the grace when SIGTERM is ignored, forked children included', async () => {
    const stubborn = `${NODE_ECHO_SERVER};
      process.on('SIGTERM', () => {});
      const child = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
      console.log('child ' + child.pid);`;
    const running = await nodeTarget(stubborn, { stopGraceMs: 300 }).start();
    await withTimeout(
      waitFor(() => /child \d+/.test(running.output())),
      5000,
      'the child pid',
    );
    const child = Number(/child (\d+)/.exec(running.output())![1]);
    expect(isAlive(child)).toBe(true);
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(isAlive(running.pid)).toBe(false);
    expect(groupIsGone(running.pid)).toBe(true);
    expect(isAlive(child)).toBe(false);
  });

  test('a build runs once per content of its inputs and is cached', async () => {
    writeFileSync(join(work, 'server.js'), NODE_ECHO_SERVER);
    const build = {
      inputs: ['server.js'],
      output: 'server',
      run: ['sh', '-c', 'echo built >> builds.log && cp server.js "$0"', '{output}'],
    };
    const target = nodeTarget('', { build, command: [process.execPath, '{build}', '{port}'] });
    const builds = (): number => readFileSync(join(work, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
    const [a, b] = await Promise.all([target.start(), target.start()]);
    await Promise.all([a.close(), b.close()]);
    expect(builds()).toBe(1);
    writeFileSync(join(work, 'server.js'), `${NODE_ECHO_SERVER} // edited`);
    const c = await target.start();
    await c.close();
    expect(builds()).toBe(2);
  });
});

// ---- helpers ----

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

function tcpEcho(port: number, text: string): Promise<string> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString());
      });
      socket.once('error', reject);
    }),
    5000,
    'TCP echo',
  );
}
