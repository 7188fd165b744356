/** The handshake loops: what a cycle must see to count, against well- and ill-behaved servers. */
import net from 'node:net';
import { getAnyTarget, uwsUnavailableReason } from '@wsmatrix/targets';
import { describe, expect, it } from 'vitest';
import { computeAcceptKey as acceptFor } from '@wsmatrix/protocol';
import { HandshakeShare } from '../src/load/handshake-share.js';
import { absNow, type LoadJob } from '../src/load/types.js';
import { Upgrade } from '../src/load/upgrade.js';
import { startTcpEcho } from '../src/tcp-echo.js';
import { selectWorkloads, type HandshakeWorkload } from '../src/workloads.js';
import { type FakeServer, okHead, startFakeWsServer } from './fake-ws-server.js';

const [L1, L16] = selectWorkloads(['handshake-l1', 'handshake-l16']) as [HandshakeWorkload, HandshakeWorkload];
const CLOSE_1000 = Buffer.from([0x88, 2, 0x03, 0xe8]);
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

interface FakeBehaviour {
  /** Answers the upgrade request (default: a valid 101 in one write). */
  upgrade?(socket: net.Socket, key: string, n: number): void;
  /** Called once the client's Close frame has arrived (default: our Close, then FIN). */
  closed?(socket: net.Socket): void;
}

/** A hand-made WebSocket server that can misbehave: `n` counts connections from 0. */
function startFake(behaviour: FakeBehaviour = {}, host = '127.0.0.1'): Promise<FakeServer> {
  return startFakeWsServer(
    {
      upgrade: (socket, key, index) => {
        if (behaviour.upgrade) behaviour.upgrade(socket, key, index);
        else socket.write(okHead(key));
      },
      frames: (socket, counter, _messages, closesBefore) => {
        if (counter.closeFrames === closesBefore) return;
        if (behaviour.closed) behaviour.closed(socket);
        else socket.end(CLOSE_1000);
      },
    },
    host,
  );
}

interface RunOptions {
  workload?: HandshakeWorkload;
  protocol?: 'ws' | 'tcp';
  ms?: number;
  /** Hold the window open until this many cycles completed in it (at most HOLD_MS longer). */
  minCompleted?: number;
  cycleTimeoutMs?: number;
  host?: string;
}

/**
 * How long a window is held open past its planned end, at most, for `minCompleted`: a safety net only,
 * reached when the cycles never complete; a test then fails on its count, not on time.
 */
const HOLD_MS = 10_000;
/** For tests that wait on a count: the hold, plus room for servers to start and stop on a busy machine. */
const COUNTING_TEST_TIMEOUT_MS = HOLD_MS + 15_000;
/** For tests whose cycles all fail: a safety net on a busy machine, never a figure the test checks. */
const FAILING_TEST_TIMEOUT_MS = 15_000;

/** One share run in this thread: `ms` of traffic (or until `minCompleted` cycles), all of it measured. */
async function runShare(port: number, opts: RunOptions = {}) {
  const workload = opts.workload ?? L1;
  const job: LoadJob & { workload: HandshakeWorkload } = {
    workload,
    host: opts.host ?? '127.0.0.1',
    port,
    protocol: opts.protocol ?? 'ws',
  };
  const share = new HandshakeShare(job, workload.loops, Buffer.allocUnsafe(64 * 1024), opts.cycleTimeoutMs ?? 5000);
  const start = absNow();
  const end = start + (opts.ms ?? 150);
  return share.run({
    start,
    end,
    ...(opts.minCompleted ? { extend: { completed: opts.minCompleted, latest: end + HOLD_MS } } : {}),
  });
}

async function withFake<T>(behaviour: FakeBehaviour, body: (port: number) => Promise<T>): Promise<T> {
  const fake = await startFake(behaviour);
  try {
    return await body(fake.port);
  } finally {
    await fake.close();
  }
}

