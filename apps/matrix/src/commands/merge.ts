/**
 * `wsmatrix merge DIR... --out DIR`: the report folders of a sharded run (`run --shard i/n --out DIR` on
 * each machine) joined into the folder one run would have written: index.json and a file per case (and
 * index.html when the shards have one, as wstest writes), plus merged.json, a file of our own naming the
 * folders it came from. The pass rule (or --expected) decides the exit code, as for `run`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isTargetDown, summarize, writeReportFiles } from '@wsmatrix/runner';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { renderIndexHtml } from '../autobahn-index-html.js';
import { applyCiChecks, CI_FLAGS, CI_NOTES, loadCiChecks } from '../ci-checks.js';
import { toJUnit } from '../junit.js';
import { DEFAULT_PASS_RULE, PASS_RULES, passRuleNotes } from '../pass-rules.js';
import { MergeError, mergeFolders, readReportFolder, type ReportFolder } from '../shard-merge.js';
import type { Command } from './types.js';

/** Beside the merged index.json: where it came from (index.json itself stays Autobahn's). */
export const MERGED_FROM_FILE = 'merged.json';

export const mergeSpec = {
  name: 'merge',
  summary: 'Join the report folders of a sharded run (run --shard i/n) into one index.json and report.',
  positionals: [{ name: 'DIR', description: 'Report folders to join (each with index.json)', variadic: true }],
  flags: {
    out: { type: 'string', placeholder: 'DIR', description: 'Folder to write the joined report to (required)' },
    junit: {
      type: 'string',
      placeholder: 'FILE',
      description: 'Also write JUnit XML (one testsuite per server, one testcase per case)',
    },
    ...CI_FLAGS,
  },
  notes: [
    'Shards of one selection (their shard.json) must all be given, each once; folders without shard.json join as',
    'they are. A case two folders hold with different verdicts for the same agent is refused.',
    ...passRuleNotes(),
    ...CI_NOTES,
    'Exit codes: 0 every case passed; 1 a case failed the pass rule, differs from --expected, or a shard lacks',
    'a case it selected (interrupted); 2 bad usage, a folder missing, a shard missing, a verdict conflict;',
    '3 a server could not be reached in a shard (its rows say "target down").',
  ],
} as const satisfies CommandSpec;

export const mergeCommand: Command<typeof mergeSpec> = {
  spec: mergeSpec,
  async run(argv, ctx) {
    const { flags, variadic } = parseArgs(mergeSpec, argv);
    if (flags.out === undefined) throw new UsageError('merge needs --out DIR (the folder to write)');
    const dirs = variadic;
    if (dirs.length === 0) throw new UsageError('merge needs at least one report folder');
    const out = path.resolve(flags.out);
    if (dirs.some((d) => path.resolve(d) === out)) throw new UsageError(`--out ${flags.out} is one of the folders`);
    const checks = await loadCiChecks(flags);
    const folders: ReportFolder[] = [];
    let merged: ReturnType<typeof mergeFolders>;
    try {
      for (const dir of dirs) folders.push(await readReportFolder(dir));
      merged = mergeFolders(folders);
    } catch (err) {
      if (err instanceof MergeError) throw new UsageError(err.message);
      throw err;
    }
    const { results, missing } = merged;

    const autobahnFormat = folders.length > 0 && folders.every((f) => f.autobahnFormat);
    const index = await writeReportFiles(out, results, autobahnFormat ? 'autobahn' : 'compact');
    const rule = checks.rule ?? PASS_RULES[DEFAULT_PASS_RULE];
    if (folders.every((f) => f.hasIndexHtml)) {
      await writeFile(path.join(out, 'index.html'), renderIndexHtml(index, rule, new Date()));
    }
    const from = folders.map((f) => ({
      dir: f.dir,
      shard: f.shard?.shard ?? null,
      cases: Object.fromEntries([...f.records].map(([agent, list]) => [agent, list.length])),
    }));
    await writeFile(path.join(out, MERGED_FROM_FILE), `${JSON.stringify({ mergedFrom: from }, null, 1)}\n`);

    for (const f of from) {
      const counts = Object.entries(f.cases).map(([agent, n]) => `${agent} ${n}`);
      ctx.stdout(`${f.dir}${f.shard ? ` (shard ${f.shard})` : ''}: ${counts.join(', ') || 'no cases'}\n`);
    }
    const counts = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    let down = 0;
    for (const [agent, list] of results) {
      const played = list.filter((r) => !isTargetDown(r));
      down += list.length - played.length;
      const s = summarize(played);
      const verdicts = played.length ? ` — behavior: ${counts(s.behavior)}; close: ${counts(s.behaviorClose)}` : '';
      const extra = list.length > played.length ? `; ${list.length - played.length} target down` : '';
      ctx.stdout(`${agent}: ${played.length} case${played.length === 1 ? '' : 's'}${verdicts}${extra}\n`);
    }
    for (const m of missing) {
      ctx.stdout(`MISSING ${m.agent} ${m.id}: selected for shard ${m.shard} but not in ${m.dir} (not run)\n`);
    }
    ctx.stdout(`merged report in ${out} (index.json + one file per case, ${MERGED_FROM_FILE})\n`);

    if (flags.junit !== undefined) {
      const suites = [...results].map(([name, list]) => {
        const notRun = missing.filter((m) => m.agent === name).map((m) => m.id);
        return {
          name,
          results: list,
          ...(notRun.length ? { notRun: { ids: notRun, reason: 'not run (missing from its shard)' } } : {}),
        };
      });
      await writeFile(flags.junit, toJUnit(suites));
      ctx.stdout(`JUnit XML in ${flags.junit}\n`);
    }
    const failed = await applyCiChecks(index, checks, ctx.stdout, (agent, id) => {
      const r = results.get(agent)?.find((c) => c.id === id);
      return r === undefined || isTargetDown(r) ? null : r.result.replace(/\s+/g, ' ').trim().slice(0, 140);
    });
    if (down > 0) return 3;
    return failed || missing.length > 0 ? 1 : 0;
  },
};
