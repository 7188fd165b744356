/**
 * Embedded targets in a child process of their own (inChildProcess): they echo like the in-process ones,
 * report the CPU time of their process, leave no process behind however the harness ends, and a start
 * that fails says why in one line.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pseudoRandomBytes, withTimeout } from '@wsmatrix/protocol/testing';
import { describe, expect, it } from 'vitest';
import { ChildTargetStartError, SERVE_ENTRY, stderrSummary } from '../src/child/child-target.js';
import { decodeMessage, encodeMessage } from '../src/child/messages.js';
import {
  getTarget,
  inChildProcess,
  TargetUnavailableError,
  UnknownTargetError,
  uwsUnavailableReason,
  type EchoTarget,
  type RunningTarget,
} from '../src/index.js';
import { commandLine, descendants, groupIsGone, isAlive, survivors } from '../testing/index.js';
import { MiB, nextMessage, openClient } from './helpers.js';

/** Per-test safety net on a loaded machine (node start-ups, many round trips); never a measured figure. */
const SAFETY_NET_MS = 60_000;
/** Round trips of 1 MiB before giving up on seeing the server's CPU time move (a safety net). */
const MAX_ROUNDS = 500;

/** Starts `target` in a child process, runs `body`, and always closes it. */
async function withChild<T>(target: EchoTarget, body: (running: RunningTarget) => Promise<T>): Promise<T> {
  const running = await inChildProcess(target).start();
  try {
    return await body(running);
  } finally {
    await running.close();
  }
}

/** Sends one text and one binary message to `running` and checks that each comes back unchanged. */
async function echoTwice(running: RunningTarget): Promise<void> {
  const ws = await openClient(running.url);
  try {
    ws.send('hello from the harness');
    const text = await nextMessage(ws, 10_000);
    expect(text.isBinary).toBe(false);
    expect(text.data.toString('utf8')).toBe('hello from the harness');
    const payload = pseudoRandomBytes(70_000, 7);
    ws.send(payload);
    const binary = await nextMessage(ws, 10_000);
    expect(binary.isBinary).toBe(true);
    expect(binary.data.equals(payload)).toBe(true);
  } finally {
    ws.terminate();
  }
}

function pidOf(running: RunningTarget): number {
  const { pid } = running as RunningTarget & { pid?: number };
  if (typeof pid !== 'number') throw new Error('a child target reports its pid');
  return pid;
}

describe('inChildProcess', { timeout: SAFETY_NET_MS }, () => {
  for (const name of ['core', 'ws', 'ws+deflate'] as const) {
    it(`${name}: echoes from a process of its own, running the compiled entry, with the same info`, async () => {
      const inProcess = getTarget(name);
      const child = inChildProcess(inProcess);
      expect({ ...child, start: undefined }).toEqual({ ...inProcess, start: undefined });
      const pid = await withChild(inProcess, async (running) => {
        const pid = pidOf(running);
        expect(pid).not.toBe(process.pid);
        expect(commandLine(pid)).toContain(SERVE_ENTRY);
        expect(running.url).toBe(`ws://127.0.0.1:${running.port}/`);
        await echoTwice(running);
        return pid;
      });
      expect(isAlive(pid)).toBe(false);
      expect(groupIsGone(pid)).toBe(true);
    });
  }

  it("core: reports the socket layer it resolved, as the in-process target's options do", async () => {
    await withChild(getTarget('core'), async (running) => {
      const ws = await openClient(running.url);
      ws.terminate();
      expect(running.options?.socketLayer).toMatch(/^(net|shared-reads|bare)$/);
    });
  });

  it('cpuTime(): a number that grows as the server works, and stays readable after close()', async () => {
    const running = await inChildProcess(getTarget('ws')).start();
    let afterWork: number;
    try {
      const atStart = running.cpuTime?.();
      expect(typeof atStart).toBe('number');
      const ws = await openClient(running.url);
      const payload = pseudoRandomBytes(MiB, 3);
      let rounds = 0;
      // Counted in round trips, not time: the clock ticks CPU time in steps, so work until it moves.
      while ((running.cpuTime?.() ?? 0) <= atStart! && rounds < MAX_ROUNDS) {
        ws.send(payload);
        expect((await nextMessage(ws, 10_000)).data.length).toBe(MiB);
        rounds++;
      }
      ws.terminate();
      afterWork = running.cpuTime!()!;
      expect(afterWork).toBeGreaterThan(atStart!);
    } finally {
      await running.close();
    }
    // What the child measured of itself when told to stop: at least what /proc showed before.
    const atStop = running.cpuTime!();
    expect(atStop).toBeGreaterThanOrEqual(afterWork - 10);
  });

  it('the in-process targets have no cpuTime()', async () => {
    const running = await getTarget('ws').start();
    try {
      expect(running.cpuTime).toBeUndefined();
    } finally {
      await running.close();
    }
  });

  it('uws: the same verdict on its native build as in this process (never the JS fallback)', async () => {
    const reason = uwsUnavailableReason();
    const uws = getTarget('uws');
    if (reason !== undefined) {
      const err = await inChildProcess(uws)
        .start()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetUnavailableError);
      expect((err as TargetUnavailableError).reason).toBe(reason);
      return;
    }
    expect(uws.options.nativeBuild).toMatch(/\.node$/);
    await withChild(uws, echoTwice);
  });

  it('a port already taken: rejects with one line naming the target and the cause, nothing left running', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const err = (await inChildProcess(getTarget('ws'))
        .start({ port })
        .catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ChildTargetStartError);
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/^target "ws" did not start in its own process: .*EADDRINUSE/);
      expect(descendants(process.pid).filter((pid) => commandLine(pid).includes(SERVE_ENTRY))).toEqual([]);
    } finally {
      taken.close();
    }
  });

  it('a child that dies before it can start: one line quoting its stderr', async () => {
    const missing = '/nonexistent/preload-for-wsmatrix.cjs';
    const err = (await inChildProcess(getTarget('core'), { nodeArgs: ['--require', missing] })
      .start()
      .catch((e: unknown) => e)) as ChildTargetStartError;
    expect(err).toBeInstanceOf(ChildTargetStartError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(
      /^target "core" did not start in its own process: exited with code 1 before listening: Error: Cannot find module/,
    );
    expect(err.message).toContain(missing);
    expect(err.stderr).toContain(missing);
  });

  it('only registry targets can run in a child process', () => {
    const stranger: EchoTarget = { ...getTarget('ws'), name: 'not-in-the-registry' };
    expect(() => inChildProcess(stranger)).toThrow(UnknownTargetError);
  });
});

