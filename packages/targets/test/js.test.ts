/**
 * The js family (external/js: Bun, Deno, WebSocket-Node, faye-websocket and any ws release, all npm packages):
 * what its echo servers and client drivers must get right beyond the generic per-target tests of
 * external.test.ts. Servers: the version is the npm package's (and, for Bun and Deno, what the package's binary
 * says), bun+deflate and ws+deflate negotiate permessage-deflate and compress their echo while the others
 * decline it, each declared maxMessageSize is the limit the server enforces, a request Bun or Deno refuse gets
 * our 400 while Bun answers a bad version itself, bad usage is one line with exit 2. ws releases: the embedded
 * ws targets' options, passed only where a release knows them, and each major's 'message' signature (real
 * releases 1.1.5 and 3.3.3, installed from the registry). Clients: each driver against a stub fuzzingserver.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  createCommandTarget,
  findPackage,
  readTargetsFile,
  type CommandTarget,
  type RunningCommandTarget,
} from '../src/index.js';
import { ws7ServerOptions, wsDeflateServerOptions, wsServerOptions } from '../src/ws-target.js';
import {
  describeClientDrivers,
  describeServers,
  expectDeflate,
  expectMessageLimit,
  expectNonUpgradeStatus,
  expectUsageError,
  type ClientEntry,
  familyTargets,
} from './family-suites.js';
import { closed, handshake, nextMessage, openClient, rawRequest, startedTarget } from './helpers.js';

const { dir: JS_DIR, targetsFile: TARGETS_FILE, servers } = familyTargets('js');
// The npm packages are root devDependencies, installed by npm ci: under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety nets for a loaded machine (messages of 64 MiB, a runtime starting), never figures a test checks. */
const TEST_TIMEOUT_MS = 60_000;
const INSTALL_TIMEOUT_MS = 120_000;

interface WsReleaseModule {
  wantedOptions(deflate: boolean): Record<string, unknown>;
  releaseOptions(ServerClass: unknown, deflate: boolean): Record<string, unknown>;
  loadServerClass(packageDir: string): unknown;
  isBinaryMessage(data: unknown, second: unknown): boolean;
}
const wsRelease = (await import(join(JS_DIR, 'ws-release.mjs'))) as WsReleaseModule;

/** This repository's install of an npm package (a path that does not exist when it is missing: its suites skip). */
function packageDir(npm: string): string {
  try {
    return findPackage(npm).dir;
  } catch {
    return join('/nonexistent', npm);
  }
}
const manifestVersion = (dir: string): string =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

// ---- servers ----

test('the targets file: one column per implementation, deflate where the library has it, each limit', () => {
  expect(servers.map((t) => [t.name, t.implementation, t.definition.npm, t.maxMessageSize])).toEqual([
    ['bun', 'bun', 'bun', 16 * 1024 * 1024],
    ['bun+deflate', 'bun', 'bun', 16 * 1024 * 1024],
    ['deno', 'deno', 'deno', undefined],
    ['websocket', 'websocket', 'websocket', 64 * 1024 * 1024],
    ['faye-websocket', 'faye-websocket', 'faye-websocket', 2 ** 26 - 1],
    ['ws', 'ws', 'ws', 32 * 1024 * 1024],
    ['ws+deflate', 'ws', 'ws', 32 * 1024 * 1024],
  ]);
  for (const t of servers) expect(t.definition.version, t.name).toEqual({ npm: true });
});

/** What each server must do when offered permessage-deflate. */
const NEGOTIATES_DEFLATE: Record<string, boolean> = {
  bun: false,
  'bun+deflate': true,
  deno: false,
  websocket: false,
  'faye-websocket': false,
  ws: false,
  'ws+deflate': true,
};

/** The command line each echo program is run with, for the usage test (--port left without its value). */
function badUsageArgv(target: CommandTarget): string[] {
  const dir = packageDir(target.definition.npm!);
  const argv = target.definition.command.map((a) =>
    a.replaceAll('{package}', dir).replaceAll('{dir}', JS_DIR).replaceAll('{node}', process.execPath),
  );
  return argv.slice(0, argv.indexOf('--port') + 1);
}

