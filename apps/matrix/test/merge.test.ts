/**
 * `run --shard i/n` and `wsmatrix merge`: a selection played whole and as shards joined by merge gives the same
 * report, case by case; merge refuses what cannot be one run's results and gates like `run`.
 */
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AutobahnIndex, CaseResult } from '@wsmatrix/runner';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

const SELECTION = '1.1.*,2.*,3.*,5.1*,7.1.*';
const SHARDS = 3;

const readJson = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

/** Each case's verdicts and result texts as its case file holds them, keyed by agent and case. */
async function verdicts(dir: string): Promise<Record<string, Record<string, unknown>>> {
  const index = await readJson<AutobahnIndex>(path.join(dir, 'index.json'));
  const out: Record<string, Record<string, unknown>> = {};
  for (const [agent, cases] of Object.entries(index)) {
    for (const [id, entry] of Object.entries(cases)) {
      const r = await readJson<CaseResult>(path.join(dir, entry.reportfile));
      out[`${agent} ${id}`] = {
        behavior: entry.behavior,
        behaviorClose: entry.behaviorClose,
        remoteCloseCode: entry.remoteCloseCode,
        reportfile: entry.reportfile,
        record: [r.behavior, r.behaviorClose, r.result, r.resultClose],
      };
    }
  }
  return out;
}

