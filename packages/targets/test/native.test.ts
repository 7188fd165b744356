/**
 * The native family (external/native: libwebsockets in C, Boost.Beast in C++): what its echo servers and client
 * drivers must get right beyond the generic per-target tests of external.test.ts. Servers: the version is the
 * Debian package's and the installed headers'; the +deflate variants negotiate permessage-deflate and the plain
 * ones decline it; Beast's declared maxMessageSize (raised as Beast's Autobahn server raises it) is the limit it
 * enforces; a message sent in fragments (lws hands those over in pieces) comes back as one message of its type;
 * lws adds no UTF-8 check of its own; the server listens on the IPv4 address it is given and nowhere else (lws 4.1
 * would listen on every interface); a taken port and bad usage are one line each. Clients: each driver's plan,
 * count, echo and errors against a stub fuzzingserver (family-suites.ts), and fragmented and large messages
 * echoed whole.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterEach, beforeAll, expect, test } from 'vitest';
import type WebSocket from 'ws';
import { createCommandClient, type CommandTarget, type RunningCommandTarget } from '../src/index.js';
import {
  BUILD_TIMEOUT_MS,
  DRIVE_TIMEOUT_MS,
  describeClientDrivers,
  describeDriverBlock,
  describeServers,
  driverCommand,
  expectDeflate,
  expectInvalidUtf8Echoed,
  expectMessageLimit,
  expectUsageError,
  familyTargets,
  listeningServer,
  openUncheckedClient,
  upstreamVersion,
  type ClientEntry,
  type Message,
} from './family-suites.js';
import { nextMessages, startedTarget } from './helpers.js';

const { targetsFile: TARGETS_FILE, servers } = familyTargets('native');
// .ci/run installs libwebsockets-dev and libboost-dev, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety nets for a loaded machine (Beast's headers compile slowly, 64 MiB echoes), never figures a test checks. */
const TEST_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 240_000;
/** Beast's own Autobahn server (example/websocket/server/fast) raises read_message_max to this. */
const BEAST_AUTOBAHN_LIMIT = 64 * 1024 * 1024;

/** The Boost release the installed headers are: BOOST_VERSION 107400 is 1.74.0. */
function installedBoostRelease(): string {
  const header = readFileSync('/usr/include/boost/version.hpp', 'utf8');
  const n = Number(/#define BOOST_VERSION (\d+)/.exec(header)![1]);
  return `${Math.floor(n / 100000)}.${Math.floor(n / 100) % 1000}.${n % 100}`;
}

/** The installed libwebsockets' own version (lws_config.h's LWS_LIBRARY_VERSION, e.g. "4.1.6-"). */
function installedLwsVersion(): string {
  return /#define LWS_LIBRARY_VERSION "([^"]*)"/.exec(readFileSync('/usr/include/lws_config.h', 'utf8'))![1]!;
}

/** The usage line each echo program prints before exiting 2. */
const USAGE: Record<string, string> = {
  libwebsockets: 'usage: libwebsockets-echo --host HOST --port PORT [--deflate]',
  beast: 'usage: beast-echo --host HOST --port PORT [--deflate]',
};

test('the targets file names libwebsockets and beast, each with a +deflate variant; only Beast has a limit', () => {
  expect(servers.map((t) => [t.name, t.implementation, t.maxMessageSize])).toEqual([
    ['libwebsockets', 'libwebsockets', undefined],
    ['libwebsockets+deflate', 'libwebsockets', undefined],
    ['beast', 'beast', BEAST_AUTOBAHN_LIMIT],
    ['beast+deflate', 'beast', BEAST_AUTOBAHN_LIMIT],
  ]);
});

describeServers('native', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

/** Listening sockets on `port` in a /proc/net/tcp-style table, as local addresses (hex, kernel byte order). */
function listeners(table: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync(table, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[1]!.split(':')[0]!);
}

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), START_TIMEOUT_MS);
  const opened = new Set<WebSocket>();
  afterEach(() => {
    for (const ws of opened) ws.terminate();
    opened.clear();
  });
  /** The running server's own executable: the build the targets file made. */
  const program = (): string => readlinkSync(`/proc/${fixture.running.pid}/exe`);
  const lws = target.implementation === 'libwebsockets';

  if (lws) {
    test('its version is libwebsockets-dev’s, the version the installed headers name', () => {
      expect(target.version).toBe(upstreamVersion('libwebsockets-dev'));
      expect(installedLwsVersion().startsWith(target.version)).toBe(true);
    });
  } else {
    test('its version is the Boost release of libboost-dev, the release the installed headers are', () => {
      expect(target.version).toBe(/^\d+\.\d+\.\d+/.exec(upstreamVersion('libboost-dev'))![0]);
      expect(target.version).toBe(installedBoostRelease());
    });
  }

  const negotiates = target.name.endsWith('+deflate');
  test(negotiates ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    await expectDeflate(fixture.running.url, negotiates);
  });

  if (target.maxMessageSize !== undefined) {
    test(
      'maxMessageSize is the limit it enforces: that many bytes echo, one more is closed 1009',
      async () => {
        await expectMessageLimit(fixture.running.url, target.maxMessageSize!);
      },
      2 * TEST_TIMEOUT_MS,
    );
  }

  test('messages sent in fragments come back whole, each with its type, a ping answered in between', async () => {
    const ws = await openUncheckedClient(fixture.running.url);
    opened.add(ws);
    // A text message cut inside a multi-byte character, and a binary one whose fragments cross lws's chunks.
    const text = Buffer.from('fragments: grüße ✓ 🧩 '.repeat(400), 'utf8');
    const binary = Buffer.alloc(3 * 5000 + 7);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 31 + 7) & 0xff;
    const replies = nextMessages(ws, 2, 20_000);
    const pong = new Promise<Buffer>((resolve) => ws.once('pong', resolve));
    ws.send(text.subarray(0, 14), { binary: false, fin: false });
    ws.ping('between fragments');
    ws.send(text.subarray(14, 4100), { binary: false, fin: false });
    ws.send(text.subarray(4100), { binary: false, fin: true });
    for (let at = 0; at < binary.length; at += 5000) {
      ws.send(binary.subarray(at, at + 5000), { binary: true, fin: at + 5000 >= binary.length });
    }
    const [first, second] = await replies;
    expect(first!.isBinary).toBe(false);
    expect(first!.data.equals(text)).toBe(true);
    expect(second!.isBinary).toBe(true);
    expect(second!.data.equals(binary)).toBe(true);
    expect((await withTimeout(pong, 10_000, 'pong')).toString()).toBe('between fragments');
  });

  if (lws) {
    test('invalid UTF-8 in a text message comes back as text: lws checks none by default', async () => {
      await expectInvalidUtf8Echoed(fixture.running.url);
    });
  }

  test('listens on 127.0.0.1 only: no IPv6 or any-address socket on its port', () => {
    const { port } = fixture.running;
    expect(listeners('/proc/net/tcp', port)).toEqual(['0100007F']);
    expect(listeners('/proc/net/tcp6', port)).toEqual([]);
  });

  test('a port already taken: exit 1 with "Address already in use" on its last line', () => {
    const { port } = fixture.running;
    const result = spawnSync(program(), ['--host', '127.0.0.1', '--port', String(port)], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const name = USAGE[target.implementation]!.split(' ')[1];
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      `${name}: cannot listen on 127.0.0.1:${port}: Address already in use`,
    );
  });

  test('bad usage: one line on stderr and exit 2', () => {
    const usage = USAGE[target.implementation]!;
    const name = usage.split(' ')[1];
    expectUsageError([program(), '--host', '127.0.0.1', '--port'], `${name}: --port needs a value (${usage})`);
    expectUsageError([program(), '--host', '127.0.0.1'], `${name}: --host and --port are required (${usage})`);
    expectUsageError([program(), '--port', '0', '--host', 'x'], `${name}: --port must be 1-65535 (${usage})`);
  });
}