describeServers('js', servers, { timeoutMs: TEST_TIMEOUT_MS, requireAll }, describeServer);

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), TEST_TIMEOUT_MS);
  const npm = target.definition.npm!;

  test('its version is the npm package’s', () => {
    expect(target.version).toBe(manifestVersion(packageDir(npm)));
  });

  const deflateTitle = NEGOTIATES_DEFLATE[target.name]
    ? 'negotiates permessage-deflate and compresses its echo'
    : 'declines permessage-deflate';
  test(deflateTitle, async () => {
    await expectDeflate(fixture.running.url, NEGOTIATES_DEFLATE[target.name]!);
  });

  if (target.maxMessageSize !== undefined) {
    test('maxMessageSize is the limit the server enforces', async () => {
      await expectMessageLimit(fixture.running.url, target.maxMessageSize!);
    });
  }

  test('bad usage: one line on stderr and exit 2', () => {
    const argv = badUsageArgv(target);
    const program = argv.find((a) => a.startsWith(JS_DIR))!.slice(JS_DIR.length + 1);
    expectUsageError(
      argv,
      `${program}: --port needs a value (usage: ${program} --host HOST --port PORT [--package DIR] [--deflate])`,
    );
  });
}

const bun = servers.find((t) => t.name === 'bun')!;
describe.skipIf(!requireAll && bun.unavailableReason() !== undefined)('bun', { timeout: TEST_TIMEOUT_MS }, () => {
  const fixture = startedTarget<RunningCommandTarget>(() => bun.start({ port: 0 }), TEST_TIMEOUT_MS);

  test('the package’s binary is the version the column shows', () => {
    const binary = join(packageDir('bun'), 'bin', 'bun.exe');
    expect(execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()).toBe(bun.version);
  });

  test('a bad version is answered by Bun (426 naming 13); a request upgrade() refuses gets our 400', async () => {
    const { port } = fixture.running;
    const badVersion = await rawRequest(port, '127.0.0.1', handshake(port, { version: '8' }), 10_000);
    expect(badVersion.kind === 'status' && [badVersion.status, badVersion.headers['sec-websocket-version']]).toEqual([
      426,
      '13',
    ]);
    await expectNonUpgradeStatus(port, 400);
  });
});

const deno = servers.find((t) => t.name === 'deno')!;
describe.skipIf(!requireAll && deno.unavailableReason() !== undefined)('deno', { timeout: TEST_TIMEOUT_MS }, () => {
  const fixture = startedTarget<RunningCommandTarget>(() => deno.start({ port: 0 }), TEST_TIMEOUT_MS);

  test('the package’s binary is the version the column shows', () => {
    const said = execFileSync(join(packageDir('deno'), 'deno'), ['--version'], { encoding: 'utf8' });
    expect(said.split('\n')[0]).toMatch(new RegExp(`^deno ${deno.version.replaceAll('.', '\\.')} `));
  });

  const title = 'no message limit (so no maxMessageSize): a frame of 64 MiB drops the connection, fragments come back';
  test(title, async () => {
    const whole = 64 * 1024 * 1024;
    const fragmented = await openClient(fixture.running.url, 10_000);
    const reply = nextMessage(fragmented, 30_000);
    fragmented.send(Buffer.alloc(whole / 2, 0xa5), { binary: true, fin: false });
    fragmented.send(Buffer.alloc(whole / 2, 0x5a), { binary: true, fin: true });
    const got = await reply;
    expect([got.isBinary, got.data.length, got.data[0], got.data[whole - 1]]).toEqual([true, whole, 0xa5, 0x5a]);
    const oneFrame = await openClient(fixture.running.url, 10_000);
    const done = closed(oneFrame, 30_000);
    oneFrame.send(Buffer.alloc(whole, 0x5a), { binary: true });
    expect((await done).code).toBe(1006);
  });

  test('a request Deno.upgradeWebSocket refuses gets our 400, with nothing on stderr', async () => {
    await expectNonUpgradeStatus(fixture.running.port, 400);
    expect(fixture.running.output()).toBe('');
  });
});

// ---- ws releases ----

describe('ws releases: the embedded ws targets’ options, where a release knows them', () => {
  test('ws 8 (this repository’s) gets exactly the embedded ws and ws+deflate options', () => {
    const ServerClass = wsRelease.loadServerClass(packageDir('ws'));
    expect(wsRelease.releaseOptions(ServerClass, false)).toEqual(wsServerOptions);
    expect(wsRelease.releaseOptions(ServerClass, true)).toEqual(wsDeflateServerOptions);
  });

  test('ws 7 (the ws7 alias) gets exactly the embedded ws7 options', () => {
    const ServerClass = wsRelease.loadServerClass(packageDir('ws7'));
    expect(wsRelease.releaseOptions(ServerClass, false)).toEqual(ws7ServerOptions);
  });

  test('the message type from each signature: (data, isBinary), (data, flags), (data)', () => {
    const text = 'text';
    const bytes = Buffer.from([0xff]);
    expect(wsRelease.isBinaryMessage(bytes, false)).toBe(false); // ws 8: text as a Buffer
    expect(wsRelease.isBinaryMessage(bytes, true)).toBe(true);
    expect(wsRelease.isBinaryMessage(text, { masked: true })).toBe(false); // ws 1, 2
    expect(wsRelease.isBinaryMessage(bytes, { binary: true, masked: true })).toBe(true);
    expect(wsRelease.isBinaryMessage(text, undefined)).toBe(false); // ws 3 to 7
    expect(wsRelease.isBinaryMessage(bytes, undefined)).toBe(true);
  });
});

