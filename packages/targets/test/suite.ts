import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import { getTarget, type EchoTarget, type RunningTarget } from '../src/index.js';
import { pseudoRandomBytes, unusedPort, utf8Payload, withTimeout } from '@wsmatrix/protocol/testing';
import {
  MiB,
  closed,
  handshake,
  nextMessage,
  nextMessages,
  openClient,
  rawRequest,
  startedTarget,
  type RawOutcome,
} from './helpers.js';

/** What a target must answer to a bad opening handshake sent over raw TCP. */
export type HandshakeExpectation =
  /** an HTTP response with this status (and these headers, matched case-insensitively) */
  | { status: number; headers?: Record<string, RegExp> }
  /** a TCP close without a single byte */
  | 'tcp-close'
  /** a 101: the target accepts the handshake (a documented non-conformance) */
  | 'accepts'
  /** anything that is not a 101 */
  | 'not-101';

export interface TargetExpectations {
  /** GET with Upgrade but no Sec-WebSocket-Key */
  missingKey: HandshakeExpectation;
  /** POST with otherwise valid upgrade headers */
  nonGet: HandshakeExpectation;
  /** Sec-WebSocket-Version: 12 */
  version12: HandshakeExpectation;
  /** plain GET / without any upgrade headers */
  plainGet: HandshakeExpectation;
  /** the close reason the server echoes back for close(4000, 'four thousand'); undefined: not checked */
  echoedCloseReason?: string;
}

const SIZES = [0, 125, 126, 65535, 65536, 16 * MiB] as const;

function timeoutFor(size: number): number {
  return size >= MiB ? 30_000 : 10_000;
}

function describeOutcome(o: RawOutcome): string {
  if (o.kind === 'status') return `HTTP ${o.status}`;
  if (o.kind === 'close') return 'TCP close';
  return `timeout after ${JSON.stringify(o.received.slice(0, 80))}`;
}

function checkHandshake(outcome: RawOutcome, expected: HandshakeExpectation): void {
  const seen = describeOutcome(outcome);
  if (expected === 'tcp-close') {
    expect(outcome.kind, seen).toBe('close');
  } else if (expected === 'accepts') {
    expect(outcome.kind === 'status' && outcome.status, seen).toBe(101);
  } else if (expected === 'not-101') {
    expect(outcome.kind, seen).not.toBe('timeout');
    if (outcome.kind === 'status') expect(outcome.status, seen).not.toBe(101);
  } else {
    expect(outcome.kind, seen).toBe('status');
    if (outcome.kind !== 'status') return;
    expect(outcome.status, outcome.head).toBe(expected.status);
    for (const [name, pattern] of Object.entries(expected.headers ?? {})) {
      expect(outcome.headers[name.toLowerCase()], `${name} in\n${outcome.head}`).toMatch(pattern);
    }
  }
}

/** Binds a plain TCP server to host:port and releases it; rejects with EADDRINUSE if taken. */
async function bindOnce(port: number, host: string): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, host, () => resolve());
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** 'connected' or the error code of a TCP connect. */
function connectOutcome(port: number, host: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * Waits until the client's send buffer no longer shrinks (the server stopped taking bytes: its replies are
 * not being read) or is empty. Polls rather than sleeping a fixed time: a busy machine only makes it later.
 */
async function untilSendingStops(ws: WebSocket): Promise<void> {
  let held = ws.bufferedAmount;
  for (let still = 0; still < 4 && held > 0; ) {
    await new Promise((r) => setTimeout(r, 50));
    const now = ws.bufferedAmount;
    still = now === held ? still + 1 : 0;
    held = now;
  }
}

