/**
 * The Go family (external/go): what its echo servers and client drivers must get right beyond the generic
 * per-target tests of external.test.ts. Servers: the version is the Debian package's, gorilla+deflate and
 * nhooyr negotiate permessage-deflate and compress while plain gorilla declines, nhooyr's declared
 * maxMessageSize is the limit it enforces, neither echo adds the UTF-8 check the libraries leave out, and bad
 * usage is one line with exit 2. Clients: each driver, built as the targets file says, plays a plan's phases
 * concurrently and a count's cases one after the other against a stub fuzzingserver, echoing every message
 * with its type (family-suites.ts).
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { expect, test } from 'vitest';
import type { CommandTarget, RunningCommandTarget } from '../src/index.js';
import {
  BUILD_TIMEOUT_MS,
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectInvalidUtf8Echoed,
  expectUsageError,
  familyTargets,
  upstreamVersion,
} from './family-suites.js';
import { closed, nextMessage, startedTarget } from './helpers.js';

const { targetsFile: GO_TARGETS_FILE, servers } = familyTargets('go');
/** The Debian package each implementation's version must come from. */
const DEBIAN_PACKAGE: Record<string, string> = {
  gorilla: 'golang-github-gorilla-websocket-dev',
  nhooyr: 'golang-nhooyr-websocket-dev',
};
// .ci/run installs golang-go and both libraries, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety net for a loaded machine, never a figure a test checks. */
const TEST_TIMEOUT_MS = 30_000;

// ---- servers ----

test('the targets file names gorilla, gorilla+deflate and nhooyr (nhooyr negotiates deflate by default)', () => {
  expect(servers.map((t) => [t.name, t.implementation])).toEqual([
    ['gorilla', 'gorilla'],
    ['gorilla+deflate', 'gorilla'],
    ['nhooyr', 'nhooyr'],
  ]);
  expect(servers.map((t) => t.maxMessageSize)).toEqual([undefined, undefined, 32768]);
});

/** Per server: whether it must negotiate permessage-deflate when a client offers it. */
const NEGOTIATES_DEFLATE: Record<string, boolean> = { gorilla: false, 'gorilla+deflate': true, nhooyr: true };

describeServers('go', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), BUILD_TIMEOUT_MS);

  test('its version is the upstream version of the Debian package', () => {
    expect(target.version).toBe(upstreamVersion(DEBIAN_PACKAGE[target.implementation]!));
  });

  const deflate = NEGOTIATES_DEFLATE[target.name]!;
  test(deflate ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    // The shared message is long enough for nhooyr's default threshold (512 bytes), and compressible.
    await expectDeflate(fixture.running.url, deflate);
  });

  if (target.maxMessageSize !== undefined) {
    const limit = target.maxMessageSize;
    test(`maxMessageSize ${limit} is the limit it enforces: ${limit} bytes echo, one more is closed 1009`, async () => {
      const fits = await fixture.client();
      const payload = randomBytes(limit);
      const reply = nextMessage(fits, 10_000);
      fits.send(payload, { binary: true });
      expect((await reply).data.equals(payload)).toBe(true);

      const tooBig = await fixture.client();
      const done = closed(tooBig, 10_000);
      tooBig.send(randomBytes(limit + 1), { binary: true });
      expect((await done).code).toBe(1009);
    });
  }

  test('invalid UTF-8 in a text message is echoed as text: neither library checks it, nor does the echo', async () => {
    await expectInvalidUtf8Echoed(fixture.running.url);
  });

  test('bad usage: one line on stderr and exit 2', () => {
    // The running server's own executable: the build the targets file made.
    const program = readlinkSync(`/proc/${fixture.running.pid}/exe`);
    const usage = target.implementation === 'gorilla' ? ' [--deflate]' : '';
    expectUsageError([program, '--port'], `usage: ${target.implementation}-echo --host HOST --port PORT${usage}`);
  });
}

// ---- client drivers ----

describeClientDrivers(GO_TARGETS_FILE, {
  title: 'the targets file names the gorilla and nhooyr client drivers, both with --plan',
  expected: [
    ['gorilla', 'gorilla'],
    ['nhooyr', 'nhooyr'],
  ],
  usage: (entry) => `usage: ${entry.name}-client BASE_URL AGENT [--plan]`,
  requireAll,
  family: 'go',
});
