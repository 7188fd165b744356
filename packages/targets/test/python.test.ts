/**
 * The python family (external/python: aiohttp, Tornado, Autobahn|Python, wsproto on Debian's packages): what its
 * echo servers and client drivers must get right beyond the generic per-target tests of external.test.ts.
 * Servers: the version is the Debian package's and the one the interpreter imports, permessage-deflate is
 * negotiated (and the echo compressed) by aiohttp's defaults and the +deflate variants and declined by the
 * others, the declared maxMessageSize is the limit enforced, bad usage is one line and exit 2; wsproto, whose
 * socket loop is ours: a message in fragments comes back whole in content and type, and after a protocol error
 * the server closes 1002 and ends TCP without waiting for the client. Clients: each driver's plan, count, echo
 * and errors against a stub fuzzingserver (family-suites.ts).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import type { CommandTarget, RunningCommandTarget } from '../src/index.js';
import {
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectUsageError,
  familyTargets,
  upstreamVersion,
} from './family-suites.js';
import { handshake, nextMessage, startedTarget } from './helpers.js';

const { dir: PYTHON_DIR, targetsFile: TARGETS_FILE, servers } = familyTargets('python');
const PYTHON = '/usr/bin/python3';
// .ci/run installs the four Debian packages, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety nets for a loaded machine (Python starts, 10 MiB echoes), never figures a test checks. */
const TEST_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 30_000;

/** Per implementation: its Debian package and the expression that is its version inside Python. */
const LIBRARY: Record<string, { debianPackage: string; module: string; versionExpression: string }> = {
  aiohttp: { debianPackage: 'python3-aiohttp', module: 'aiohttp', versionExpression: 'aiohttp.__version__' },
  tornado: { debianPackage: 'python3-tornado', module: 'tornado', versionExpression: 'tornado.version' },
  autobahn: { debianPackage: 'python3-autobahn', module: 'autobahn', versionExpression: 'autobahn.__version__' },
  wsproto: { debianPackage: 'python3-wsproto', module: 'wsproto', versionExpression: 'wsproto.__version__' },
};

/** Per server: whether it accepts a permessage-deflate offer (aiohttp's default compress=True does). */
const NEGOTIATES_DEFLATE: Record<string, boolean> = {
  aiohttp: true,
  tornado: false,
  'tornado+deflate': true,
  autobahn: false,
  'autobahn+deflate': true,
  wsproto: false,
  'wsproto+deflate': true,
};

test('the targets file names each server, the +deflate variants and the limits of the defaults', () => {
  expect(servers.map((t) => [t.name, t.implementation, t.maxMessageSize])).toEqual([
    ['aiohttp', 'aiohttp', 4 * 1024 * 1024 - 1], // max_msg_size 4 MiB: a message must be smaller
    ['tornado', 'tornado', 10 * 1024 * 1024],
    ['tornado+deflate', 'tornado', 10 * 1024 * 1024],
    ['autobahn', 'autobahn', undefined],
    ['autobahn+deflate', 'autobahn', undefined],
    ['wsproto', 'wsproto', undefined],
    ['wsproto+deflate', 'wsproto', undefined],
  ]);
});

describeServers('python', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

/** A version without trailing ".0" parts, so Tornado's own "6.2" and Debian's "6.2.0" compare equal. */
const trimmed = (version: string): string => version.replace(/(\.0)+$/, '');

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), START_TIMEOUT_MS);
  const library = LIBRARY[target.implementation]!;

  test('its version is the Debian package’s, and the one /usr/bin/python3 imports', () => {
    expect(target.version).toBe(upstreamVersion(library.debianPackage));
    const imported = execFileSync(PYTHON, ['-c', `import ${library.module}; print(${library.versionExpression})`], {
      encoding: 'utf8',
    }).trim();
    expect(trimmed(imported)).toBe(trimmed(target.version));
  });

  const negotiates = NEGOTIATES_DEFLATE[target.name]!;
  test(negotiates ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    await expectDeflate(fixture.running.url, negotiates);
  });

  if (target.maxMessageSize !== undefined) {
    const limit = target.maxMessageSize;
    const title = `maxMessageSize is the limit it enforces: ${limit} bytes echo, a frame of one more is closed 1009`;
    test(title, async () => {
      const ws = await fixture.client();
      const payload = randomBytes(limit);
      const reply = nextMessage(ws, 30_000);
      ws.send(payload, { binary: true });
      const got = await reply;
      expect(got.isBinary).toBe(true);
      expect(got.data.equals(payload)).toBe(true);

      // Only the header of the frame that is too big goes out: both libraries refuse at the header, and a
      // payload they left unread would turn their close into a TCP reset that can lose the Close frame.
      const { socket, received } = await rawWebSocket(fixture.running.port);
      const header = Buffer.alloc(10);
      header[0] = 0x82;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(limit + 1), 2);
      const ended = new Promise((resolve) => socket.once('close', resolve));
      socket.on('error', () => {});
      socket.write(header);
      await withTimeout(ended, 20_000, 'the server ending the connection');
      const frames = received();
      expect(frames[0]).toBe(0x88);
      expect(frames.readUInt16BE(2)).toBe(1009);
    });
  }

  test('bad usage: one line on stderr and exit 2', () => {
    const script = `${target.implementation}-echo.py`;
    expectUsageError(
      [PYTHON, join(PYTHON_DIR, script), '--port', 'none'],
      `${script}: argument --port: invalid int value: 'none'`,
    );
  });

  if (target.implementation === 'wsproto') describeWsprotoLoop(fixture);
}