/** Releases of the two older signatures, installed from the registry as wsmatrix installs an on-demand release. */
const OLD_RELEASES = { ws1: '1.1.5', ws3: '3.3.3' } as const;

describe('ws releases 1.1.5 and 3.3.3 from the registry', { timeout: TEST_TIMEOUT_MS }, () => {
  let prefix = '';
  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'wsmatrix-js-ws-'));
    const specs = Object.entries(OLD_RELEASES).map(([alias, version]) => `${alias}@npm:ws@${version}`);
    await promisify(execFile)(
      'npm',
      ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', ...specs],
      { timeout: INSTALL_TIMEOUT_MS },
    );
  }, INSTALL_TIMEOUT_MS + 10_000);
  afterAll(() => rmSync(prefix, { recursive: true, force: true }));

  const { definitions, dir } = readTargetsFile(TARGETS_FILE);
  for (const [alias, version] of Object.entries(OLD_RELEASES)) {
    const releaseDir = (): string => join(prefix, 'node_modules', alias);

    test(`ws@${version} knows maxPayload, perMessageDeflate and clientTracking of the options, and gets those`, () => {
      const ServerClass = wsRelease.loadServerClass(releaseDir());
      expect(wsRelease.releaseOptions(ServerClass, false)).toEqual({
        maxPayload: wsServerOptions.maxPayload,
        perMessageDeflate: false,
        clientTracking: true,
      });
    });

    for (const name of ['ws', 'ws+deflate']) {
      const deflate = name === 'ws' ? 'declined' : 'on';
      test(`${name}@${version}: text comes back as text, binary as binary; deflate ${deflate}`, async () => {
        const definition = definitions.find((d) => d.name === name)!;
        const target = createCommandTarget(definition, { dir, packageDir: releaseDir() });
        expect(target.version).toBe(version);
        const running = await target.start();
        try {
          const ws = await openClient(running.url, 10_000);
          const textReply = nextMessage(ws, 10_000);
          ws.send('Grüße ✓', { binary: false });
          const text = await textReply;
          const binaryReply = nextMessage(ws, 10_000);
          ws.send(Buffer.from([0xc0, 0xff, 0x00]), { binary: true });
          const binary = await binaryReply;
          ws.terminate();
          expect([text.isBinary, text.data.toString()]).toEqual([false, 'Grüße ✓']);
          expect([binary.isBinary, binary.data.toString('hex')]).toEqual([true, 'c0ff00']);
          await expectDeflate(running.url, name === 'ws+deflate');
        } finally {
          await running.close();
        }
      });
    }
  }
});

// ---- clients ----

// The shared suite expands {dir}, {url} and {agent}; {package} is this repository's install of the package.
function withPackage(entry: ClientEntry): ClientEntry {
  const dir = packageDir((entry as unknown as { npm: string }).npm);
  const expand = (args: string[]): string[] => args.map((a) => a.replaceAll('{package}', dir));
  return {
    ...entry,
    command: expand(entry.command),
    requires: entry.requires.map((r) => ({ ...r, run: expand(r.run) })),
  };
}

/** The usage line of each driver (its program and whether it takes --package). */
const DRIVER_USAGE: Record<string, string> = {
  bun: 'usage: web-client.mjs BASE_URL AGENT [--plan]',
  deno: 'usage: web-client.mjs BASE_URL AGENT [--plan]',
  websocket: 'usage: websocket-client.mjs --package DIR BASE_URL AGENT [--plan]',
  'faye-websocket': 'usage: faye-client.mjs --package DIR BASE_URL AGENT [--plan]',
};

describeClientDrivers(TARGETS_FILE, {
  title: 'the targets file names the bun, deno, websocket and faye-websocket client drivers',
  expected: [
    ['bun', 'bun'],
    ['deno', 'deno'],
    ['websocket', 'websocket'],
    ['faye-websocket', 'faye-websocket'],
  ],
  usage: (entry) => DRIVER_USAGE[entry.name]!,
  requireAll,
  adapt: withPackage,
});