/** The integration suite every EchoTarget must pass, through a real `ws` client and raw TCP. */
export function describeEchoTarget(name: string, expectations: TargetExpectations): void {
  // A safety net for a busy machine (every wait inside a test has its own, shorter one), not a figure.
  describe(`EchoTarget "${name}"`, { timeout: 30_000 }, () => {
    const target: EchoTarget = getTarget(name);
    const fixture = startedTarget<RunningTarget>(() => target.start());
    const client = (): Promise<WebSocket> => fixture.client();

    describe('info', () => {
      test('describes itself', () => {
        expect(target.name).toBe(name);
        expect(target.implementation).toMatch(/\S/);
        expect(target.version).toMatch(/^\d+\.\d+\.\d+/);
        expect(target.options).toBeTypeOf('object');
      });

      test('binds 127.0.0.1 on a free port by default and reports its URL', () => {
        expect(fixture.running.host).toBe('127.0.0.1');
        expect(fixture.running.port).toBeGreaterThan(0);
        expect(fixture.running.url).toBe(`ws://127.0.0.1:${fixture.running.port}/`);
      });
    });

    describe('echo', () => {
      for (const size of SIZES) {
        test(
          `text message of ${size} bytes`,
          async () => {
            const ws = await client();
            const payload = utf8Payload(size);
            const reply = nextMessage(ws, timeoutFor(size));
            ws.send(payload, { binary: false });
            const got = await reply;
            expect(got.isBinary).toBe(false);
            expect(got.data.length).toBe(size);
            expect(got.data.equals(payload)).toBe(true);
          },
          timeoutFor(size),
        );

        test(
          `binary message of ${size} bytes`,
          async () => {
            const ws = await client();
            const payload = pseudoRandomBytes(size, size + 1);
            const reply = nextMessage(ws, timeoutFor(size));
            ws.send(payload, { binary: true });
            const got = await reply;
            expect(got.isBinary).toBe(true);
            expect(got.data.length).toBe(size);
            expect(got.data.equals(payload)).toBe(true);
          },
          timeoutFor(size),
        );
      }

      test('messages come back in order, each with its own type', async () => {
        const ws = await client();
        const sent = Array.from({ length: 20 }, (_, i) => ({
          data: i % 2 ? pseudoRandomBytes(i * 100, i + 7) : utf8Payload(i * 100),
          isBinary: i % 2 === 1,
        }));
        const replies = nextMessages(ws, sent.length, 10_000);
        for (const m of sent) ws.send(m.data, { binary: m.isBinary });
        const got = await replies;
        got.forEach((m, i) => {
          expect(m.isBinary).toBe(sent[i]!.isBinary);
          expect(m.data.equals(sent[i]!.data)).toBe(true);
        });
      });

      test('four 16 MiB echoes queued behind a reader that is not reading all arrive', async () => {
        const ws = await client();
        const sent = [1, 2, 3, 4].map((n) => {
          const b = Buffer.alloc(16 * MiB, n);
          b.writeUInt32BE(n * 0x01010101, 1000);
          return b;
        });
        const replies = nextMessages(ws, sent.length, 40_000);
        ws.pause();
        for (const b of sent) ws.send(b, { binary: true });
        await untilSendingStops(ws);
        ws.resume();
        const got = await replies;
        got.forEach((m, i) => {
          expect(m.isBinary).toBe(true);
          expect(m.data.equals(sent[i]!)).toBe(true);
        });
      }, 45_000);
    });

    describe('fragmentation', () => {
      test('a text message in 3 fragments, split inside a UTF-8 sequence, echoes as one message', async () => {
        const ws = await client();
        const payload = Buffer.from('héllo €uro 𝄞 clef', 'utf8');
        const cut1 = payload.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
        const cut2 = payload.indexOf(Buffer.from('𝄞')) + 2; // inside the 4-byte clef
        const reply = nextMessage(ws, 5000);
        ws.send(payload.subarray(0, cut1), { binary: false, fin: false });
        ws.send(payload.subarray(cut1, cut2), { binary: false, fin: false });
        ws.send(payload.subarray(cut2), { binary: false, fin: true });
        const got = await reply;
        expect(got.isBinary).toBe(false);
        expect(got.data.equals(payload)).toBe(true);
      });

      test('a binary message in 5 fragments, one of them empty, echoes as one message', async () => {
        const ws = await client();
        const payload = pseudoRandomBytes(1000, 42);
        const reply = nextMessage(ws, 5000);
        const cuts = [0, 100, 100, 500, 999, 1000];
        for (let i = 0; i < cuts.length - 1; i++) {
          ws.send(payload.subarray(cuts[i], cuts[i + 1]), { binary: true, fin: i === cuts.length - 2 });
        }
        const got = await reply;
        expect(got.isBinary).toBe(true);
        expect(got.data.equals(payload)).toBe(true);
      });

      test('a ping between fragments is answered and the message still echoes', async () => {
        const ws = await client();
        const pong = withTimeout(new Promise<Buffer>((resolve) => ws.once('pong', resolve)), 5000, 'pong');
        const reply = nextMessage(ws, 5000);
        ws.send(Buffer.from('frag-'), { binary: false, fin: false });
        ws.ping(Buffer.from('in between'));
        ws.send(Buffer.from('mented'), { binary: false, fin: true });
        expect((await pong).toString()).toBe('in between');
        const got = await reply;
        expect(got.isBinary).toBe(false);
        expect(got.data.toString()).toBe('frag-mented');
      });

      test('65 536 fragments of 64 bytes (Autobahn 9.3.1 shape) echo as one 4 MiB message', async () => {
        const ws = await client();
        const payload = utf8Payload(4 * MiB);
        const reply = nextMessage(ws, 30_000);
        const n = payload.length / 64;
        for (let i = 0; i < n; i++) {
          ws.send(payload.subarray(i * 64, (i + 1) * 64), { binary: false, fin: i === n - 1 });
        }
        const got = await reply;
        expect(got.isBinary).toBe(false);
        expect(got.data.equals(payload)).toBe(true);
      }, 40_000);
    });

    describe('control frames', () => {
      for (const payload of [Buffer.alloc(0), Buffer.from('hello'), pseudoRandomBytes(125, 9)]) {
        test(`ping with ${payload.length} bytes gets a pong with the same payload`, async () => {
          const ws = await client();
          const pong = withTimeout(new Promise<Buffer>((resolve) => ws.once('pong', resolve)), 5000, 'pong');
          ws.ping(payload);
          expect((await pong).equals(payload)).toBe(true);
        });
      }

      test('close 1000 with a reason: the server answers 1000', async () => {
        const ws = await client();
        const done = closed(ws, 5000);
        ws.close(1000, 'bye');
        expect((await done).code).toBe(1000);
      });

      test('close 4000 with a reason: the server echoes 4000', async () => {
        const ws = await client();
        const done = closed(ws, 5000);
        ws.close(4000, 'four thousand');
        const { code, reason } = await done;
        expect(code).toBe(4000);
        if (expectations.echoedCloseReason !== undefined) expect(reason).toBe(expectations.echoedCloseReason);
      });

      test('close without a code: the server answers with an empty close (1005)', async () => {
        const ws = await client();
        const done = closed(ws, 5000);
        ws.close();
        expect((await done).code).toBe(1005);
      });
    });

    describe('bad opening handshakes over raw TCP', () => {
      const cases: [string, keyof TargetExpectations, Parameters<typeof handshake>[1]][] = [
        ['missing Sec-WebSocket-Key', 'missingKey', { key: null }],
        ['POST instead of GET', 'nonGet', { method: 'POST' }],
        ['Sec-WebSocket-Version: 12', 'version12', { version: '12' }],
        ['plain GET without Upgrade', 'plainGet', { upgrade: false, key: null, version: null }],
      ];
      for (const [label, key, opts] of cases) {
        const expected = expectations[key] as HandshakeExpectation;
        const what = typeof expected === 'string' ? expected : `HTTP ${expected.status}`;
        test(`${label}: ${what}`, async () => {
          const outcome = await rawRequest(
            fixture.running.port,
            fixture.running.host,
            handshake(fixture.running.port, opts),
          );
          checkHandshake(outcome, expected);
        });
      }

      test('control: a valid handshake over raw TCP gets 101', async () => {
        const outcome = await rawRequest(fixture.running.port, fixture.running.host, handshake(fixture.running.port));
        checkHandshake(outcome, {
          status: 101,
          headers: { 'sec-websocket-accept': /^s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=$/ },
        });
      });
    });

    describe('lifecycle', () => {
      test('close() with no connection frees the port: it can be bound again at once', async () => {
        const own = await getTarget(name).start();
        await withTimeout(own.close(), 5000, 'close()');
        await withTimeout(bindOnce(own.port, own.host), 5000, 'rebinding the freed port');
      });

      test('close() terminates open connections promptly and frees the port', async () => {
        const own = await getTarget(name).start({ port: await unusedPort() });
        const ws = await openClient(own.url);
        // a TCP connection that never sends its handshake must not keep close() waiting
        const idle = await withTimeout(
          new Promise<Socket>((resolve, reject) => {
            const s = connect(own.port, own.host, () => resolve(s));
            s.on('error', reject);
          }),
          5000,
          'raw connect',
        );
        idle.on('error', () => {});
        const idleClosed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
        // An echo asked for after the idle connect: once it is back, the server's loop has turned since
        // that connection was queued, so it has been accepted.
        const echoed = nextMessage(ws, 10_000);
        ws.send('after the idle connect');
        expect((await echoed).data.toString()).toBe('after the idle connect');
        const clientClosed = closed(ws, 10_000);
        // Neither client does anything from here: whatever closes them is the server's close(). One that
        // waited for the idle connection's handshake to time out would not get there.
        await withTimeout(own.close(), 10_000, 'close()');
        await clientClosed;
        await withTimeout(idleClosed, 10_000, 'the idle TCP connection to be closed');
        await expect(own.close()).resolves.toBeUndefined(); // idempotent
        expect(await connectOutcome(own.port, own.host)).toBe('ECONNREFUSED');
        await withTimeout(bindOnce(own.port, own.host), 5000, 'rebinding the freed port');
      }, 40_000);

      test('start() on a port already in use rejects (no silent port sharing)', async () => {
        const own = await getTarget(name).start({ port: await unusedPort() });
        try {
          await expect(getTarget(name).start({ port: own.port })).rejects.toThrow();
        } finally {
          await own.close();
        }
      });

      test('two instances started on port 0 get different ports and both echo', async () => {
        const [a, b] = await Promise.all([getTarget(name).start({ port: 0 }), getTarget(name).start()]);
        const opened: WebSocket[] = [];
        try {
          expect(a.port).not.toBe(b.port);
          for (const t of [a, b]) {
            const ws = await openClient(t.url);
            opened.push(ws);
            const reply = nextMessage(ws, 5000);
            ws.send(`hello ${t.port}`);
            expect((await reply).data.toString()).toBe(`hello ${t.port}`);
          }
        } finally {
          for (const ws of opened) ws.terminate();
          await Promise.all([a.close(), b.close()]);
        }
      }, 20_000);

      test('start() rejects an invalid port', async () => {
        await expect(getTarget(name).start({ port: 70000 })).rejects.toThrow(RangeError);
      });
    });
  });
}