// ---- client drivers ----

const clients = describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names the libwebsockets and beast client drivers',
  expected: [
    ['libwebsockets', 'libwebsockets'],
    ['beast', 'beast'],
  ],
  usage: ({ name }) => `${name}-client: expected BASE_URL and AGENT (usage: ${name}-client BASE_URL AGENT [--plan])`,
  requireAll,
});
for (const entry of clients) describeWholeMessages(entry);

/**
 * One case that sends a text message in three fragments (cut inside a multi-byte character) and a binary message
 * of 300 000 bytes in two, then closes once both echoes are back: the driver must echo each whole, with its type.
 */
function describeWholeMessages(entry: ClientEntry): void {
  describeDriverBlock(entry, { requireAll, aspect: ': fragmented and large messages' }, () => {
    let command: string[] = [];
    beforeAll(async () => {
      command = await driverCommand(entry, TARGETS_FILE);
    }, BUILD_TIMEOUT_MS);

    test('each message comes back whole with its type', async () => {
      const text = Buffer.from('échos ✓ 🧩 '.repeat(50), 'utf8');
      const binary = Buffer.alloc(300_000);
      for (let i = 0; i < binary.length; i++) binary[i] = (i * 131 + 3) & 0xff;
      const echoed: Message[] = [];
      const { wss, baseUrl, close } = await listeningServer();
      wss.on('connection', (ws, req) => {
        ws.on('error', () => {});
        const path = new URL(req.url ?? '/', 'ws://stub').pathname;
        if (path === '/getCaseCount') {
          ws.send('1');
          ws.close(1000);
        } else if (path === '/runCase') {
          ws.on('message', (data: Buffer, isBinary: boolean) => {
            echoed.push({ data, isBinary });
            if (echoed.length === 2) ws.close(1000);
          });
          ws.send(text.subarray(0, 7), { binary: false, fin: false });
          ws.send(text.subarray(7, 301), { binary: false, fin: false });
          ws.send(text.subarray(301), { binary: false, fin: true });
          ws.send(binary.subarray(0, 100_001), { binary: true, fin: false });
          ws.send(binary.subarray(100_001), { binary: true, fin: true });
        } else {
          ws.close(1000);
        }
      });
      try {
        const client = createCommandClient({ name: entry.name, command });
        const result = await withTimeout(client.drive({ baseUrl, agent: 'whole' }), DRIVE_TIMEOUT_MS, 'the driver');
        expect(result.exitCode, result.stderrTail).toBe(0);
        expect(echoed.map((m) => m.isBinary)).toEqual([false, true]);
        expect(echoed[0]!.data.equals(text)).toBe(true);
        expect(echoed[1]!.data.equals(binary)).toBe(true);
      } finally {
        await close();
      }
    });
  });
}
