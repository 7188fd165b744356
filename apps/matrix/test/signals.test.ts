/**
 * Real signals to the real CLI: every child it started (external targets in their own process groups,
 * the benchmark's servers and load generator, and what those started) is gone once it has
 * exited, and what finished before the signal was written.
 */
import { cp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAnyTarget } from '@wsmatrix/targets';
import { commandLine, descendants, survivors } from '@wsmatrix/targets/testing';
import { describe, expect, it } from 'vitest';
import { startCli } from './child-processes.js';
import { tempDir } from './temp-dir.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Hard limit for a whole test: a safety net, not a measurement. */
const SAFETY_NET_MS = 180_000;

// CI installs libwslay-dev and python3-websockets, so there a missing one is a failure; on a developer
// machine without them these tests are skipped with the reason.
const missing = ['wslay', 'python-websockets']
  .map(
    (name) =>
      [name, (getAnyTarget(name) as { unavailableReason?: () => string | undefined }).unavailableReason?.()] as const,
  )
  .filter(([, why]) => why !== undefined);
const skip = missing.length > 0 && !process.env.CI;
const skipNote = skip ? ` (skipped: ${missing.map(([n, why]) => `${n}: ${why}`).join('; ')})` : '';

type Index = Record<string, Record<string, { behavior: string }>>;

/** The processes the CLI started that run `pattern` (e.g. the wslay echo server and the handlers it forks). */
function childrenRunning(cliPid: number, pattern: RegExp): number[] {
  return descendants(cliPid).filter((pid) => pattern.test(commandLine(pid)));
}

