/**
 * Shared by the tests of the families of external targets (external/go, java, js, native, perl, python, ruby):
 * a describe block per server of a targets file, the server tests that more than one family needs
 * (permessage-deflate negotiated or declined, the declared maxMessageSize enforced, invalid UTF-8 echoed as text,
 * the status of a request that is not an upgrade, a one-line usage error), a stub fuzzingserver and the tests
 * every client driver must pass against it (read from the family's targets.json "clients" entries, built with
 * their own build step when they have one).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createCommandClient, loadCommandTargets, type CommandTarget, type DriveResult } from '../src/index.js';
import { buildOnce } from '../src/external/build.js';
import type { BuildSpec } from '../src/external/definition.js';
import { expandArgv } from '../src/external/placeholders.js';
import { groupIsGone } from '../testing/index.js';
import { closed, handshake, nextMessage, rawRequest } from './helpers.js';

/** A family's folder (external/<name>), its targets file and the servers that file defines. */
export function familyTargets(name: string): { dir: string; targetsFile: string; servers: CommandTarget[] } {
  const dir = fileURLToPath(new URL(`../external/${name}`, import.meta.url));
  const targetsFile = join(dir, 'targets.json');
  return { dir, targetsFile, servers: loadCommandTargets(targetsFile) };
}

/** The upstream part of an installed Debian package's version (e.g. 9.31 of 9.31+dfsg-1). */
export function upstreamVersion(debianPackage: string): string {
  const full = execFileSync('dpkg-query', ['--show', '--showformat=${Version}', debianPackage], { encoding: 'utf8' });
  return /^\d+(\.\d+)+/.exec(full)![0];
}

/** The first requirement whose command fails, as its one-line reason; undefined when all pass. */
function missingRequirement(requires: ReadonlyArray<{ run: string[]; missing: string }>): string | undefined {
  for (const { run, missing } of requires) {
    if (spawnSync(run[0]!, run.slice(1), { stdio: 'ignore' }).status !== 0) return missing;
  }
  return undefined;
}

/**
 * A describe block per server of a family (titled `<family> server "<name>"`), skipped with the reason when the
 * server is unavailable, except under CI (`requireAll`).
 */
export function describeServers(
  family: string,
  servers: readonly CommandTarget[],
  options: { timeoutMs: number; requireAll: boolean },
  describeServer: (target: CommandTarget) => void,
): void {
  for (const target of servers) {
    const unavailable = target.unavailableReason();
    const skip = unavailable !== undefined && !options.requireAll;
    describe.skipIf(skip)(
      `${family} server "${target.name}"${skip ? ` (skipped: ${unavailable})` : ''}`,
      { timeout: options.timeoutMs },
      () => describeServer(target),
    );
  }
}

/** Opens a client without a limit on what it receives; `options` add to or override that. */
async function open(url: string, options: WebSocket.ClientOptions): Promise<WebSocket> {
  const ws = new WebSocket(url, { maxPayload: 0, ...options });
  await withTimeout(
    new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
    10_000,
    `open ${url}`,
  );
  return ws;
}

/** Opens a client that offers no extension and does not check UTF-8 itself, so it passes on what a server sent. */
export function openUncheckedClient(url: string): Promise<WebSocket> {
  return open(url, { perMessageDeflate: false, skipUTF8Validation: true });
}

/**
 * Offered permessage-deflate, the server accepts it and compresses its echo (RSV1 on the reply), or declines
 * it and replies uncompressed; either way the echo is the message, as text.
 */
