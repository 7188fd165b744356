/**
 * Client targets against a fake fuzzingserver: a ws server answering Autobahn's endpoints the way the
 * fuzzingserver does (the count, or wsmatrix's case plan, as one text message; per case messages the client
 * must echo; the reports request), recording what each driver asked for and what came back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  clientTargetNames,
  createCommandClient,
  findPackage,
  getClientTarget,
  loadShippedClients,
  InvalidClientCommandError,
  parseClientCommand,
  TargetUnavailableError,
  UnknownTargetError,
  type ClientTarget,
  type DriveResult,
} from '../src/index.js';
import { splitCommandLine } from '../src/clients/command-client.js';
import { DRIVERS_DIR } from '../src/clients/drivers-dir.js';
import { belowMinimum } from '../src/clients/embedded.js';
import { createPythonWebsocketsClient, DEBIAN_PYTHON } from '../src/clients/python.js';
import { groupIsGone, isAlive } from '../testing/index.js';

/** Safety net per drive (a driver process on a loaded machine), never a figure a test checks. */
const DRIVE_TIMEOUT_MS = 45_000;
const CASE_COUNT = 3;
/** What the fake /getCasePlan answers: cases 1 and 3 together, then case 2 alone (not in number order). */
const PLAN = {
  phases: [
    { cases: [3, 1], concurrency: 2 },
    { cases: [2], concurrency: 1 },
  ],
};
const nodeMajor = Number(process.versions.node.split('.')[0]);
// .ci/run installs python3-websockets, so under CI a missing one fails instead of skipping.
const requireAll = Boolean(process.env.CI);

interface Message {
  data: Buffer;
  isBinary: boolean;
}

/** A connection that opened while cases were still running (before the server began closing them). */
interface Overlap {
  request: string;
  running: number[];
}

interface FakeFuzzingServer {
  baseUrl: string;
  /** Path and query of every WebSocket request, in arrival order. */
  requests: string[];
  /** Per case number: what the server sent and what came back. */
  cases: Map<number, { sent: Message[]; echoed: Message[] }>;
  /** Agents /updateReports was asked for. */
  reports: string[];
  overlaps: Overlap[];
  /** Resolves on the first request for `path`. */
  seen(path: string): Promise<void>;
  close(): Promise<void>;
}

interface FakeOptions {
  /** /getCasePlan is accepted and never answered (a driver waiting for it hangs). */
  hangOnCount?: boolean;
  /** Answer /getCasePlan with PLAN; without it the path is unknown, as on Autobahn's fuzzingserver. */
  plan?: boolean;
}

/** Per case: a text message (multi-byte UTF-8) and a binary one that is not UTF-8, so a type swap shows. */
function caseMessages(n: number): Message[] {
  return [
    { data: Buffer.from(`case ${n}: ünïcödé ✓ 🧪`, 'utf8'), isBinary: false },
    { data: Buffer.from([0xff, 0xfe, 0x00, n, 0x80, 0xc3]), isBinary: true },
  ];
}

/**
 * A case is closed by the server a little after both echoes came back, leaving a window in which a driver
 * that does not wait for the close would already open the next case. With `plan`, a case is closed only
 * once every case of its phase has connected: a driver that plays a phase one case at a time never ends.
 */