describe('handshake loops against a well-behaved server', () => {
  it(
    'complete cycle after cycle, every one begun also finished',
    async () => {
      const r = await withFake({}, (port) => runShare(port, { workload: L16, minCompleted: 17 }));
      expect(r.errors).toEqual([]);
      expect(r.completed).toBeGreaterThan(16);
      expect(r.received).toBe(r.sent);
      expect(r.completed).toBeLessThanOrEqual(r.received);
      expect(r.latency.reduce((a, [, count]) => a + count, 0)).toBe(r.completed);
    },
    COUNTING_TEST_TIMEOUT_MS,
  );

  it(
    'connect over IPv6 too',
    async () => {
      const fake = await startFake({}, '::1');
      try {
        const r = await runShare(fake.port, { host: '::1', minCompleted: 1 });
        expect(r.errors).toEqual([]);
        expect(r.completed).toBeGreaterThan(0);
      } finally {
        await fake.close();
      }
    },
    COUNTING_TEST_TIMEOUT_MS,
  );

  it(
    'gather a 101 head split over reads',
    async () => {
      const upgrade = (socket: net.Socket, key: string): void => {
        const head = okHead(key);
        socket.write(head.slice(0, 20));
        setTimeout(() => socket.write(head.slice(20, -3)), 5);
        setTimeout(() => socket.write(head.slice(-3)), 10);
      };
      const r = await withFake({ upgrade }, (port) => runShare(port, { minCompleted: 1 }));
      expect(r.errors).toEqual([]);
      expect(r.completed).toBeGreaterThan(0);
    },
    COUNTING_TEST_TIMEOUT_MS,
  );

  it(
    'count frames that came right behind the 101',
    async () => {
      // A ping in the same write as the 101 is fine; a Close there plus the answer to ours is two.
      const ping = (socket: net.Socket, key: string): void =>
        void socket.write(Buffer.concat([Buffer.from(okHead(key)), Buffer.from([0x89, 0])]));
      const ok = await withFake({ upgrade: ping }, (port) => runShare(port, { minCompleted: 1 }));
      expect(ok.errors).toEqual([]);
      expect(ok.completed).toBeGreaterThan(0);
      const close = (socket: net.Socket, key: string): void =>
        void socket.write(Buffer.concat([Buffer.from(okHead(key)), CLOSE_1000]));
      const twice = await withFake({ upgrade: close }, (port) => runShare(port));
      expect(twice.completed).toBe(0);
      expect(twice.errors[0]).toBe("expected the server's close frame, got 2");
    },
    COUNTING_TEST_TIMEOUT_MS,
  );
});

describe('a handshake cycle fails, counted, when the server', () => {
  it.each([
    [
      'answers another status',
      { upgrade: (s: net.Socket) => void s.end('HTTP/1.1 400 Bad Request\r\n\r\n') },
      /answered 400 Bad Request, expected 101/,
    ],
    ['answers a wrong accept', { upgrade: (s: net.Socket) => void s.write(okHead('other key')) }, /Accept/],
    ['closes before answering', { upgrade: (s: net.Socket) => void s.end() }, /closed before it was open/],
    [
      'closes TCP without a Close frame',
      { closed: (s: net.Socket) => void s.end() },
      /expected the server's close frame, got 0/,
    ],
    ['resets the connection', { closed: (s: net.Socket) => void s.resetAndDestroy() }, /ECONNRESET/],
  ] satisfies [string, FakeBehaviour, RegExp][])(
    '%s',
    async (_what, behaviour, why) => {
      const r = await withFake(behaviour, (port) => runShare(port));
      expect(r.completed).toBe(0);
      expect(r.received).toBe(0);
      expect(r.errorCount).toBe(r.sent);
      expect(r.errors[0]).toMatch(why);
    },
    FAILING_TEST_TIMEOUT_MS,
  );

  it(
    'never closes TCP: abandoned after the cycle timeout, and the run still ends',
    async () => {
      const began = Date.now();
      const r = await withFake({ closed: (s) => void s.write(CLOSE_1000) }, (port) =>
        runShare(port, { workload: L16, ms: 50, cycleTimeoutMs: 200 }),
      );
      // Every loop's cycle abandoned by the sweep (no cycle ends by itself), none left hanging.
      expect(r.sent).toBeGreaterThanOrEqual(16);
      expect(r.completed).toBe(0);
      expect(r.errorCount).toBe(r.sent);
      expect(r.errors[0]).toBe('connection cycle timed out');
      // Never before its timeout; how much later depends on the machine, so no upper bound.
      expect(Date.now() - began).toBeGreaterThanOrEqual(200);
    },
    FAILING_TEST_TIMEOUT_MS,
  );

  it(
    'bad answers among good ones fail alone (a remembered 101 is reused only for the same bytes)',
    async () => {
      // Every third connection gets a wrong accept, of exactly the same length as the right one.
      const upgrade = (socket: net.Socket, key: string, n: number): void =>
        void socket.write(
          n % 3 === 2
            ? okHead(key).replace(acceptFor(key), acceptFor(key.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))))
            : okHead(key),
        );
      const r = await withFake({ upgrade }, (port) => runShare(port, { minCompleted: 4 }));
      expect(r.completed).toBeGreaterThan(3);
      expect(r.errors[0]).toMatch(/Sec-WebSocket-Accept/);
      expect(Math.abs(r.errorCount - r.sent / 3)).toBeLessThanOrEqual(1);
    },
    COUNTING_TEST_TIMEOUT_MS,
  );

  it(
    'is addressed with a bad port: every attempt fails, and the run still ends',
    async () => {
      const r = await runShare(70_000, { ms: 30 });
      expect(r.sent).toBeGreaterThan(0);
      expect(r.completed).toBe(0);
      expect(r.errorCount).toBe(r.sent);
      expect(r.errors[0]).toMatch(/port/i);
    },
    FAILING_TEST_TIMEOUT_MS,
  );

  it(
    'is not there: connection refused',
    async () => {
      const closed = await startFake();
      await closed.close();
      const r = await runShare(closed.port, { ms: 30 });
      expect(r.completed).toBe(0);
      expect(r.errorCount).toBeGreaterThan(0);
      expect(r.errors[0]).toMatch(/ECONNREFUSED/);
    },
    FAILING_TEST_TIMEOUT_MS,
  );
});