export async function expectDeflate(url: string, negotiates: boolean): Promise<void> {
  // Compressing even the smallest message.
  const ws = await open(url, { perMessageDeflate: { threshold: 0 } });
  try {
    expect(ws.extensions.startsWith('permessage-deflate')).toBe(negotiates);
    const firstBytes: number[] = [];
    const socket = (ws as unknown as { _socket: NodeJS.ReadableStream })._socket;
    socket.prependListener('data', (chunk: Buffer) => firstBytes.push(chunk[0]!));
    const text = '{"compress":"me"}'.repeat(300);
    const reply = nextMessage(ws, 15_000);
    ws.send(text);
    const got = await reply;
    expect(got.isBinary).toBe(false);
    expect(got.data.toString()).toBe(text);
    expect(firstBytes[0]! & 0x40).toBe(negotiates ? 0x40 : 0);
  } finally {
    ws.terminate();
  }
}

/**
 * A binary message of exactly `limit` bytes comes back; one byte more and the server closes with 1009. The
 * message over the limit is sent as `limit` bytes and then a last fragment of one, so the server has read all
 * of it when it closes: a server that closes with data still unread makes TCP reset the connection, and the
 * client may lose the close frame (1006).
 */
export async function expectMessageLimit(url: string, limit: number): Promise<void> {
  const fits = await open(url, { perMessageDeflate: false });
  const tooBig = await open(url, { perMessageDeflate: false });
  try {
    const payload = Buffer.alloc(limit, 0xa5);
    payload.writeUInt32BE(limit, 0);
    const reply = nextMessage(fits, 30_000);
    fits.send(payload, { binary: true });
    const got = await reply;
    expect(got.isBinary).toBe(true);
    expect(got.data.equals(payload)).toBe(true);

    const done = closed(tooBig, 30_000);
    tooBig.send(Buffer.alloc(limit, 0x5a), { binary: true, fin: false });
    tooBig.send(Buffer.alloc(1, 0x5a), { binary: true, fin: true });
    expect((await done).code).toBe(1009);
  } finally {
    fits.terminate();
    tooBig.terminate();
  }
}

/** A text message that is not UTF-8 comes back as text, byte for byte: the server checks no UTF-8. */
export async function expectInvalidUtf8Echoed(url: string): Promise<void> {
  const ws = await openUncheckedClient(url);
  try {
    const invalid = Buffer.from([0x68, 0xc0, 0xaf]); // overlong encoding of '/'
    const reply = nextMessage(ws, 10_000);
    ws.send(invalid, { binary: false });
    const got = await reply;
    expect(got.isBinary).toBe(false);
    expect(got.data.equals(invalid)).toBe(true);
  } finally {
    ws.terminate();
  }
}

/** A GET without the Upgrade and Connection headers is answered with `status`. */
export async function expectNonUpgradeStatus(port: number, status: number): Promise<void> {
  const answer = await rawRequest(port, '127.0.0.1', handshake(port, { upgrade: false }), 10_000);
  expect(answer.kind === 'status' && answer.status).toBe(status);
}

/** Runs argv (a server started with bad arguments): it must exit 2 after one line on stderr. */
export function expectUsageError(argv: readonly string[], line: string): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(`${line}\n`);
}

/** A "clients" entry of a family's targets.json, as far as these tests read it. */
export interface ClientEntry {
  name: string;
  implementation: string;
  requires: Array<{ run: string[]; missing: string }>;
  version: { run: string[]; match?: string };
  build?: BuildSpec;
  command: string[];
  plan?: boolean;
}

function clientEntries(targetsFile: string): ClientEntry[] {
  return (JSON.parse(readFileSync(targetsFile, 'utf8')) as { clients: ClientEntry[] }).clients;
}

export interface Message {
  data: Buffer;
  isBinary: boolean;
}

/** The stub's plan: cases 3 and 1 together, then case 2 alone (not in number order). */
const PLAN = {
  phases: [
    { cases: [3, 1], concurrency: 2 },
    { cases: [2], concurrency: 1 },
  ],
};
const CASE_COUNT = 3;
/** How long the stub waits between a case's last echo and its close. */
const CLOSE_PAUSE_MS = 50;
/** Safety nets for a loaded machine (a JVM starts slowly, Go and Beast build slowly), never figures a test checks. */
export const DRIVE_TIMEOUT_MS = 60_000;
export const BUILD_TIMEOUT_MS = 240_000;