describe('the child line protocol', () => {
  it('round-trips every message and ignores lines that are not one', () => {
    const messages = [
      { kind: 'listening', url: 'ws://127.0.0.1:1/', host: '127.0.0.1', port: 1, options: { socketLayer: 'net' } },
      { kind: 'listening', url: 'ws://127.0.0.1:2/', host: '127.0.0.1', port: 2 },
      { kind: 'options', options: { socketLayer: 'net', socketLayerFallback: 'why' } },
      { kind: 'failed', message: 'listen EADDRINUSE', unavailable: 'no build' },
      { kind: 'stopping', cpuMs: 12.5 },
    ] as const;
    for (const m of messages) expect(decodeMessage(encodeMessage(m).trimEnd())).toEqual(m);
    for (const line of ['', 'not json', '[]', '{"kind":"listening","url":"x"}', '{"kind":"options"}', '{"kind":1}']) {
      expect(decodeMessage(line)).toBeUndefined();
    }
  });

  it("stderrSummary picks the line naming the error out of Node's report", () => {
    const report = [
      'node:internal/modules/cjs/loader:1228',
      '  throw err;',
      '  ^',
      '',
      "Error: Cannot find module '/x.cjs'",
      'Require stack:',
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)',
      'Node.js v20.20.2',
    ].join('\n');
    expect(stderrSummary(report)).toBe("Error: Cannot find module '/x.cjs'");
    expect(stderrSummary('killed\nsomething else\n')).toBe('something else');
    expect(stderrSummary(`TypeError: ${'x'.repeat(1000)}`).length).toBeLessThanOrEqual(300);
  });
});

const INDEX = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/**
 * Runs `body` (ESM, with the compiled package's exports in scope: the published layout, plain node) in a
 * harness process of its own; resolves with its stdout lines once it has ended, however it ends.
 */
function runHarness(body: string): Promise<string[]> {
  const script =
    `import { getTarget, inChildProcess, stopLiveChildren } from ${JSON.stringify(INDEX)};\n` +
    `const running = await inChildProcess(getTarget('ws')).start();\nconsole.log(running.pid);\n${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return withTimeout(
    new Promise((resolve) => child.once('exit', () => resolve(out.trim().split('\n')))),
    30_000,
    'the harness script',
  );
}

describe('no child outlives the harness', { timeout: SAFETY_NET_MS }, () => {
  it('stopLiveChildren (the CLI on Ctrl-C) stops it', async () => {
    const [pid, left] = await runHarness(`
      await stopLiveChildren(2000);
      const { existsSync } = await import('node:fs');
      console.log(existsSync('/proc/' + running.pid));
    `);
    expect(Number(pid)).toBeGreaterThan(0);
    expect(left).toBe('false');
    expect(await survivors([Number(pid)])).toEqual([]);
  });

  it('the harness exits without closing it: the exit hook kills it', async () => {
    const [pid] = await runHarness('process.exit(0);');
    expect(await survivors([Number(pid)])).toEqual([]);
  });

  it('the harness is killed outright (no hook runs): the child sees its stdin end and exits', async () => {
    const [pid] = await runHarness("process.kill(process.pid, 'SIGKILL');");
    expect(await survivors([Number(pid)])).toEqual([]);
  });
});
