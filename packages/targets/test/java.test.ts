/**
 * The java family (external/java, Jetty 9.4): what its echo server and client driver must get right beyond the
 * generic per-target tests of external.test.ts. Servers: the version is the Debian package's and the running
 * Jetty's, plain jetty declines permessage-deflate while jetty+deflate (Jetty's defaults) negotiates it, the
 * declared maxMessageSize (raised as Jetty's Autobahn setup raises it) is the limit enforced, a request that is
 * not an upgrade gets Jetty's 404, bad usage is one line and exit 2. Client: the driver's plan, count, echo and
 * errors against a stub fuzzingserver (family-suites.ts).
 */
import { expect, test } from 'vitest';
import type { CommandTarget, RunningCommandTarget } from '../src/index.js';
import { buildOnce } from '../src/external/build.js';
import {
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectMessageLimit,
  expectNonUpgradeStatus,
  expectUsageError,
  familyTargets,
  upstreamVersion,
} from './family-suites.js';
import { handshake, rawRequest, startedTarget } from './helpers.js';

const { dir: JAVA_DIR, targetsFile: TARGETS_FILE, servers } = familyTargets('java');
// .ci/run installs the JDK and Debian's Jetty, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety nets for a loaded machine (javac, a JVM start, 20 MiB echoes), never figures a test checks. */
const TEST_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 180_000;
/** Jetty 9.4's own Autobahn servlet raises both message limits to this. */
const AUTOBAHN_LIMIT = 20 * 1024 * 1024;

test('the targets file names jetty and jetty+deflate, both with the 20 MiB of Jetty’s Autobahn setup', () => {
  expect(servers.map((t) => [t.name, t.implementation, t.maxMessageSize])).toEqual([
    ['jetty', 'jetty', AUTOBAHN_LIMIT],
    ['jetty+deflate', 'jetty', AUTOBAHN_LIMIT],
  ]);
  for (const t of servers) expect(t.definition.command).toContain(String(AUTOBAHN_LIMIT));
});

describeServers('java', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), START_TIMEOUT_MS);

  test('its version is the Debian package’s, and the one the running Jetty names in its Server header', async () => {
    expect(target.version).toBe(upstreamVersion('libjetty9-extra-java'));
    const { port } = fixture.running;
    const answer = await rawRequest(port, '127.0.0.1', handshake(port), 10_000);
    expect(answer.kind === 'status' && answer.status).toBe(101);
    expect(answer.kind === 'status' && answer.headers.server).toMatch(new RegExp(`^Jetty\\(${target.version}\\.`));
  });

  const negotiates = target.name === 'jetty+deflate';
  test(negotiates ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    await expectDeflate(fixture.running.url, negotiates);
  });

  test('maxMessageSize is the limit it enforces: that many bytes echo, one more is closed 1009', async () => {
    await expectMessageLimit(fixture.running.url, target.maxMessageSize!);
  });

  test('a request that is not an upgrade gets Jetty’s 404', async () => {
    await expectNonUpgradeStatus(fixture.running.port, 404);
  });

  test('bad usage: one line on stderr and exit 2', async () => {
    const jar = await buildOnce(target.definition.build!, JAVA_DIR);
    expectUsageError(
      ['java', '-cp', jar, 'JettyEcho', '--port'],
      'jetty-echo: --port needs a number or value (usage: java JettyEcho --host HOST --port PORT ' +
        '[--max-message BYTES] [--deflate])',
    );
  });
}

describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names the jetty client driver',
  expected: [['jetty', 'jetty']],
  usage: () => 'usage: java JettyClientDriver [--max-message BYTES] BASE_URL AGENT [--plan]',
  requireAll,
});
