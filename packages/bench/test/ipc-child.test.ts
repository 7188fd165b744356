/**
 * Request/reply over a child's IPC channel, and stopping the child: replies matched by id, every way a
 * request fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ipcRequester, STDERR_KEPT_CHARS, stderrText, stopChild } from '../src/ipc-child.js';

/**
 * A child running `script`: it answers {id, n} with {id, doubled: 2n} (replies to later requests first
 * when asked to), with {id, error} for n < 0, writes a line on stderr and exits for n = 0, never answers n = 1.
 */
const ANSWERING = `
process.on('message', ({ id, n, late }) => {
  if (n === 0) { process.stderr.write('first line\\nlast words\\n'); process.exit(3); }
  if (n === 1) return;
  const reply = n < 0 ? { id, error: 'negative ' + n } : { id, doubled: 2 * n };
  setTimeout(() => process.send(reply), late ? 100 : 0);
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
`;

/** Every test starts a node process: a safety net for a busy machine, not a figure any test checks. */
const CHILD_TEST_TIMEOUT_MS = 20_000;

const children: ChildProcess[] = [];
function start(script: string): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  children.push(child);
  return { child, exited: once(child, 'exit') };
}
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function requester(child: ChildProcess) {
  const lastError = stderrText(child);
  return ipcRequester<{ n: number; late?: boolean }, number>(child, 'doubled', {
    what: 'doubling',
    exited: (code) => `doubler exited (${code}): ${lastError()}`,
  });
}

describe('ipcRequester', () => {
  it(
    'resolves each request with its own reply, whatever order they come in, and ignores other messages',
    async () => {
      const { child } = start(ANSWERING);
      const request = requester(child);
      const [slow, fast] = await Promise.all([request({ n: 5, late: true }, 5000), request({ n: 7 }, 5000)]);
      expect([slow, fast]).toEqual([10, 14]);
      expect(child.listenerCount('message')).toBe(0);
      expect(child.listenerCount('exit')).toBe(1); // once(child, 'exit') from start()
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    "rejects with the child's error",
    async () => {
      const { child } = start(ANSWERING);
      await expect(requester(child)({ n: -2 }, 5000)).rejects.toThrow('negative -2');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'rejects after the timeout, naming the request',
    async () => {
      const { child } = start(ANSWERING);
      await expect(requester(child)({ n: 1 }, 200)).rejects.toThrow('doubling timed out after 200 ms');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'rejects when the child exits first, with its code and all it wrote on stderr',
    async () => {
      const { child } = start(ANSWERING);
      await expect(requester(child)({ n: 0 }, 5000)).rejects.toThrow('doubler exited (3): first line\nlast words');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'rejects when the channel is already closed',
    async () => {
      const { child, exited } = start(ANSWERING);
      child.disconnect();
      await exited;
      await expect(requester(child)({ n: 2 }, 5000)).rejects.toThrow(/channel closed/i);
    },
    CHILD_TEST_TIMEOUT_MS,
  );
});

describe('stopChild', () => {
  it(
    'closes the channel and resolves once the child has exited',
    async () => {
      const { child, exited } = start(ANSWERING);
      await once(child, 'message');
      await stopChild(child, exited);
      expect(child.exitCode).toBe(0);
      await stopChild(child, exited); // already gone: returns at once
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'kills a child that does not exit within the grace period',
    async () => {
      const { child, exited } = start(
        `process.on('disconnect', () => {}); setInterval(() => {}, 1000); process.send('up');`,
      );
      await once(child, 'message');
      await stopChild(child, exited, undefined, 200);
      expect(child.signalCode).toBe('SIGKILL');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'asks the way it is told',
    async () => {
      const { child, exited } = start(`setInterval(() => {}, 1000); process.send('up');`);
      await once(child, 'message');
      await stopChild(child, exited, () => child.kill('SIGTERM'));
      expect(child.signalCode).toBe('SIGTERM');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
});

describe('stderrText', () => {
  it(
    'keeps the last STDERR_KEPT_CHARS characters of a long stderr and says the start was cut',
    async () => {
      const script = `for (let i = 0; i < 2000; i++) process.stderr.write('line ' + i + '\\n');`;
      const { child } = start(script);
      const text = stderrText(child);
      // 'close': the child's stdio streams have ended, so all of stderr has been read.
      await once(child, 'close');
      const kept = text();
      expect(kept.startsWith('[… earlier output cut]\n')).toBe(true);
      expect(kept.length).toBeLessThanOrEqual(STDERR_KEPT_CHARS + '[… earlier output cut]\n'.length);
      expect(kept.endsWith('line 1999')).toBe(true);
      expect(kept).not.toContain('line 0\n');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
  it(
    'says so when the child wrote nothing',
    async () => {
      const { child } = start('process.exitCode = 1');
      const text = stderrText(child);
      // 'close': the child's stdio streams have ended, so all of stderr has been read.
      await once(child, 'close');
      expect(text()).toBe('(nothing on stderr)');
    },
    CHILD_TEST_TIMEOUT_MS,
  );
});