describe.skipIf(skip)(`signals end every child process${skipNote}`, { timeout: SAFETY_NET_MS }, () => {
  it('SIGINT to run: external targets stop, the finished cases are written, the rest reported as not run', async () => {
    const out = await tempDir('signals');
    const cli = startCli(['run', '--targets', 'wslay,python-websockets', '--cases', '1.*,9.*', '--out', out]);
    await cli.waitFor(/started python-websockets /);
    // The first progress line comes with the first finished case.
    await cli.waitFor(/wslay [1-9]\d*\/\d+/);
    const children = descendants(cli.pid);
    expect(childrenRunning(cli.pid, /wslay-echo/).length).toBeGreaterThanOrEqual(1);
    expect(childrenRunning(cli.pid, /python-websockets-echo\.py/)).toHaveLength(1);
    process.kill(cli.pid, 'SIGINT');
    expect(await cli.exited).toBe(130);
    expect(await survivors(children)).toEqual([]);

    const index = JSON.parse(await readFile(path.join(out, 'index.json'), 'utf8')) as Index;
    const played = Object.keys(index.wslay ?? {});
    expect(played.length).toBeGreaterThan(0);
    expect(Object.keys(index['python-websockets'] ?? {})).toEqual([]);
    // Each finished case has its report file beside the index.
    const files = await readdir(out);
    expect(files.filter((f) => f.startsWith('wslay_case_'))).toHaveLength(played.length);
    expect(cli.stdout()).toMatch(/python-websockets: 0 cases played; \d+ not run \(interrupted\)/);
    expect(cli.stdout()).toMatch(/interrupted by SIGINT: \d+ case run\(s\) not played/);
    expect(cli.stdout()).not.toMatch(/target down/);
  });

  it(
    'SIGTERM to matrix: the target stops, the finished cases merge into the stored release, ' +
      'interrupted ones keep their verdicts',
    async () => {
      const dir = await tempDir('signals');
      const results = path.join(dir, 'results');
      const version = getAnyTarget('wslay').version;
      const release = path.join(results, 'wslay', version);
      await cp(path.join(REPO, 'matrix', 'results', 'wslay', version), release, { recursive: true });
      const before = JSON.parse(await readFile(path.join(release, 'index.json'), 'utf8')) as Index;
      const runsBefore = await readdir(path.join(release, 'runs'));

      const cli = startCli([
        'matrix',
        '--targets',
        'wslay',
        '--cases',
        '1.*,9.*',
        '--results',
        results,
        '--report',
        path.join(dir, 'report'),
        // The copied runs may have measured these cases with this very code: played again, not reused.
        '--rerun',
      ]);
      await cli.waitFor(/wslay: wslay \S+ on ws:/);
      await cli.waitFor(/wslay [1-9]\d*\/\d+/);
      const children = descendants(cli.pid);
      expect(childrenRunning(cli.pid, /wslay-echo/).length).toBeGreaterThanOrEqual(1);
      process.kill(cli.pid, 'SIGTERM');
      expect(await cli.exited).toBe(143);
      expect(await survivors(children)).toEqual([]);

      const after = JSON.parse(await readFile(path.join(release, 'index.json'), 'utf8')) as Index;
      expect(Object.keys(after.wslay!).length).toBe(Object.keys(before.wslay!).length);
      const runFile = (await readdir(path.join(release, 'runs'))).find((f) => !runsBefore.includes(f))!;
      const run = JSON.parse(await readFile(path.join(release, 'runs', runFile), 'utf8')) as {
        verdicts: Record<string, string>;
        interrupted: string[];
        interruptedBy: string;
      };
      expect(run.interruptedBy).toBe('SIGTERM');
      expect(Object.keys(run.verdicts).length).toBeGreaterThan(0);
      expect(run.interrupted.length).toBeGreaterThan(0);
      for (const id of run.interrupted) expect(after.wslay![id]).toEqual(before.wslay![id]);
      // The report was written, with the column saying what happened.
      expect(await readFile(path.join(dir, 'report', 'index.html'), 'utf8')).toContain('interrupted by SIGTERM');
    },
  );

  it('SIGHUP to serve: the external server stops and serve exits 0', async () => {
    const cli = startCli(['serve', 'python-websockets', '--port', '0']);
    await cli.waitFor(/listening on ws:/);
    const children = descendants(cli.pid);
    expect(childrenRunning(cli.pid, /python-websockets-echo\.py/)).toHaveLength(1);
    process.kill(cli.pid, 'SIGHUP');
    expect(await cli.exited).toBe(0);
    expect(await survivors(children)).toEqual([]);
  });

  it('a second SIGINT right after the first still ends every child', async () => {
    const out = await tempDir('signals');
    const cli = startCli(['run', '--targets', 'wslay', '--cases', '9.*', '--out', out]);
    await cli.waitFor(/started wslay /);
    const children = descendants(cli.pid);
    expect(childrenRunning(cli.pid, /wslay-echo/).length).toBeGreaterThanOrEqual(1);
    process.kill(cli.pid, 'SIGINT');
    await cli.waitFor(/SIGINT: stopping/);
    // The first stop may already be over (it takes little time here): then there is no one to force.
    try {
      process.kill(cli.pid, 'SIGINT');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    expect(await cli.exited).toBe(130);
    expect(await survivors(children)).toEqual([]);
  });

  it('SIGINT to bench: servers, load generator and the external server they started all end', async () => {
    const cli = startCli([
      'bench',
      '--targets',
      'wslay',
      '--workloads',
      'small',
      '--duration',
      '5',
      '--runs',
      '3',
      '--warmup-round',
      '0',
      '--quiet-wait',
      '0',
      '--no-pin',
    ]);
    await cli.waitFor(/processes: compiled JavaScript/);
    // Printed once the servers and the load generator are all up.
    await cli.waitFor(/started: .* and the load generator/);
    const children = descendants(cli.pid);
    expect(childrenRunning(cli.pid, /wslay-echo/).length).toBeGreaterThanOrEqual(1);
    expect(childrenRunning(cli.pid, /server-process/).length).toBeGreaterThanOrEqual(3);
    expect(childrenRunning(cli.pid, /client-process/)).toHaveLength(1);
    process.kill(cli.pid, 'SIGINT');
    expect(await cli.exited).toBe(130);
    expect(await survivors(children)).toEqual([]);
    expect(cli.stderr()).toMatch(/wsmatrix: interrupted by SIGINT/);
  });
});