/** Per case a multi-byte UTF-8 text and a binary message that is not UTF-8, so a swapped type shows. */
function caseMessages(n: number): Message[] {
  return [
    { data: Buffer.from(`case ${n}: Grüße ✓ 🐪`, 'utf8'), isBinary: false },
    { data: Buffer.from([0xc0, 0xff, n, 0x00, 0x80, 0xfe]), isBinary: true },
  ];
}

interface StubFuzzingServer {
  baseUrl: string;
  /** Path and query of every request, in arrival order. */
  requests: string[];
  /** The cases open at once, each time a case connected while others were open. */
  overlaps: number[][];
  echoed: Map<number, Message[]>;
  reports: string[];
  close(): Promise<void>;
}

/** A ws server listening on a free port of 127.0.0.1; `close` drops its connections first. */
export async function listeningServer(): Promise<{ wss: WebSocketServer; baseUrl: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return {
    wss,
    baseUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

/**
 * Answers Autobahn's endpoints as the fuzzingserver does (with `plan`, wsmatrix's /getCasePlan too; without it
 * that path is unknown, as on Autobahn's). A case is closed a little after both echoes are back and, with
 * `plan`, once every case of its phase has connected: a driver that played a phase one case at a time would
 * never finish it.
 */
async function startStub(plan: boolean): Promise<StubFuzzingServer> {
  const { wss, baseUrl, close } = await listeningServer();
  const stub: StubFuzzingServer = { baseUrl, requests: [], overlaps: [], echoed: new Map(), reports: [], close };
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
        // The pause leaves a window in which a driver that does not wait for the close opens its next case.
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

/**
 * A client driver's command line, built first when its entry has a build step; {url} and {agent} stay for
 * createCommandClient to fill in.
 */
export async function driverCommand(entry: ClientEntry, targetsFile: string): Promise<string[]> {
  const dir = dirname(targetsFile);
  const build = entry.build ? await buildOnce(entry.build, dir) : undefined;
  return expandArgv(entry.command, { dir, ...(build ? { build } : {}), url: '{url}', agent: '{agent}' });
}

/** What describeClientDriver needs besides the entry. */
interface ClientDriverOptions {
  /** The one line a bad usage prints. */
  usage: string;
  requireAll: boolean;
  /** Put before the describe block's title (`go client "gorilla" driver`); none by default. */
  family?: string;
}

/**
 * A describe block (titled `client "<name>" driver`, with the family first when given) skipped with the reason
 * when a requirement of the entry is missing, except under CI (`requireAll`).
 */
export function describeDriverBlock(
  entry: ClientEntry,
  options: { requireAll: boolean; family?: string; aspect?: string },
  body: () => void,
): void {
  const unavailable = missingRequirement(entry.requires);
  const skip = unavailable !== undefined && !options.requireAll;
  const title = `${options.family ? `${options.family} ` : ''}client "${entry.name}" driver${options.aspect ?? ''}`;
  describe.skipIf(skip)(
    `${title}${skip ? ` (skipped: ${unavailable})` : ''}`,
    { timeout: DRIVE_TIMEOUT_MS + 15_000 },
    body,
  );
}

/**
 * The tests of one client driver: --plan plays each phase at once and the phases in turn, a count's cases one
 * after the other, echoes keep bytes and type, a fuzzingserver without /getCasePlan gets one line and exit 1,
 * bad usage one line and exit 2. `usage` is that line.
 */
function describeClientDriver(entry: ClientEntry, targetsFile: string, options: ClientDriverOptions): void {
  describeDriverBlock(entry, options, () => {
    let command: string[] = [];
    const stubs: StubFuzzingServer[] = [];
    beforeAll(async () => {
      command = await driverCommand(entry, targetsFile);
    }, BUILD_TIMEOUT_MS);
    afterEach(async () => {
      await Promise.all(stubs.splice(0).map((s) => s.close()));
    });

    async function stubServer(plan: boolean): Promise<StubFuzzingServer> {
      const stub = await startStub(plan);
      stubs.push(stub);
      return stub;
    }

    async function drive(plan: boolean, agent: string, stub: StubFuzzingServer): Promise<[DriveResult, string[]]> {
      const client = createCommandClient({ name: entry.name, command: plan ? [...command, '--plan'] : command });
      const lines: string[] = [];
      const run = client.drive({ baseUrl: `${stub.baseUrl}/`, agent, onLine: (line) => lines.push(line) });
      return [await withTimeout(run, DRIVE_TIMEOUT_MS, `the ${entry.name} driver`), lines];
    }

    function expectEchoes(stub: StubFuzzingServer): void {
      for (let n = 1; n <= CASE_COUNT; n++) {
        expect(
          stub.echoed.get(n)?.map((m) => [m.isBinary, m.data.toString('hex')]),
          `case ${n}: each message back with its type and bytes`,
        ).toEqual(caseMessages(n).map((m) => [m.isBinary, m.data.toString('hex')]));
      }
    }

    test('the targets file says it takes --plan', () => {
      expect(entry.plan).toBe(true);
    });

    test('--plan: asks for the plan, plays a phase at once and the phases in turn, echoes, reports', async () => {
      const stub = await stubServer(true);
      const agent = `${entry.name} agent/1`;
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
      const stub = await stubServer(false);
      const [result, lines] = await drive(false, 'sequential', stub);
      expect(result.exitCode, result.stderrTail).toBe(0);
      expect(stub.requests).toEqual([
        '/getCaseCount',
        ...[1, 2, 3].map((n) => `/runCase?case=${n}&agent=sequential`),
        '/updateReports?agent=sequential',
      ]);
      expect(stub.overlaps).toEqual([]);
      expectEchoes(stub);
      expect(lines.filter((l) => l.startsWith('Running test case'))).toEqual(
        [1, 2, 3].map((n) => `Running test case ${n}/${CASE_COUNT}`),
      );
    });

    test('--plan against a fuzzingserver without /getCasePlan: exit 1 and one line saying so', async () => {
      const stub = await stubServer(false);
      const [result, lines] = await drive(true, 'old', stub);
      expect(stub.requests).toEqual(['/getCasePlan']);
      expect(result.exitCode).toBe(1);
      expect(result.stderrTail).toBe(`no case plan from ${stub.baseUrl}/getCasePlan\n`);
      expect(lines.at(-1)).toBe(`no case plan from ${stub.baseUrl}/getCasePlan`);
    });

    test('bad usage: one line on stderr and exit 2', () => {
      const withoutAgent = command.filter((a) => a !== '{url}' && a !== '{agent}');
      expectUsageError([...withoutAgent, 'ws://127.0.0.1:9'], options.usage);
    });
  });
}

/**
 * A family's client drivers: a test (titled `title`) that its targets file names exactly `expected`, each
 * [name, implementation] taking --plan, then describeClientDriver for each entry (`adapt` may fill in what the
 * family's own placeholders stand for). Returns the entries.
 */
export function describeClientDrivers(
  targetsFile: string,
  options: {
    title: string;
    expected: ReadonlyArray<[string, string]>;
    usage: (entry: ClientEntry) => string;
    requireAll: boolean;
    family?: string;
    adapt?: (entry: ClientEntry) => ClientEntry;
  },
): ClientEntry[] {
  const entries = clientEntries(targetsFile);
  test(options.title, () => {
    expect(entries.map((c) => [c.name, c.implementation, c.plan])).toEqual(
      options.expected.map(([name, implementation]) => [name, implementation, true]),
    );
  });
  for (const entry of entries) {
    const { usage, requireAll, family } = options;
    describeClientDriver(options.adapt?.(entry) ?? entry, targetsFile, {
      usage: usage(entry),
      requireAll,
      ...(family ? { family } : {}),
    });
  }
  return entries;
}