/** A masked client frame (RFC 6455 §5.2) with a zero mask key, so the payload goes out as it is. */
function clientFrame(first: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header =
    length < 126 ? Buffer.from([first, 0x80 | length]) : Buffer.from([first, 0x80 | 126, length >> 8, length & 0xff]);
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

/** Opens a raw TCP connection and completes the opening handshake; later bytes arrive on 'data'. */
async function rawWebSocket(port: number): Promise<{ socket: Socket; received: () => Buffer }> {
  const socket = connect(port, '127.0.0.1');
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
  });
  await withTimeout(new Promise((resolve) => socket.once('connect', resolve)), 10_000, 'connect');
  socket.write(handshake(port));
  await withTimeout(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (buffer.includes('\r\n\r\n')) {
          socket.off('data', check);
          resolve();
        }
      };
      socket.on('data', check);
      check();
    }),
    10_000,
    'the 101',
  );
  const bodyStart = (): number => buffer.indexOf('\r\n\r\n') + 4;
  expect(buffer.subarray(0, 12).toString('latin1')).toBe('HTTP/1.1 101');
  return { socket, received: () => buffer.subarray(bodyStart()) };
}

function describeWsprotoLoop(fixture: { readonly running: RunningCommandTarget; client(): Promise<WebSocket> }): void {
  test('a text message in fragments, a character split between two of them, comes back as that text', async () => {
    const ws = await fixture.client();
    const text = Buffer.from(`fragments ${'ü€🐪'.repeat(2000)} end`, 'utf8');
    const cut = [0, 7, 12, 5000, 5001, text.length];
    const reply = nextMessage(ws, 15_000);
    for (let i = 0; i + 1 < cut.length; i++) {
      ws.send(text.subarray(cut[i], cut[i + 1]), { binary: false, fin: i + 2 === cut.length });
    }
    const got = await reply;
    expect(got.isBinary).toBe(false);
    expect(got.data.equals(text)).toBe(true);
  });

  test('after a protocol error it closes 1002 and ends TCP at once, though the client keeps talking', async () => {
    const { socket, received } = await rawWebSocket(fixture.running.port);
    socket.on('error', () => {});
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    // A Ping of 126 bytes: control frames carry at most 125 (RFC 6455 §5.5).
    socket.write(clientFrame(0x89, randomBytes(126)));
    // A valid Ping every 100 ms: a loop that waited for the client's Close, counting silence, would never end.
    const chatter = setInterval(() => socket.write(clientFrame(0x89, Buffer.from('still here'))), 100);
    try {
      await withTimeout(ended, 20_000, "the server's end of TCP");
    } finally {
      clearInterval(chatter);
      socket.destroy();
    }
    const frames = received();
    expect(frames[0]).toBe(0x88); // a final Close frame, and nothing before it
    expect(frames.readUInt16BE(2)).toBe(1002);
    expect(frames.length).toBe(2 + frames[1]!); // nothing after it: no Pong to the later Pings
  });
}

describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names a client driver per implementation, each taking --plan',
  expected: [
    ['aiohttp', 'aiohttp'],
    ['tornado', 'tornado'],
    ['autobahn', 'autobahn'],
    ['wsproto', 'wsproto'],
  ],
  usage: (entry) => `usage: python3 ${entry.implementation}-client.py ws://HOST:PORT AGENT [--plan]`,
  requireAll,
});
