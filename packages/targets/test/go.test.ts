/**
 * The Go family (external/go): what its echo servers and client drivers must get right beyond the generic
 * per-target tests of external.test.ts. Servers: the version is the Debian package's, gorilla+deflate and
 * nhooyr negotiate permessage-deflate and compress while plain gorilla declines, nhooyr's declared
 * maxMessageSize is the limit it enforces, neither echo adds the UTF-8 check the libraries leave out, and bad
 * usage is one line with exit 2. Clients: each driver, built as the targets file says, plays a plan's phases
 * concurrently and a count's cases one after the other against a stub fuzzingserver, echoing every message
 * with its type.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  createCommandClient,
  defaultCacheDir,
  loadCommandTargets,
  type CommandTarget,
  type DriveResult,
  type RunningCommandTarget,
} from '../src/index.js';
import { groupIsGone } from '../testing/index.js';
import { closed, nextMessage, startedTarget } from './helpers.js';

const GO_DIR = fileURLToPath(new URL('../external/go/', import.meta.url));
const GO_TARGETS_FILE = join(GO_DIR, 'targets.json');
/** The Debian package each implementation's version must come from. */
const DEBIAN_PACKAGE: Record<string, string> = {
  gorilla: 'golang-github-gorilla-websocket-dev',
  nhooyr: 'golang-nhooyr-websocket-dev',
};
// .ci/run installs golang-go and both libraries, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);
/** Safety nets for a loaded machine (a cold Go build takes a while), never figures a test checks. */
const TEST_TIMEOUT_MS = 30_000;
const BUILD_TIMEOUT_MS = 240_000;
const DRIVE_TIMEOUT_MS = 45_000;

function upstreamVersion(debianPackage: string): string {
  const full = execFileSync('dpkg-query', ['--show', '--showformat=${Version}', debianPackage], { encoding: 'utf8' });
  return /^\d+(\.\d+)+/.exec(full)![0];
}

// ---- servers ----

const servers = loadCommandTargets(GO_TARGETS_FILE);

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

