/**
 * cpuTime() of the external command targets: the server process and what it forked, read from /proc; and
 * the parsing of /proc/<pid>/stat it rests on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTimeout } from '@wsmatrix/protocol/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockTicksPerSecond, parseStatTicks, processTreeCpuMs } from '../src/process-cpu.js';
import { createCommandTarget, type RunningCommandTarget } from '../src/index.js';

/** Per-test safety net on a loaded machine; never a figure a test checks. */
const SAFETY_NET_MS = 60_000;
/** CPU milliseconds the forked worker burns, measured by itself. */
const BURN_MS = 300;
/** /proc counts whole clock ticks (10 ms at the usual 100 per second): readings may lag by one per process. */
const TICK_SLACK_MS = 20;

/**
 * A TCP echo server on the port argument that forks a worker: the worker burns BURN_MS of its own CPU,
 * says so (with what it measured), then either stays alive or exits, as the second argument says.
 */
const SERVER_WITH_WORKER = `
const { spawn } = require('node:child_process');
const [port, mode] = process.argv.slice(-2);
require('node:net').createServer((s) => s.pipe(s)).listen(+port, '127.0.0.1');
const burn = 'const t=process.cpuUsage();let x=0;' +
  'for(;;){for(let i=0;i<1e5;i++)x+=i;const u=process.cpuUsage(t);const ms=(u.user+u.system)/1000;' +
  'if(ms>=${BURN_MS}){console.log("burnt "+ms);break;}}' +
  (mode === 'stay' ? 'setInterval(()=>{},1e6);' : '');
const worker = spawn(process.execPath, ['-e', burn], { stdio: ['ignore', 'pipe', 'inherit'] });
worker.stdout.on('data', (d) => process.stdout.write('worker ' + worker.pid + ' ' + d));
worker.on('exit', () => console.log('reaped'));
`;

function waitForOutput(running: RunningCommandTarget, pattern: RegExp): Promise<RegExpExecArray> {
  return withTimeout(
    (async () => {
      for (;;) {
        const match = pattern.exec(running.output());
        if (match) return match;
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
    30_000,
    `output matching ${pattern}`,
  );
}

/** CPU ms of `pid` alone (its own threads), straight from /proc. */
function ownCpuMs(pid: number): number {
  return (parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'latin1'))!.own * 1000) / clockTicksPerSecond();
}

describe('cpuTime() of a command target', { timeout: SAFETY_NET_MS }, () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'wsmatrix-cpu-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const target = (mode: 'stay' | 'exit') =>
    createCommandTarget(
      {
        name: 'forking-stand-in',
        implementation: 'forking-stand-in',
        requires: [],
        version: { run: [process.execPath, '--version'], match: '\\d+\\.\\d+\\.\\d+' },
        command: [process.execPath, '-e', SERVER_WITH_WORKER, '{port}', mode],
        options: {},
      },
      { dir: work, cacheDir: join(work, 'cache') },
    );

  it('counts a live forked worker beside the server', async () => {
    const running = await target('stay').start();
    try {
      const [, worker, burnt] = await waitForOutput(running, /worker (\d+) burnt ([\d.]+)/);
      const total = running.cpuTime();
      expect(typeof total).toBe('number');
      // The worker's own burn is in the total, beside the server's own time.
      expect(total!).toBeGreaterThanOrEqual(Number(burnt) - TICK_SLACK_MS + ownCpuMs(running.pid));
      expect(ownCpuMs(Number(worker))).toBeGreaterThanOrEqual(Number(burnt) - TICK_SLACK_MS);
    } finally {
      await running.close();
    }
    expect(running.cpuTime()).toBeNull();
  });

  it('keeps a worker that has exited and been waited for', async () => {
    const running = await target('exit').start();
    try {
      const [, burnt] = await waitForOutput(running, /burnt ([\d.]+)[\s\S]*reaped/);
      expect(running.cpuTime()!).toBeGreaterThanOrEqual(Number(burnt) - TICK_SLACK_MS + ownCpuMs(running.pid));
    } finally {
      await running.close();
    }
  });
});

describe('/proc/<pid>/stat', () => {
  it('takes utime, stime, cutime and cstime after the command name, whatever it holds', () => {
    const rest = 'S 1 2 3 4 5 6 7 8 9 10 111 222 333 444 20 0 1 0 100 0';
    expect(parseStatTicks(`42 (node) ${rest}`)).toEqual({ own: 333, reapedChildren: 777 });
    expect(parseStatTicks(`42 (a) b (c) ${rest}`)).toEqual({ own: 333, reapedChildren: 777 });
    expect(parseStatTicks('42 (node) S 1 2')).toBeUndefined();
  });

  it('this process: a number, at least the CPU it says it used', () => {
    const before = process.cpuUsage();
    const read = processTreeCpuMs(process.pid);
    expect(read).not.toBeNull();
    expect(read!).toBeGreaterThanOrEqual((before.user + before.system) / 1000 - TICK_SLACK_MS);
  });

  it('a process that does not exist: null', () => {
    expect(processTreeCpuMs(2 ** 22 + 1)).toBeNull();
  });
});
