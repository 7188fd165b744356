/**
 * The ruby family (external/ruby, faye-websocket on Thin): what its echo server and client driver must get
 * right beyond the generic per-target tests of external.test.ts. Server: the version is the Debian package's,
 * it declines permessage-deflate (the permessage_deflate gem is not in Debian, so there is no +deflate column),
 * the declared maxMessageSize is websocket-driver's default limit, a request that is not an upgrade gets the
 * app's 404, bad usage is one line and exit 2. Client: the driver's plan, count, echo and errors against a
 * stub fuzzingserver (family-suites.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { CommandTarget, RunningCommandTarget } from '../src/index.js';
import {
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectNonUpgradeStatus,
  expectUsageError,
  familyTargets,
  upstreamVersion,
} from './family-suites.js';
import { startedTarget } from './helpers.js';

const { dir: RUBY_DIR, targetsFile: TARGETS_FILE, servers } = familyTargets('ruby');
// .ci/run installs ruby-faye-websocket and thin, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety net for a loaded machine, never a figure a test checks. */
const TEST_TIMEOUT_MS = 30_000;

test('the targets file names faye alone (no +deflate column) with websocket-driver’s default limit', () => {
  expect(servers.map((t) => [t.name, t.implementation, t.maxMessageSize])).toEqual([
    ['faye-websocket-ruby', 'faye-websocket-ruby', 0x3ffffff],
  ]);
});

describeServers('ruby', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), TEST_TIMEOUT_MS);

  test('its version is the Debian package’s', () => {
    expect(target.version).toBe(upstreamVersion('ruby-faye-websocket'));
  });

  test('maxMessageSize is the limit websocket-driver applies by default', () => {
    const limit = spawnSync('ruby', ['-e', "require 'websocket/driver'; print WebSocket::Driver::MAX_LENGTH"], {
      encoding: 'utf8',
    });
    expect(Number(limit.stdout)).toBe(target.maxMessageSize);
  });

  test('declines permessage-deflate', async () => {
    await expectDeflate(fixture.running.url, false);
  });

  test('a request that is not an upgrade gets the app’s 404', async () => {
    await expectNonUpgradeStatus(fixture.running.port, 404);
  });

  test('bad usage: one line on stderr and exit 2', () => {
    expectUsageError(
      ['ruby', join(RUBY_DIR, 'faye-echo.rb'), '--port'],
      'faye-echo: missing argument: --port (usage: ruby faye-echo.rb --host HOST --port PORT)',
    );
  });
}

describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names the faye client driver',
  expected: [['faye-websocket-ruby', 'faye-websocket-ruby']],
  usage: () => 'usage: ruby faye-client.rb BASE_URL AGENT [--plan]',
  requireAll,
});
