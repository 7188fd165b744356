/**
 * The perl family (external/perl, Mojolicious): what its echo server and client driver must get right beyond
 * the generic per-target tests of external.test.ts. Servers: the version is the Debian package's, plain
 * mojolicious declines permessage-deflate while mojolicious+deflate (with_compression) negotiates it, the
 * declared maxMessageSize is Mojolicious's default limit and the one enforced, invalid UTF-8 is echoed as text
 * (Mojolicious does not check it, and the echo adds no check), a request that is not an upgrade gets
 * Mojolicious's 404, bad usage is one line and exit 2. Client: the driver's plan, count, echo and errors
 * against a stub fuzzingserver (family-suites.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { loadCommandTargets, type CommandTarget, type RunningCommandTarget } from '../src/index.js';
import {
  clientEntries,
  describeClientDriver,
  expectDeflate,
  expectMessageLimit,
  expectUsageError,
  upstreamVersion,
} from './family-suites.js';
import { handshake, nextMessage, rawRequest, startedTarget } from './helpers.js';

const PERL_DIR = fileURLToPath(new URL('../external/perl', import.meta.url));
const TARGETS_FILE = join(PERL_DIR, 'targets.json');
// .ci/run installs libmojolicious-perl, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety net for a loaded machine, never a figure a test checks. */
const TEST_TIMEOUT_MS = 30_000;

const servers = loadCommandTargets(TARGETS_FILE);

test('the targets file names mojolicious and mojolicious+deflate', () => {
  expect(servers.map((t) => [t.name, t.implementation])).toEqual([
    ['mojolicious', 'mojolicious'],
    ['mojolicious+deflate', 'mojolicious'],
  ]);
});

for (const target of servers) {
  const unavailable = target.unavailableReason();
  const skip = unavailable !== undefined && !requireAll;
  describe.skipIf(skip)(
    `perl server "${target.name}"${skip ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: TEST_TIMEOUT_MS },
    () => describeServer(target),
  );
}

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), TEST_TIMEOUT_MS);

  test('its version is the Debian package’s', () => {
    expect(target.version).toBe(upstreamVersion('libmojolicious-perl'));
  });

  test('maxMessageSize is Mojolicious’s default and the limit it enforces (one more byte: 1009)', async () => {
    const byDefault = spawnSync(
      'perl',
      ['-MMojo::Transaction::WebSocket', '-e', 'print Mojo::Transaction::WebSocket->new->max_websocket_size'],
      { encoding: 'utf8', env: { ...process.env, MOJO_MAX_WEBSOCKET_SIZE: '' } },
    );
    expect(Number(byDefault.stdout)).toBe(target.maxMessageSize);
    await expectMessageLimit(fixture.running.url, target.maxMessageSize!);
  });

  const negotiates = target.name === 'mojolicious+deflate';
  test(negotiates ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    await expectDeflate(fixture.running.url, negotiates);
  });

  test('invalid UTF-8 in a text message comes back as text: neither Mojolicious nor the echo checks it', async () => {
    const ws = new WebSocket(fixture.running.url, { perMessageDeflate: false, skipUTF8Validation: true });
    try {
      await withTimeout(
        new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
        10_000,
        'open',
      );
      const invalid = Buffer.from([0x68, 0xc0, 0xaf]); // overlong encoding of '/'
      const reply = nextMessage(ws, 10_000);
      ws.send(invalid, { binary: false });
      const got = await reply;
      expect(got.isBinary).toBe(false);
      expect(got.data.equals(invalid)).toBe(true);
    } finally {
      ws.terminate();
    }
  });

  test('a request that is not an upgrade gets Mojolicious’s 404', async () => {
    const { port } = fixture.running;
    const answer = await rawRequest(port, '127.0.0.1', handshake(port, { upgrade: false }), 10_000);
    expect(answer.kind === 'status' && answer.status).toBe(404);
  });

  test('bad usage: one line on stderr and exit 2', () => {
    expectUsageError(
      ['perl', join(PERL_DIR, 'mojo-echo.pl'), '--port'],
      'mojo-echo: Option port requires an argument ' +
        '(usage: perl mojo-echo.pl --host HOST --port PORT [--deflate])',
    );
  });
}

const clients = clientEntries(TARGETS_FILE);

test('the targets file names the mojolicious client driver', () => {
  expect(clients.map((c) => [c.name, c.implementation])).toEqual([['mojolicious', 'mojolicious']]);
});

for (const entry of clients) {
  describeClientDriver(entry, TARGETS_FILE, {
    usage: 'usage: perl mojo-client.pl BASE_URL AGENT [--plan]',
    requireAll,
  });
}