// Where no uWS native build runs on this Node, the uws cases skip with its reason (the targets package's
// uws tests check that reason against the builds installed).
const uwsUnavailable = uwsUnavailableReason();
const uwsSkip = (target: string): boolean => target.startsWith('uws') && uwsUnavailable !== undefined;
const skipNote = (target: string): string => (uwsSkip(target) ? ` (skipped: ${uwsUnavailable})` : '');

describe('handshake loops against the real servers', () => {
  // tcp, the raw echo: request and close frame come back, then both sides close.
  for (const target of ['core', 'ws', 'uws', 'tcp']) {
    it.skipIf(uwsSkip(target))(
      `${target}${skipNote(target)}`,
      async () => {
        const where = { host: '127.0.0.1', port: 0 };
        const running = target === 'tcp' ? await startTcpEcho(where) : await getAnyTarget(target).start(where);
        try {
          const protocol = target === 'tcp' ? 'tcp' : 'ws';
          const r = await runShare(running.port, { workload: L16, protocol, ms: 200, minCompleted: 17 });
          expect(r.errors).toEqual([]);
          expect(r.completed).toBeGreaterThan(16);
          expect(r.received).toBe(r.sent);
        } finally {
          await running.close();
        }
      },
      COUNTING_TEST_TIMEOUT_MS,
    );
  }

  it(
    'a tcp cycle fails when the echo closes before everything came back',
    async () => {
      const server = net.createServer((s) => s.once('data', () => s.end()));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const r = await runShare((server.address() as net.AddressInfo).port, { protocol: 'tcp' });
        expect(r.completed).toBe(0);
        expect(r.errors[0]).toBe('closed before the echo came back');
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
    FAILING_TEST_TIMEOUT_MS,
  );
});

describe('Upgrade', () => {
  const good = Buffer.from(okHead(KEY));
  const read = (check: Upgrade, ...chunks: Buffer[]) => {
    const reader = check.reader();
    return chunks.map((c) => reader(c)).at(-1)!;
  };

  it('parses a head once, then accepts the same bytes without parsing them again', () => {
    const check = new Upgrade('127.0.0.1', 9001, false, KEY);
    expect(good.toString()).toContain(ACCEPT);
    expect(read(check, good)).toEqual({ state: 'done', rest: Buffer.alloc(0) });
    // The same bytes with a frame behind them, as one read.
    expect(read(check, Buffer.concat([good, Buffer.from([0x89, 0])]))).toEqual({
      state: 'done',
      rest: Buffer.from([0x89, 0]),
    });
    expect(check.parsed).toBe(1);
  });

  it('gathers a head split over reads, and keeps its own copy: the chunks read may be overwritten', () => {
    const check = new Upgrade('127.0.0.1', 9001, false, KEY);
    const buf = Buffer.from(good);
    expect(read(check, buf.subarray(0, 20), buf.subarray(20))).toMatchObject({ state: 'done' });
    buf.write('HTTP/1.1 400 Bad Request\r\n');
    expect(read(check, buf).state).toBe('failed');
    expect(read(check, good)).toMatchObject({ state: 'done' });
    expect(check.parsed).toBe(2);
  });

  it('checks other bytes in full, and never remembers a rejected head', () => {
    const check = new Upgrade('127.0.0.1', 9001, false, KEY);
    const wrong = Buffer.from(good.toString().replace(ACCEPT, acceptFor('other')));
    expect(read(check, wrong)).toMatchObject({ state: 'failed', problem: expect.stringMatching(/Accept/) });
    expect(read(check, wrong)).toMatchObject({ state: 'failed' });
    expect(read(check, good)).toMatchObject({ state: 'done' });
    expect(read(check, Buffer.from(okHead(KEY, 'Date: Wed, 25 Nov 2026 17:14:42 GMT\r\n')))).toMatchObject({
      state: 'done',
    });
    expect(read(check, wrong)).toMatchObject({ state: 'failed' });
    expect(check.parsed).toBe(5);
  });

  it('holds deflate jobs to the extension answer too', () => {
    const check = new Upgrade('127.0.0.1', 9001, true, KEY);
    expect(read(check, good)).toMatchObject({
      state: 'failed',
      problem: expect.stringMatching(/declined permessage-deflate/),
    });
    expect(read(check, Buffer.from(okHead(KEY, 'Sec-WebSocket-Extensions: permessage-deflate\r\n')))).toMatchObject({
      state: 'done',
    });
  });
});
