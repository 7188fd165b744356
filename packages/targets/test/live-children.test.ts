/**
 * The registry of live children in a child Node process of its own (stopLiveChildren closes the registry
 * for the rest of the process, so it must not be this test worker's).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { survivors } from '../testing/index.js';

const REGISTRY = fileURLToPath(new URL('../src/external/live-children.ts', import.meta.url));

/** Runs `body` (ESM, with the registry's exports in scope) under tsx; resolves with its stdout lines. */
function runScript(body: string): Promise<string[]> {
  const script =
    `import { trackChild, stopLiveChildren, liveChildPids } from ${JSON.stringify(REGISTRY)};\n` +
    `import { spawn } from 'node:child_process';\n${body}`;
  const child = spawn(
    process.execPath,
    ['--conditions=@wsmatrix/source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      code === 0 ? resolve(out.trim().split('\n')) : reject(new Error(`script exited ${code}: ${out}`)),
    );
  });
}

describe('live children', { timeout: 60_000 }, () => {
  it('stopLiveChildren ends a group leader with its forked member, and a child that ignores SIGTERM', async () => {
    const lines = await runScript(`
      // A group leader that forks a member which outlives nothing, and a plain child deaf to SIGTERM.
      const leader = spawn('sh', ['-c', 'sleep 600 & echo $!; wait'], {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const member = await new Promise((r) => leader.stdout.once('data', (d) => r(Number(String(d).trim()))));
      trackChild(leader, { group: true });
      const deaf = spawn('sh', ['-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      await new Promise((r) => deaf.stdout.once('data', r));
      trackChild(deaf, { group: false });
      console.log([leader.pid, member, deaf.pid].join(' '));
      await stopLiveChildren(300);
      console.log(liveChildPids().length);
      // The registry is closed: a child tracked from now on is stopped at once.
      const late = spawn('sleep', ['600'], { stdio: 'ignore' });
      trackChild(late, { group: false });
      await new Promise((r) => late.once('exit', r));
      console.log('late ' + late.signalCode);
    `);
    const [pids, left, late] = lines;
    // The member is reaped by whoever inherits it once its leader is gone: survivors polls (a safety net).
    expect(await survivors(pids!.split(' ').map(Number))).toEqual([]);
    expect(left).toBe('0');
    expect(late).toMatch(/^late SIG(TERM|KILL)$/);
  });

  it('children still running when the process exits are killed', async () => {
    const [line] = await runScript(`
      const leader = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
      trackChild(leader, { group: true });
      console.log(leader.pid);
      process.exit(0);
    `);
    const pid = Number(line);
    // Killed by the exit hook; reaped by whoever inherits it, so survivors polls (a safety net).
    expect(await survivors([pid])).toEqual([]);
  });
});