for (const target of servers) {
  const unavailable = target.unavailableReason();
  const skip = unavailable !== undefined && !requireAll;
  describe.skipIf(skip)(
    `go server "${target.name}"${skip ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: TEST_TIMEOUT_MS },
    () => describeServer(target),
  );
}

function describeServer(target: CommandTarget): void {
  const fixture = startedTarget<RunningCommandTarget>(() => target.start({ port: 0 }), BUILD_TIMEOUT_MS);
  const opened = new Set<WebSocket>();
  afterEach(() => {
    for (const ws of opened) ws.terminate();
    opened.clear();
  });

  test('its version is the upstream version of the Debian package', () => {
    expect(target.version).toBe(upstreamVersion(DEBIAN_PACKAGE[target.implementation]!));
  });

  const deflate = NEGOTIATES_DEFLATE[target.name]!;
  test(deflate ? 'negotiates permessage-deflate and compresses' : 'declines permessage-deflate', async () => {
    const ws = new WebSocket(fixture.running.url, { perMessageDeflate: { threshold: 0 } });
    opened.add(ws);
    await withTimeout(
      new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
      5000,
      'open with an offer',
    );
    expect(ws.extensions.startsWith('permessage-deflate')).toBe(deflate);
    const firstBytes: number[] = [];
    const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
    socket.prependListener('data', (chunk: Buffer) => firstBytes.push(chunk[0]!));
    // Long enough for nhooyr's default threshold (512 bytes), and compressible.
    const text = '{"compress":"me"}'.repeat(300);
    const reply = nextMessage(ws, 10_000);
    ws.send(text);
    const got = await reply;
    expect(got.isBinary).toBe(false);
    expect(got.data.toString()).toBe(text);
    expect(firstBytes[0]! & 0x40).toBe(deflate ? 0x40 : 0); // RSV1: the echo came back compressed
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
    const ws = new WebSocket(fixture.running.url, { perMessageDeflate: false, skipUTF8Validation: true });
    opened.add(ws);
    await withTimeout(
      new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
      5000,
      'open',
    );
    const invalid = Buffer.from([0x68, 0xc0, 0xaf]); // overlong encoding of '/'
    const reply = nextMessage(ws, 10_000);
    ws.send(invalid, { binary: false });
    const got = await reply;
    expect(got.isBinary).toBe(false);
    expect(got.data.equals(invalid)).toBe(true);
  });

  test('bad usage: one line on stderr and exit 2', () => {
    // The running server's own executable: the build the targets file made.
    const program = readlinkSync(`/proc/${fixture.running.pid}/exe`);
    const result = spawnSync(program, ['--port'], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(2);
    const usage = target.implementation === 'gorilla' ? ' [--deflate]' : '';
    expect(result.stderr).toBe(`usage: ${target.implementation}-echo --host HOST --port PORT${usage}\n`);
  });
}

// ---- client drivers ----

interface ClientEntry {
  name: string;
  implementation: string;
  requires: Array<{ run: string[]; missing: string }>;
  build: { run: string[] };
  command: string[];
  plan?: boolean;
}

const clientEntries = (JSON.parse(readFileSync(GO_TARGETS_FILE, 'utf8')) as { clients: ClientEntry[] }).clients;

test('the targets file names the gorilla and nhooyr client drivers, both with --plan', () => {
  expect(clientEntries.map((c) => [c.name, c.implementation, c.plan])).toEqual([
    ['gorilla', 'gorilla', true],
    ['nhooyr', 'nhooyr', true],
  ]);
});

/** The first requirement that fails, as its one-line reason; undefined when all pass. */
function missingRequirement(entry: ClientEntry): string | undefined {
  for (const { run, missing } of entry.requires) {
    if (spawnSync(run[0]!, run.slice(1), { stdio: 'ignore' }).status !== 0) return missing;
  }
  return undefined;
}

/** Builds the driver with the entry's own build command, next to the real builds (sharing Go's cache). */
async function buildDriver(entry: ClientEntry): Promise<string> {
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const output = join(defaultCacheDir(), `go-test-${entry.name}-client-${unique}`);
  const dir = GO_DIR.replace(/\/$/, '');
  const run = entry.build.run.map((a) => a.replaceAll('{dir}', dir).replaceAll('{output}', output));
  await promisify(execFile)(run[0]!, run.slice(1), { cwd: GO_DIR, timeout: BUILD_TIMEOUT_MS });
  return output;
}

interface Message {
  data: Buffer;
  isBinary: boolean;
}

/** The stub fuzzingserver's plan: cases 3 and 1 together, then case 2 alone. */
const PLAN = {
  phases: [
    { cases: [3, 1], concurrency: 2 },
    { cases: [2], concurrency: 1 },
  ],
};
const CASE_COUNT = 3;
/** How long the stub waits between a case's last echo and its close. */
const CLOSE_PAUSE_MS = 50;

/** Per case a multi-byte UTF-8 text and a binary message that is not UTF-8, so a swapped type shows. */
function caseMessages(n: number): Message[] {
  return [
    { data: Buffer.from(`case ${n}: grüße ✓ 🦫`, 'utf8'), isBinary: false },
    { data: Buffer.from([0xc0, 0xff, n, 0x00, 0x80]), isBinary: true },
  ];
}

interface StubFuzzingServer {
  baseUrl: string;
  /** Path and query of every request, in arrival order. */
  requests: string[];
  /** Case numbers open at once, each time a case connected while others were open. */
  overlaps: number[][];
  echoed: Map<number, Message[]>;
  reports: string[];
  close(): Promise<void>;
}

/**
 * Answers Autobahn's endpoints as the fuzzingserver does (with `plan`, wsmatrix's /getCasePlan too). A case is
 * closed a little after both echoes are back and, with `plan`, every case of its phase has connected: a
 * driver that played a phase one case at a time would never finish it.
 */
async function startStub(plan: boolean): Promise<StubFuzzingServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const stub: StubFuzzingServer = {
    baseUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    requests: [],
    overlaps: [],
    echoed: new Map(),
    reports: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
  const open = new Set<number>();
  const readyToClose = new Map<number, () => void>();
  const phaseOf = (n: number): number[] => (plan ? PLAN.phases.find((p) => p.cases.includes(n))!.cases : [n]);

  wss.on('connection', (ws, req) => {
    const url = new URL(req.url ?? '/', 'ws://stub');
    stub.requests.push(`${url.pathname}${url.search}`);
    ws.on('error', () => {});
    if (url.pathname === '/getCaseCount' || (plan && url.pathname === '/getCasePlan')) {
      ws.send(url.pathname === '/getCasePlan' ? JSON.stringify(PLAN) : String(CASE_COUNT));
      ws.close(1000);
    } else if (url.pathname === '/runCase') {
      const n = Number(url.searchParams.get('case'));
      if (open.size > 0) stub.overlaps.push([...open, n].sort());
      open.add(n);
      const sent = caseMessages(n);
      const echoed: Message[] = [];
      stub.echoed.set(n, echoed);
      const closeIfDone = (): void => {
        if (echoed.length < sent.length || !phaseOf(n).every((m) => stub.echoed.has(m))) return;
        readyToClose.delete(n);
        // The case has ended for the driver once the close is on its way; the pause leaves a window in
        // which a driver that does not wait for it would already have opened its next case.
        setTimeout(() => {
          open.delete(n);
          ws.close(1000);
        }, CLOSE_PAUSE_MS);
      };
      readyToClose.set(n, closeIfDone);
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        echoed.push({ data, isBinary });
        closeIfDone();
      });
      ws.on('close', () => open.delete(n));
      for (const m of sent) ws.send(m.data, { binary: m.isBinary });
      for (const m of phaseOf(n)) readyToClose.get(m)?.();
    } else if (url.pathname === '/updateReports') {
      stub.reports.push(url.searchParams.get('agent') ?? '');
      ws.close(1000);
    } else {
      ws.close(1008, 'unknown path');
    }
  });
  return stub;
}

for (const entry of clientEntries) {
  const unavailable = missingRequirement(entry);
  const skip = unavailable !== undefined && !requireAll;
  describe.skipIf(skip)(
    `go client "${entry.name}" driver${skip ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: DRIVE_TIMEOUT_MS + 15_000 },
    () => {
      let program = '';
      const stubs: StubFuzzingServer[] = [];
      beforeAll(async () => {
        program = await buildDriver(entry);
      }, BUILD_TIMEOUT_MS);
      afterAll(() => rmSync(program, { force: true }));
      afterEach(async () => {
        await Promise.all(stubs.splice(0).map((s) => s.close()));
      });

      async function drive(plan: boolean, agent: string, stub?: StubFuzzingServer): Promise<[DriveResult, string[]]> {
        const command = entry.command.map((a) => a.replace('{build}', program));
        const client = createCommandClient({ name: entry.name, command: plan ? [...command, '--plan'] : command });
        const lines: string[] = [];
        const baseUrl = stub ? `${stub.baseUrl}/` : 'ws://127.0.0.1:9';
        const run = client.drive({ baseUrl, agent, onLine: (line) => lines.push(line) });
        return [await withTimeout(run, DRIVE_TIMEOUT_MS, `the ${entry.name} driver`), lines];
      }

      function expectEchoes(stub: StubFuzzingServer): void {
        for (let n = 1; n <= CASE_COUNT; n++) {
          const echoed = stub.echoed.get(n)!;
          expect(
            echoed.map((m) => [m.isBinary, m.data.toString('hex')]),
            `case ${n}`,
          ).toEqual(caseMessages(n).map((m) => [m.isBinary, m.data.toString('hex')]));
        }
      }

      test('--plan: asks for the plan, plays a phase at once and the phases in turn, echoes, reports', async () => {
        const stub = await startStub(true);
        stubs.push(stub);
        const agent = 'go agent/1';
        const [result, lines] = await drive(true, agent, stub);
        expect(result.exitCode, result.stderrTail).toBe(0);
        const q = encodeURIComponent(agent);
        expect(stub.requests[0]).toBe('/getCasePlan');
        expect(stub.requests.slice(1, 3).sort()).toEqual([`/runCase?case=1&agent=${q}`, `/runCase?case=3&agent=${q}`]);
        expect(stub.requests.slice(3)).toEqual([`/runCase?case=2&agent=${q}`, `/updateReports?agent=${q}`]);
        expect(stub.overlaps).toEqual([[1, 3]]);
        expect(stub.reports).toEqual([agent]);
        expectEchoes(stub);
        expect(lines.filter((l) => l.startsWith('Running test case')).sort()).toEqual(
          [1, 2, 3].map((n) => `Running test case ${n}/${CASE_COUNT}`),
        );
        expect(groupIsGone(result.pid)).toBe(true);
      });

      test('without --plan: asks for the count and plays each case after the last one closed', async () => {
        const stub = await startStub(false);
        stubs.push(stub);
        const [result, lines] = await drive(false, 'sequential', stub);
        expect(result.exitCode, result.stderrTail).toBe(0);
        expect(stub.requests).toEqual([
          '/getCaseCount',
          ...[1, 2, 3].map((n) => `/runCase?case=${n}&agent=sequential`),
          '/updateReports?agent=sequential',
        ]);
        expect(stub.overlaps).toEqual([]);
        expectEchoes(stub);
        expect(lines).toContain(`Running test case ${CASE_COUNT}/${CASE_COUNT}`);
      });

      test('--plan against a fuzzingserver without /getCasePlan: exit 1 and one line saying so', async () => {
        const stub = await startStub(false);
        stubs.push(stub);
        const [result, lines] = await drive(true, 'old', stub);
        expect(stub.requests).toEqual(['/getCasePlan']);
        expect(result.exitCode).toBe(1);
        expect(result.stderrTail.trim()).toBe(`no case plan from ${stub.baseUrl}/getCasePlan`);
        expect(lines.at(-1)).toBe(`no case plan from ${stub.baseUrl}/getCasePlan`);
      });

      test('bad usage: one line on stderr and exit 2', () => {
        const result = spawnSync(program, ['ws://127.0.0.1:9'], { encoding: 'utf8', timeout: 10_000 });
        expect(result.status).toBe(2);
        expect(result.stderr).toBe(`usage: ${entry.name}-client BASE_URL AGENT [--plan]\n`);
      });
    },
  );
}
