/** The allocator settings reach the processes that are measured, and only when asked for. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { allocatorEnv, STEADY_MALLOC_TUNABLES } from '../src/allocator.js';
import { startServerProcess, type ServerProcess } from '../src/processes.js';

function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
}

describe('allocatorEnv', () => {
  it('adds the steady tunables, after any the user already set', () => {
    expect(allocatorEnv('steady', { A: '1' })).toEqual({ A: '1', GLIBC_TUNABLES: STEADY_MALLOC_TUNABLES });
    expect(allocatorEnv('steady', { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }).GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${STEADY_MALLOC_TUNABLES}`,
    );
    expect(STEADY_MALLOC_TUNABLES).toMatch(/trim_threshold=\d+:.*top_pad=\d+:.*mmap_threshold=33554432$/);
  });
  it('leaves the environment alone for default', () => {
    expect(allocatorEnv('default', { A: '1' })).toEqual({ A: '1' });
  });
});

describe.runIf(process.platform === 'linux')('server processes', () => {
  let server: ServerProcess | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  it('run with the steady tunables by default', async () => {
    server = await startServerProcess('tcp');
    // glibc parses the variable in place at start-up, cutting it at the first ':', so only its first
    // tunable is still readable in /proc/<pid>/environ.
    const tunables = environOf(server.info.pid).find((e) => e.startsWith('GLIBC_TUNABLES='));
    expect(tunables).toBeDefined();
    expect(STEADY_MALLOC_TUNABLES.startsWith(tunables!.slice('GLIBC_TUNABLES='.length))).toBe(true);
    expect(tunables).toMatch(/^GLIBC_TUNABLES=glibc\.malloc\.trim_threshold=\d+/);
  }, 20_000);
  it('run without them under --malloc default', async () => {
    const before = process.env.GLIBC_TUNABLES;
    server = await startServerProcess('tcp', { malloc: 'default' });
    const tunables = environOf(server.info.pid).find((e) => e.startsWith('GLIBC_TUNABLES='));
    expect(tunables).toBe(before === undefined ? undefined : `GLIBC_TUNABLES=${before}`);
  }, 20_000);
});