async function startFakeFuzzingServer({ hangOnCount = false, plan = false }: FakeOptions): Promise<FakeFuzzingServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const requests: string[] = [];
  const cases = new Map<number, { sent: Message[]; echoed: Message[] }>();
  const reports: string[] = [];
  const overlaps: Overlap[] = [];
  const running = new Set<number>();
  const waiters = new Map<string, () => void>();
  const seen = new Set<string>();
  const phaseOf = (n: number) => (plan ? PLAN.phases.find((p) => p.cases.includes(n))!.cases : [n]);
  const phaseConnected = (n: number) => phaseOf(n).every((m) => cases.has(m));
  const closeWhenDone = new Map<number, () => void>();

  wss.on('connection', (ws: WebSocket, req) => {
    const url = new URL(req.url ?? '/', 'ws://fake');
    const path = `${url.pathname}${url.search}`;
    requests.push(path);
    if (running.size > 0) overlaps.push({ request: path, running: [...running] });
    seen.add(url.pathname);
    waiters.get(url.pathname)?.();
    ws.on('error', () => {});

    if (url.pathname === '/getCaseCount' || (plan && url.pathname === '/getCasePlan')) {
      if (hangOnCount) return;
      ws.send(url.pathname === '/getCasePlan' ? JSON.stringify(PLAN) : String(CASE_COUNT));
      ws.close(1000);
    } else if (url.pathname === '/runCase') {
      const n = Number(url.searchParams.get('case'));
      const record = { sent: caseMessages(n), echoed: [] as Message[] };
      cases.set(n, record);
      running.add(n);
      let echoed = false;
      const closeIfReady = () => {
        if (!echoed || !phaseConnected(n)) return;
        closeWhenDone.delete(n);
        setTimeout(() => {
          running.delete(n);
          ws.close(1000);
        }, 50);
      };
      closeWhenDone.set(n, closeIfReady);
      for (const m of phaseOf(n)) closeWhenDone.get(m)?.();
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        record.echoed.push({ data, isBinary });
        echoed = record.echoed.length === record.sent.length;
        closeIfReady();
      });
      ws.on('close', () => running.delete(n));
      for (const m of record.sent) ws.send(m.data, { binary: m.isBinary });
    } else if (url.pathname === '/updateReports') {
      reports.push(url.searchParams.get('agent') ?? '');
      ws.close(1000);
    } else {
      ws.close(1008, 'unknown path');
    }
  });

  return {
    baseUrl: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    requests,
    cases,
    reports,
    overlaps,
    seen: (path) => (seen.has(path) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(path, resolve))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

const servers: FakeFuzzingServer[] = [];
async function fakeServer(options: FakeOptions = {}): Promise<FakeFuzzingServer> {
  const server = await startFakeFuzzingServer(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface Driven {
  result: DriveResult;
  lines: string[];
}

async function drive(target: ClientTarget, baseUrl: string, agent: string, signal?: AbortSignal): Promise<Driven> {
  const lines: string[] = [];
  const run = target.drive({ baseUrl, agent, onLine: (line) => lines.push(line), ...(signal ? { signal } : {}) });
  return { result: await withTimeout(run, DRIVE_TIMEOUT_MS, `${target.name}'s driver`), lines };
}

/**
 * The whole fuzzingserver sequence, the echoes and the exit, as every driver must produce them. `planned`:
 * the driver asks /getCasePlan and plays PLAN's phases (both cases of the first at once, the second after
 * them); else /getCaseCount and each case after the last one closed.
 */
async function expectFullRun(target: ClientTarget, agent: string, planned: boolean): Promise<void> {
  const server = await fakeServer({ plan: planned });
  const { result, lines } = await drive(target, `${server.baseUrl}/`, agent);
  const shown = `stderr: ${result.stderrTail}`;
  expect(result.exitCode, shown).toBe(0);
  expect(result.signal).toBeNull();
  expect(result.aborted).toBe(false);
  const query = encodeURIComponent(agent);
  const runCase = (n: number) => `/runCase?case=${n}&agent=${query}`;
  const reports = `/updateReports?agent=${query}`;
  if (planned) {
    // The two cases of a phase connect in either order.
    const [first, second] = PLAN.phases;
    expect(server.requests[0]).toBe('/getCasePlan');
    expect(server.requests.slice(1, 3).sort()).toEqual(first!.cases.map(runCase).sort());
    expect(server.requests.slice(3)).toEqual([...second!.cases.map(runCase), reports]);
    // One case of the first phase opened while the other ran; nothing else overlapped.
    expect(server.overlaps).toHaveLength(1);
    const [overlap] = server.overlaps;
    expect([...overlap!.running, Number(new URL(overlap!.request, 'ws://x').searchParams.get('case'))].sort()).toEqual(
      [...first!.cases].sort(),
    );
  } else {
    expect(server.requests).toEqual([
      '/getCaseCount',
      ...Array.from({ length: CASE_COUNT }, (_, i) => runCase(i + 1)),
      reports,
    ]);
    expect(server.overlaps).toEqual([]);
  }
  expect(server.reports).toEqual([agent]);
  for (let n = 1; n <= CASE_COUNT; n++) {
    const record = server.cases.get(n)!;
    expect(
      record.echoed.map((m) => m.isBinary),
      `case ${n} echo types`,
    ).toEqual(record.sent.map((m) => m.isBinary));
    expect(
      record.echoed.map((m) => m.data.toString('hex')),
      `case ${n} echo bytes`,
    ).toEqual(record.sent.map((m) => m.data.toString('hex')));
  }
  expect(lines).toContain(`Running test case ${planned ? PLAN.phases.at(-1)!.cases.at(-1) : CASE_COUNT}/${CASE_COUNT}`);
  expect(groupIsGone(result.pid)).toBe(true);
}

describe('client registry', () => {
  test('names the embedded and shipped clients in report order', () => {
    const shipped = loadShippedClients().map((c) => c.name);
    expect(shipped).toContain('gorilla');
    expect(clientTargetNames).toEqual(['ws', 'ws7', 'undici', 'node', 'python-websockets', ...shipped]);
    for (const name of clientTargetNames) expect(getClientTarget(name).name).toBe(name);
  });

  test('an unknown name lists the client names', () => {
    expect(() => getClientTarget('wss')).toThrow(UnknownTargetError);
    expect(() => getClientTarget('wss')).toThrow(/ws, ws7, undici, node, python-websockets/);
  });

  test('versions come from the packages as installed', () => {
    const own = (dir: string): string =>
      (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    expect(getClientTarget('ws').version).toBe(own(findPackage('ws').dir));
    expect(getClientTarget('ws7').version).toBe(own(findPackage('ws7').dir));
    expect(getClientTarget('ws7').version).toMatch(/^7\./);
    expect(getClientTarget('undici').version).toBe(own(findPackage('undici').dir));
    expect(getClientTarget('node').version).toBe(process.versions.node);
  });
});

describe('availability on this Node', () => {
  test('node: the global WebSocket from Node 22 on; on Node 20 the column says why not', async () => {
    const reason = await getClientTarget('node').unavailable();
    if (nodeMajor >= 22) expect(reason).toBeNull();
    else expect(reason).toBe(`unavailable on Node ${nodeMajor} (no global WebSocket without --experimental-websocket)`);
  });

  test('undici: runs where its engines allow; elsewhere the column quotes them', async () => {
    const reason = await getClientTarget('undici').unavailable();
    const engines = (
      JSON.parse(readFileSync(join(findPackage('undici').dir, 'package.json'), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;
    if (nodeMajor >= 22) expect(reason).toBeNull();
    else {
      const version = getClientTarget('undici').version;
      expect(reason).toBe(`unavailable on Node ${nodeMajor} (undici ${version} requires Node ${engines})`);
    }
  });

  test('an unavailable client refuses to drive, with its reason', async () => {
    const python = createPythonWebsocketsClient('/nonexistent/python3');
    expect(await python.unavailable()).toBe('python3 not installed (/nonexistent/python3 missing)');
    expect(python.version).toBe('unavailable');
    const run = python.drive({ baseUrl: 'ws://127.0.0.1:9', agent: 'a' });
    await expect(run).rejects.toThrow(TargetUnavailableError);
    await expect(run).rejects.toThrow(/python3 not installed/);
  });

  test('belowMinimum judges >=X.Y.Z ranges only', () => {
    expect(belowMinimum('>=22.19.0', '20.20.2')).toBe(true);
    expect(belowMinimum('>=22.19.0', '22.18.9')).toBe(true);
    expect(belowMinimum('>=22.19.0', '22.19.0')).toBe(false);
    expect(belowMinimum('>=22.19.0', '24.0.0')).toBe(false);
    expect(belowMinimum('^20.19.0 || >=22', '18.0.0')).toBe(false);
  });
});

/** Each shipped client's driver as its project's script runs it (no --plan): the command after the script. */
const SEQUENTIAL_DRIVERS: Record<string, string[]> = {
  ws: [process.execPath, join(DRIVERS_DIR, 'ws-client.mjs'), '{url}', '{agent}'],
  ws7: [process.execPath, join(DRIVERS_DIR, 'ws-client.mjs'), '{url}', '{agent}', 'ws7'],
  undici: [process.execPath, join(DRIVERS_DIR, 'undici-client.mjs'), '{url}', '{agent}', 'undici'],
  node: [process.execPath, join(DRIVERS_DIR, 'undici-client.mjs'), '{url}', '{agent}', 'global'],
  'python-websockets': [DEBIAN_PYTHON, join(DRIVERS_DIR, 'python-websockets-client.py'), '{url}', '{agent}'],
};

// The drivers in clients/; the families' drivers (packages/targets/external/*/) are tested by their own files.
for (const name of Object.keys(SEQUENTIAL_DRIVERS)) {
  const target = getClientTarget(name);
  const reason = await target.unavailable();
  // The Node clients are unavailable on some Nodes by design (tested above); python only where not installed.
  const skip = reason !== null && (name !== 'python-websockets' || !requireAll);
  describe.skipIf(skip)(`client "${name}" driver${skip ? ` (skipped: ${reason})` : ''}`, () => {
    test('asks for the case plan, plays each phase at once, one after the other, echoes, reports', async () => {
      await expectFullRun(target, `agent-${name}`, true);
      expect(target.options.driver).toMatch(/ --plan$/);
      expect(target.options.schedule).toMatch(/^\/getCasePlan: /);
    });

    test('without --plan asks for the count and runs each case after the last closed', async () => {
      const command = SEQUENTIAL_DRIVERS[name]!;
      await expectFullRun(createCommandClient({ name: `${name}-sequential`, command }), `agent-${name}`, false);
    });
  });
}

describe('a driver in plan mode', () => {
  test('against a fuzzingserver without /getCasePlan, exits 1 with one line saying so', async () => {
    const server = await fakeServer();
    const { result, lines } = await drive(getClientTarget('ws'), server.baseUrl, 'old');
    expect(server.requests).toEqual(['/getCasePlan']);
    expect(result.exitCode).toBe(1);
    expect(lines.at(-1)).toBe(`no case plan from ${server.baseUrl}/getCasePlan`);
  });
});

describe('a driver that hangs', () => {
  test('is killed by abort, with nothing of it left', async () => {
    const server = await fakeServer({ hangOnCount: true, plan: true });
    const controller = new AbortController();
    void server.seen('/getCasePlan').then(() => controller.abort(new Error('test: stop the driver')));
    const { result } = await drive(getClientTarget('ws'), server.baseUrl, 'hang', controller.signal);
    expect(server.requests).toEqual(['/getCasePlan']);
    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(isAlive(result.pid)).toBe(false);
    expect(groupIsGone(result.pid)).toBe(true);
  });

  test('an already aborted signal starts nothing', async () => {
    const reason = new Error('test: aborted before');
    const run = getClientTarget('ws').drive({
      baseUrl: 'ws://127.0.0.1:9',
      agent: 'a',
      signal: AbortSignal.abort(reason),
    });
    await expect(run).rejects.toBe(reason);
  });
});

describe('clients started by command', () => {
  const wsDriver = join(DRIVERS_DIR, 'ws-client.mjs');

  test('get the base URL and agent through {url} and {agent}', async () => {
    const mine = createCommandClient({ name: 'mine', command: [process.execPath, wsDriver, '{url}', '{agent}'] });
    expect(await mine.unavailable()).toBeNull();
    expect(mine.version).toBe('unversioned');
    await expectFullRun(mine, 'my agent/1.0', false);
  });

  test('abort stops the whole group, background members too', async () => {
    const stop = new AbortController();
    const script = 'sleep 600 & echo "member $!"; wait';
    const hang = createCommandClient({ name: 'hang', command: ['sh', '-c', script, 'sh', '{url}', '{agent}'] });
    let member = 0;
    const run = hang.drive({
      baseUrl: 'ws://127.0.0.1:9',
      agent: 'a',
      signal: stop.signal,
      onLine(line) {
        const m = /^member (\d+)$/.exec(line);
        if (m) {
          member = Number(m[1]);
          stop.abort(new Error('test: stop'));
        }
      },
    });
    const result = await withTimeout(run, DRIVE_TIMEOUT_MS, 'the hanging command');
    expect(result.aborted).toBe(true);
    expect(member).toBeGreaterThan(0);
    expect(isAlive(member)).toBe(false);
    expect(groupIsGone(result.pid)).toBe(true);
  });

  test('members a driver leaves behind when it exits are ended with it', async () => {
    const script = 'sleep 600 & echo "member $!"';
    const leaves = createCommandClient({ name: 'leaves', command: ['sh', '-c', script, 'sh', '{url}'] });
    const { result, lines } = await drive(leaves, 'ws://127.0.0.1:9', 'a');
    expect(result.exitCode).toBe(0);
    expect(result.aborted).toBe(false);
    const member = Number(/^member (\d+)$/.exec(lines.find((l) => l.startsWith('member')) ?? '')?.[1]);
    expect(member).toBeGreaterThan(0);
    expect(isAlive(member)).toBe(false);
    expect(groupIsGone(result.pid)).toBe(true);
  });

  test('the stderr tail keeps the last 8 KiB, and the exit code is the driver’s', async () => {
    const code = "process.stderr.write('x'.repeat(20000) + 'END'); process.exitCode = 3";
    const noisy = createCommandClient({ name: 'noisy', command: [process.execPath, '-e', code, '{url}'] });
    const { result } = await drive(noisy, 'ws://127.0.0.1:9', 'a');
    expect(result.exitCode).toBe(3);
    expect(result.stderrTail.endsWith('END')).toBe(true);
    expect(Buffer.byteLength(result.stderrTail)).toBe(8 * 1024);
  });

  test('a missing command is unavailable, with the reason its column shows', async () => {
    const missing = createCommandClient({ name: 'gone', command: ['./no-such-driver.sh', '{url}'], cwd: DRIVERS_DIR });
    expect(await missing.unavailable()).toBe('./no-such-driver.sh not found');
    await expect(missing.drive({ baseUrl: 'ws://127.0.0.1:9', agent: 'a' })).rejects.toThrow(TargetUnavailableError);
    const notOnPath = createCommandClient({ name: 'gone', command: ['no-such-driver-on-path', '{url}'] });
    expect(await notOnPath.unavailable()).toBe('no-such-driver-on-path not found on PATH');
    const notExecutable = createCommandClient({
      name: 'text',
      command: ['./ws-client.mjs', '{url}'],
      cwd: DRIVERS_DIR,
    });
    expect(await notExecutable.unavailable()).toBe('./ws-client.mjs is not an executable file');
  });
});

describe('client command lines', () => {
  test('NAME[@VERSION]=COMMAND, split as a shell splits words', () => {
    expect(parseClientCommand("mine@1.2.0=./autobahn client.sh {url} '{agent}' \"a b\" c\\ d ''", '/x')).toEqual({
      name: 'mine',
      version: '1.2.0',
      command: ['./autobahn', 'client.sh', '{url}', '{agent}', 'a b', 'c d', ''],
      cwd: '/x',
    });
    expect(parseClientCommand('mine=./autobahn-client.sh {url} {agent}')).toEqual({
      name: 'mine',
      command: ['./autobahn-client.sh', '{url}', '{agent}'],
    });
    expect(splitCommandLine(String.raw`"say \"hi\" \\ \n"`)).toEqual([String.raw`say "hi" \ \n`]);
  });

  test.each([
    ['./driver.sh {url}', /must be NAME=COMMAND/],
    ['my client=./driver.sh {url}', /client name "my client"/],
    ['mine@=./driver.sh {url}', /client version ""/],
    ['mine=', /has no command/],
    ['mine=./driver.sh {agent}', /must take the fuzzingserver's URL \(\{url\}\)/],
    ['mine=./driver.sh {url} {port}', /\{port\} is a server target's placeholder/],
    ["mine=./driver.sh '{url}", /unclosed '/],
    ['mine=./driver.sh {url} \\', /ends in a backslash/],
  ])('%s is refused with one line', (raw, why) => {
    expect(() => parseClientCommand(raw)).toThrow(InvalidClientCommandError);
    expect(() => parseClientCommand(raw)).toThrow(why);
  });
});