describe('run --shard i/n, then merge', () => {
  let base: string;
  let whole: string;
  const shards: string[] = [];
  const shardOutputs: string[] = [];

  beforeAll(async () => {
    base = await tempDir('merge');
    whole = path.join(base, 'whole');
    const single = await runMain(['run', '--targets', 'core', '--cases', SELECTION, '--out', whole]);
    expect(single.code, single.stderr).toBe(0);
    for (let i = 1; i <= SHARDS; i++) {
      const dir = path.join(base, `shard-${i}`);
      const r = await runMain([
        'run',
        '--targets',
        'core',
        '--cases',
        SELECTION,
        '--shard',
        `${i}/${SHARDS}`,
        '--out',
        dir,
      ]);
      expect(r.code, r.stderr).toBe(0);
      shards.push(dir);
      shardOutputs.push(r.stdout);
    }
  }, 180_000);

  afterAll(async () => {
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('each shard plays a part, says which, and the parts are disjoint and cover the selection', async () => {
    const parts: string[][] = [];
    for (const [i, dir] of shards.entries()) {
      expect(shardOutputs[i]).toMatch(new RegExp(`^shard ${i + 1}/${SHARDS}: \\d+ of the 43 selected cases`));
      const index = await readJson<AutobahnIndex>(path.join(dir, 'index.json'));
      // index.json stays Autobahn's: agents only; the shard's own record is a file beside it.
      expect(Object.keys(index)).toEqual(['core']);
      const record = await readJson<{ shard: string; agents: Record<string, string[]> }>(path.join(dir, 'shard.json'));
      expect(record.shard).toBe(`${i + 1}/${SHARDS}`);
      expect(Object.keys(index.core!).sort()).toEqual(record.agents.core!.slice().sort());
      parts.push(Object.keys(index.core!));
    }
    const all = parts.flat();
    expect(new Set(all).size).toBe(all.length);
    const wholeIds = Object.keys((await readJson<AutobahnIndex>(path.join(whole, 'index.json'))).core!);
    expect(all.slice().sort()).toEqual(wholeIds.slice().sort());
    for (const part of parts) expect(part.length).toBeGreaterThan(0);
  });

  it("the merged report equals the single run's: verdicts, result texts and file names, case by case", async () => {
    const out = path.join(base, 'merged');
    const junit = path.join(base, 'merged.xml');
    const r = await runMain(['merge', ...shards, '--out', out, '--junit', junit]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^core: 43 cases — behavior: OK \d+/m);
    expect(r.stdout).toMatch(/^rule strict: 43 of 43 case runs pass$/m);
    expect(await verdicts(out)).toEqual(await verdicts(whole));
    const files = async (dir: string) => (await readdir(dir)).filter((f) => f !== 'merged.json').sort();
    expect(await files(out)).toEqual(await files(whole));
    // index.json as one run writes it, key order included (cases in id order).
    const strip = (text: string) => text.replace(/"duration": \d+/g, '"duration": 0');
    expect(strip(await readFile(path.join(out, 'index.json'), 'utf8'))).toBe(
      strip(await readFile(path.join(whole, 'index.json'), 'utf8')),
    );
    const from = await readJson<{ mergedFrom: Array<{ dir: string; shard: string }> }>(path.join(out, 'merged.json'));
    expect(from.mergedFrom.map((f) => [f.dir, f.shard])).toEqual(shards.map((d, i) => [d, `${i + 1}/${SHARDS}`]));
    expect(await readFile(junit, 'utf8')).toMatch(/<testsuite name="core" tests="43" failures="0" errors="0"/);
  });

  it("an unsharded run into a shard's folder removes the shard's record", async () => {
    const reused = path.join(base, 'reused');
    await cp(shards[0]!, reused, { recursive: true });
    const r = await runMain(['run', '--targets', 'core', '--cases', '1.1.1', '--out', reused]);
    expect(r.code).toBe(0);
    expect((await readdir(reused)).includes('shard.json')).toBe(false);
  });

  it('the order of the folders does not change the merged report', async () => {
    const out = path.join(base, 'merged-reversed');
    const r = await runMain(['merge', ...shards.slice().reverse(), '--out', out]);
    expect(r.code).toBe(0);
    expect(await verdicts(out)).toEqual(await verdicts(whole));
  });

  describe('refuses with one line and exit 2', () => {
    const refuse = async (argv: string[], message: RegExp) => {
      const r = await runMain(['merge', ...argv]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    };

    it('a missing folder, a folder without index.json, no --out, --out among the inputs', async () => {
      await refuse([shards[0]!, path.join(base, 'nope'), '--out', path.join(base, 'x')], /nope: no such folder/);
      await refuse([base, '--out', path.join(base, 'x')], /no index\.json/);
      await refuse([...shards], /merge needs --out DIR/);
      await refuse([...shards, '--out', shards[0]!], /is one of the folders/);
    });

    it('a shard of the set missing, or given twice', async () => {
      await refuse([shards[0]!, shards[2]!, '--out', path.join(base, 'x')], /shard 2\/3 is missing/);
      await refuse([...shards, shards[1]!, '--out', path.join(base, 'x')], /shard 2\/3 is given twice/);
    });

    it('a case with different verdicts for the same agent in two folders', async () => {
      // A second run of shard 1 whose record of one case says otherwise (as another server build might).
      const other = path.join(base, 'other');
      await cp(shards[0]!, other, { recursive: true });
      await rm(path.join(other, 'shard.json'));
      const index = await readJson<AutobahnIndex>(path.join(other, 'index.json'));
      const id = Object.keys(index.core!)[0]!;
      const file = path.join(other, index.core![id]!.reportfile);
      const record = await readJson<CaseResult>(file);
      await writeFile(file, JSON.stringify({ ...record, behavior: 'FAILED' }));
      await refuse(
        [...shards, other, '--out', path.join(base, 'x')],
        new RegExp(`core ${id.replace(/\./g, '\\.')} is`),
      );
      // The same verdicts in two folders are one run's: merged once.
      const same = path.join(base, 'same');
      await cp(shards[0]!, same, { recursive: true });
      await rm(path.join(same, 'shard.json'));
      const r = await runMain(['merge', ...shards, same, '--out', path.join(base, 'merged-same')]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^core: 43 cases/m);
    });

    it('a case record that index.json names but the folder lacks', async () => {
      const broken = path.join(base, 'broken');
      await cp(shards[1]!, broken, { recursive: true });
      const index = await readJson<AutobahnIndex>(path.join(broken, 'index.json'));
      const [id, entry] = Object.entries(index.core!)[0]!;
      await rm(path.join(broken, entry.reportfile));
      await refuse([shards[0]!, broken, shards[2]!, '--out', path.join(base, 'x')], new RegExp(`case ${id}`));
    });
  });

  it('a case its shard selected but did not play (interrupted) is listed, skipped in JUnit, and fails', async () => {
    const partial = path.join(base, 'partial');
    await cp(shards[2]!, partial, { recursive: true });
    const index = await readJson<AutobahnIndex>(path.join(partial, 'index.json'));
    const [id] = Object.keys(index.core!);
    delete index.core![id!];
    await writeFile(path.join(partial, 'index.json'), JSON.stringify(index));
    const junit = path.join(base, 'partial.xml');
    const r = await runMain([
      'merge',
      shards[0]!,
      shards[1]!,
      partial,
      '--out',
      path.join(base, 'm-partial'),
      '--junit',
      junit,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`MISSING core ${id}: selected for shard 3/3`);
    expect(await readFile(junit, 'utf8')).toMatch(
      /<testsuite name="core" tests="43" failures="0" errors="0" skipped="1"/,
    );
  });
});

describe('merge gates on the pass rule like run', () => {
  it('shards of a server that does not echo: merged, the failing cases listed, exit 1', async () => {
    // Answers every message with a normal close instead of its echo: the echo cases fail on what they see.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (ws) => {
      ws.on('error', () => {});
      ws.on('message', () => ws.close(1000));
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const base = await tempDir('merge-rule');
    try {
      const dirs: string[] = [];
      for (let i = 1; i <= 2; i++) {
        const dir = path.join(base, `s${i}`);
        const r = await runMain([
          'run',
          '--url',
          url,
          '--agent',
          'mute',
          '--cases',
          '1.1.*',
          '--shard',
          `${i}/2`,
          '--out',
          dir,
        ]);
        expect(r.code).toBe(1);
        dirs.push(dir);
      }
      const r = await runMain(['merge', ...dirs, '--out', path.join(base, 'm')]);
      expect(r.code).toBe(1);
      expect(r.stdout.match(/^FAIL mute 1\.1\.\d: /gm)).toHaveLength(8);
      expect(r.stdout).toMatch(/^rule strict: 0 of 8 case runs pass$/m);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('--shard: bad values exit 2 with one line', () => {
  for (const value of ['x', '0/4', '5/4', '1/65', '2/0', '1/', '-1/4']) {
    it(value, async () => {
      const r = await runMain(['run', '--targets', 'core', '--shard', value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^wsmatrix: --shard must be I\/N with 1 <= I <= N <= 64/);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});

describe('wstest --shard, then merge', () => {
  it("keeps wstest's files: Autobahn-formatted case files and index.html", async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (ws) => {
      ws.on('error', () => {}); // the cases send bad frames on purpose: ws fails those connections
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const base = await tempDir('merge-wstest');
    try {
      const dirs: string[] = [];
      for (let i = 1; i <= 2; i++) {
        const outdir = path.join(base, `s${i}`);
        const spec = path.join(base, `spec${i}.json`);
        await writeFile(spec, JSON.stringify({ outdir, servers: [{ agent: 'echo', url }], cases: ['1.2.*', '2.*'] }));
        const r = await runMain(['wstest', '-m', 'fuzzingclient', '-s', spec, '--shard', `${i}/2`]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^shard ${i}/2: \\d+ of the 19 selected cases`));
        dirs.push(outdir);
      }
      const out = path.join(base, 'm');
      const r = await runMain(['merge', ...dirs, '--out', out]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^echo: 19 cases — behavior: OK 19/m);
      const files = await readdir(out);
      expect(files).toContain('index.html');
      expect(await readFile(path.join(out, 'echo_case_2_11.json'), 'utf8')).toMatch(/^\{\n {3}"agent": "echo",\n/);
      expect(await readFile(path.join(out, 'index.html'), 'utf8')).toContain('2.11');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the README\'s "Split a run across machines" workflow', () => {
  /** The `npx wsmatrix …` commands of the section's YAML, each folded (`>-`) command joined into one line. */
  async function workflowCommands(): Promise<string[]> {
    const readme = await readFile(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
    const start = readme.indexOf('\n## Split a run across machines\n');
    expect(start, 'the README section').toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = yaml.split('\n');
    const commands: string[] = [];
    for (const [i, line] of lines.entries()) {
      const at = line.indexOf('npx wsmatrix ');
      if (at < 0) continue;
      const indent = line.length - line.trimStart().length;
      const parts = [line.slice(at)];
      for (const next of lines.slice(i + 1)) {
        if (next.trim() === '' || next.length - next.trimStart().length !== indent) break;
        parts.push(next.trim());
      }
      commands.push(parts.join(' '));
    }
    return commands;
  }

  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
  const SHARD_EXPRESSION = '${{ matrix.shard }}';

  it('its run and merge commands, as written, give the single run’s verdicts', async () => {
    const commands = await workflowCommands();
    expect(commands).toHaveLength(2);
    const [runLine, mergeLine] = commands as [string, string];
    expect(runLine).toContain(`--shard ${SHARD_EXPRESSION}/4`);
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    server.on('connection', (ws) => {
      ws.on('error', () => {}); // the cases send bad frames on purpose: ws fails those connections
      ws.on('message', (data, binary) => ws.send(data, { binary }));
    });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    const project = await tempDir('merge-readme');
    const before = process.cwd();
    // The liberties taken: this server's URL, each shard number, and a selection that keeps the test short.
    const argv = (line: string, shard?: number) =>
      line.replaceAll('ws://127.0.0.1:9001', url).replaceAll(SHARD_EXPRESSION, String(shard)).split(/\s+/).slice(2);
    const selection = ['--cases', '1.*,2.*,5.*'];
    try {
      process.chdir(project);
      for (let shard = 1; shard <= 4; shard++) {
        const r = await runMain([...argv(runLine, shard), ...selection]);
        expect(r.code, `${runLine} (shard ${shard}): ${r.stdout}${r.stderr}`).toBe(0);
      }
      const merged = await runMain(argv(mergeLine));
      expect(merged.code, merged.stdout + merged.stderr).toBe(0);
      const single = await runMain(['run', '--url', url, '--agent', 'mine', ...selection, '--out', 'whole']);
      expect(single.code).toBe(0);
      expect(await verdicts(path.join(project, 'reports', 'servers'))).toEqual(
        await verdicts(path.join(project, 'whole')),
      );
      expect(await readFile(path.join(project, 'autobahn.xml'), 'utf8')).toContain('<testsuite name="mine"');
    } finally {
      process.chdir(before);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(project, { recursive: true, force: true });
    }
  }, 120_000);
});
