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
import { expect, test } from 'vitest';
import type { CommandTarget, RunningCommandTarget } from '../src/index.js';
import {
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectInvalidUtf8Echoed,
  expectMessageLimit,
  expectNonUpgradeStatus,
  expectUsageError,
  familyTargets,
  upstreamVersion,
} from './family-suites.js';
import { startedTarget } from './helpers.js';

const { dir: PERL_DIR, targetsFile: TARGETS_FILE, servers } = familyTargets('perl');
// .ci/run installs libmojolicious-perl, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety net for a loaded machine, never a figure a test checks. */
const TEST_TIMEOUT_MS = 30_000;

test('the targets file names mojolicious and mojolicious+deflate', () => {
  expect(servers.map((t) => [t.name, t.implementation])).toEqual([
    ['mojolicious', 'mojolicious'],
    ['mojolicious+deflate', 'mojolicious'],
  ]);
});

describeServers('perl', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

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
    await expectInvalidUtf8Echoed(fixture.running.url);
  });

  test('a request that is not an upgrade gets Mojolicious’s 404', async () => {
    await expectNonUpgradeStatus(fixture.running.port, 404);
  });

  test('bad usage: one line on stderr and exit 2', () => {
    expectUsageError(
      ['perl', join(PERL_DIR, 'mojo-echo.pl'), '--port'],
      'mojo-echo: Option port requires an argument (usage: perl mojo-echo.pl --host HOST --port PORT [--deflate])',
    );
  });
}

describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names the mojolicious client driver',
  expected: [['mojolicious', 'mojolicious']],
  usage: () => 'usage: perl mojo-client.pl BASE_URL AGENT [--plan]',
  requireAll,
});
