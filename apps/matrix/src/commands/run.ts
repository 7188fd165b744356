import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { agentCaseExcluded, caseById, type CaseDef } from '@wsmatrix/cases';
import { isTargetDown, summarize, writeReportFiles, type CaseResult } from '@wsmatrix/runner';
import { allTargetNames, type RunningTarget } from '@wsmatrix/targets';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { describeCpu, startCpuAccount } from '../cpu-account.js';
import { RELEASE_NOTES, targetSources } from '../target-specs.js';
import { applyCiChecks, CI_FLAGS, CI_NOTES, loadCiChecks } from '../ci-checks.js';
import { CONCURRENCY_FLAG } from './concurrency-flag.js';
import { exitCodeForSignal } from '../interrupt.js';
import { caseOutcome, TARGET_DOWN, toJUnit } from '../junit.js';
import { passRuleNotes } from '../pass-rules.js';
import { parseShard, SHARD_FLAG, SHARD_NOTES, selectShard, shardRecordOf, writeShardRecord } from '../shard-record.js';
import type { PlayOutcome } from '../play.js';
import { playRepeated } from '../play-repeated.js';
import { isTimingDependent, REPEAT_FLAG, REPEAT_NOTES, repeatCount } from '../repeats.js';
import { Progress } from '../progress.js';
import { verdictString } from '../report/index.js';
import { serverHeaderAgent } from '../server-agent.js';
import { describeSocketLayer, optionsInEffect } from '../target-options.js';
import { checkWsUrl, DEFAULT_OUTDIR, readSpecFile, specCaseIds } from '../spec-file.js';
import { USER_AGENT } from '../version.js';
import { selectIds } from './cases.js';
import type { Command, CommandContext } from './types.js';

export const EXIT_SERVER_UNREACHABLE = 3;

export const runSpec = {
  name: 'run',
  summary: 'Play the case catalogue against a server URL, the embedded targets, or an Autobahn spec file.',
  positionals: [],
  flags: {
    url: { type: 'string', placeholder: 'URL', description: 'ws:// URL of a running server to test' },
    agent: {
      type: 'string',
      placeholder: 'NAME',
      description: 'Name of the server under --url in reports [default: host:port]',
    },
    targets: {
      type: 'list',
      choices: allTargetNames(),
      releases: true,
      placeholder: 'LIST',
      description: 'Targets to start and test',
    },
    spec: { type: 'string', placeholder: 'FILE', description: 'Autobahn fuzzingclient spec file (JSON)' },
    out: {
      type: 'string',
      placeholder: 'DIR',
      description: `Report folder [default: the spec's outdir, else ${DEFAULT_OUTDIR}]`,
    },
    cases: {
      type: 'list',
      placeholder: 'PATTERNS',
      description: 'Autobahn patterns of cases to run (1.*, 6.4.*, 9.*) [default: *]',
    },
    'exclude-cases': { type: 'list', placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to skip' },
    concurrency: CONCURRENCY_FLAG,
    repeat: REPEAT_FLAG,
    shard: SHARD_FLAG,
    junit: {
      type: 'string',
      placeholder: 'FILE',
      description: 'Also write JUnit XML (one testsuite per server, one testcase per case)',
    },
    json: { type: 'boolean', description: 'Print a machine summary (JSON) on stdout; human output goes to stderr' },
    ...CI_FLAGS,
  },
  notes: [
    ...RELEASE_NOTES,
    ...passRuleNotes(),
    ...CI_NOTES,
    ...REPEAT_NOTES,
    ...SHARD_NOTES,
    'Exit codes: 0 every case passed; 1 a case failed the pass rule or differs from --expected; 2 bad usage;',
    '3 a server could not be reached (its rows say "target down");',
    '128+N stopped by signal N (130 for Ctrl-C). ' +
      'SIGINT, SIGTERM and SIGHUP stop the started targets, write the cases finished',
    'so far and report the rest as not run (interrupted); a second signal exits at once.',
  ],
} as const satisfies CommandSpec;

interface Plan {
  servers: Array<{ agent: string; url: string; failByDrop?: boolean }>;
  caseIds: string[];
  outDir: string;
  skip?: (agent: string, caseId: string) => boolean;
  targets: string[];
}

async function plan(flags: ReturnType<typeof parseArgs<typeof runSpec>>['flags']): Promise<Plan> {
  const sources = [flags.url, flags.targets, flags.spec].filter((v) => v !== undefined);
  if (sources.length !== 1) throw new UsageError('run needs exactly one of --url, --targets or --spec');
  if (flags.agent !== undefined && flags.url === undefined) throw new UsageError('--agent goes with --url');
  if (flags.spec !== undefined) {
    if (flags.cases !== undefined || flags['exclude-cases'] !== undefined) {
      throw new UsageError('--cases and --exclude-cases cannot be combined with --spec (the spec selects the cases)');
    }
    const spec = await readSpecFile(flags.spec);
    const caseIds = specCaseIds(spec);
    const eac = spec.excludeAgentCases;
    const servers: Plan['servers'] = [];
    for (const s of spec.servers) {
      // As Autobahn: a server without an agent is named by its Server response header.
      const agent = s.agent ?? (await serverHeaderAgent(s.url));
      if (servers.some((other) => other.agent === agent)) {
        throw new UsageError(`spec ${flags.spec}: two servers are named "${agent}" (give each an "agent")`);
      }
      servers.push({ agent, url: s.url, failByDrop: s.failByDrop });
    }
    return {
      servers,
      caseIds,
      outDir: flags.out ?? path.resolve(path.dirname(flags.spec), spec.outdir),
      skip: (agent, id) => agentCaseExcluded(eac, agent, id),
      targets: [],
    };
  }
  const caseIds = selectIds(flags.cases ?? ['*'], flags['exclude-cases'] ?? []);
  const outDir = flags.out ?? DEFAULT_OUTDIR;
  if (flags.url !== undefined) {
    const url = checkWsUrl(flags.url, '--url');
    return { servers: [{ agent: flags.agent ?? url.host, url: flags.url }], caseIds, outDir, targets: [] };
  }
  const targets = [...new Set(flags.targets)];
  return { servers: [], caseIds, outDir, targets };
}

export const runCommand: Command<typeof runSpec> = {
  spec: runSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(runSpec, argv);
    const checks = await loadCiChecks(flags);
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
    const p = await plan(flags);
    // Releases are installed now: a bad spec or a missing release stops the run before anything starts.
    const sources = await targetSources(p.targets, ctx.stderr);
    p.targets = sources.map((s) => s.name);
    const selectedIds = p.caseIds;
    // With --json, stdout carries only the JSON document; the human lines go to stderr.
    const printJson = ctx.stdout;
    if (flags.json) ctx = { ...ctx, stdout: ctx.stderr };
    if (p.caseIds.length === 0) throw new UsageError('the case selection is empty');
    if (shard !== undefined) {
      const mine = selectShard(p.caseIds, shard);
      p.caseIds = mine.ids;
      ctx.stdout(mine.summary);
    }
    const cases = p.caseIds.map((id) => caseById(id)!);
    const startedAt = Date.now();
    const progress = new Progress({
      write: ctx.stderr,
      isTTY: process.stderr.isTTY === true,
      columns: () => process.stderr.columns,
    });
    const say = (text: string): void => progress.above(ctx.stdout, text);
    const warn = (text: string): void => progress.above(ctx.stderr, text);

    const running: RunningTarget[] = [];
    const startFailedNames = new Set<string>();
    try {
      for (const { name, make } of sources) {
        if (ctx.signal.aborted) break;
        const target = make();
        try {
          const r = await target.start({ port: 0 });
          running.push(r);
          p.servers.push({ agent: name, url: r.url });
          say(
            `started ${name} (${target.implementation} ${target.version}) on ${r.url}` +
              `${describeSocketLayer(optionsInEffect(target, r))}\n`,
          );
        } catch (err) {
          if (ctx.signal.aborted) break;
          startFailedNames.add(name);
          const text = oneLine(err instanceof Error ? err.message : String(err));
          warn(`wsmatrix: ${text.includes(`"${name}"`) ? text : `target ${name} did not start: ${text}`}\n`);
        }
      }
      const cpu = startCpuAccount(running.length > 0 ? running : [{}]);
      const outcomes = await playAll(p, cases, flags.concurrency, repeatCount(flags.repeat), ctx.signal, progress);
      cpu.stop();
      progress.finish();
      // Targets the interrupt came before: every case of theirs not run.
      for (const name of p.targets) {
        if (ctx.signal.aborted && !outcomes.has(name) && !startFailedNames.has(name)) {
          outcomes.set(name, { results: [], interrupted: [...p.caseIds], unreachable: null });
        }
      }
      const interruptedBy = ctx.signal.aborted ? String(ctx.signal.reason) : undefined;
      const byAgent = new Map([...outcomes].map(([agent, o]) => [agent, o.results]));
      for (const [agent, o] of outcomes) {
        if (o.unreachable === null) continue;
        const down = o.results.filter(isTargetDown).length;
        ctx.stderr(
          `wsmatrix: ${agent} could not be reached (${oneLine(o.unreachable)}); ` +
            `its ${down} case${down === 1 ? ' is' : 's are'} reported as "target down"\n`,
        );
      }
      const index = await writeReportFiles(p.outDir, byAgent);
      const agentIds = [...outcomes.keys()].map((a) => [a, p.caseIds.filter((id) => !p.skip?.(a, id))] as const);
      await writeShardRecord(p.outDir, shardRecordOf(shard, selectedIds, agentIds));
      printSummary(outcomes, ctx);
      ctx.stdout(`reports in ${p.outDir} (index.json + one file per case)\n`);
      const wallMs = Date.now() - startedAt;
      ctx.stdout(
        `wall time ${(wallMs / 1000).toFixed(1)} s for ${cases.length} cases × ${p.servers.length} server(s)\n`,
      );
      ctx.stdout(`${describeCpu(cpu.result())}\n`);
      if (interruptedBy !== undefined) {
        const notRun = [...outcomes.values()].reduce((n, o) => n + o.interrupted.length, 0);
        ctx.stdout(`interrupted by ${interruptedBy}: ${notRun} case run(s) not played (not run, not failed)\n`);
      }
      if (flags.junit !== undefined) {
        const suites = [...outcomes].map(([name, o]) => ({
          name,
          results: o.results,
          ...(o.interrupted.length
            ? { notRun: { ids: o.interrupted, reason: `not run (interrupted by ${interruptedBy})` } }
            : {}),
        }));
        await writeFile(flags.junit, toJUnit(suites));
        ctx.stdout(`JUnit XML in ${flags.junit}\n`);
      }
      if (flags.json) {
        const servers = [...outcomes].map(([agent, o]) => ({
          agent,
          url: p.servers.find((s) => s.agent === agent)?.url,
          down: o.unreachable !== null,
          totals: summarize(o.results.filter((r) => !isTargetDown(r))),
          targetDown: o.results.filter(isTargetDown).length,
          interrupted: o.interrupted.length,
          notOk: notOkVerdicts(o.results),
        }));
        const summary = {
          wallMs,
          cpu: cpu.result(),
          cases: cases.length,
          outDir: p.outDir,
          ...(interruptedBy ? { interruptedBy } : {}),
          servers,
        };
        printJson(`${JSON.stringify(summary, null, 1)}\n`);
      }
      const failed = await applyCiChecks(index, checks, ctx.stdout, (agent, id) => {
        const r = outcomes.get(agent)?.results.find((c) => c.id === id);
        // Rows of a dead server all say the same: its summary line counts them, none is listed.
        return r === undefined || isTargetDown(r) ? null : oneLine(r.result);
      });
      if (interruptedBy !== undefined) return exitCodeForSignal(interruptedBy);
      if (startFailedNames.size > 0 || [...outcomes.values()].some((o) => o.unreachable !== null))
        return EXIT_SERVER_UNREACHABLE;
      return failed ? 1 : 0;
    } finally {
      // After an interrupt the external targets are already being stopped; in-process ones close here.
      await Promise.all(running.map((r) => r.close().catch(() => {})));
    }
  },
};

/** Plays the servers one after the other; after an interrupt, the servers not reached get every case as interrupted. */
async function playAll(
  p: Plan,
  cases: CaseDef[],
  concurrency: number | undefined,
  repeat: number,
  signal: AbortSignal,
  progress: Progress,
): Promise<Map<string, PlayOutcome>> {
  const selected = (agent: string) => cases.filter((c) => !p.skip?.(agent, c.id));
  for (const s of p.servers) progress.expect(s.agent, selected(s.agent).length * repeat);
  const outcomes = new Map<string, PlayOutcome>();
  for (const s of p.servers) {
    const outcome = await playRepeated(repeat, {
      agent: s.agent,
      url: s.url,
      cases: selected(s.agent),
      concurrency,
      userAgent: USER_AGENT,
      failByDrop: s.failByDrop,
      signal,
      onResult: (r) => progress.caseDone(r.agent, caseOutcome(r)),
    });
    outcomes.set(s.agent, outcome);
  }
  return outcomes;
}

/** "target down" for the rows of a server that could not be reached, else the verdict, for each row that is not OK. */
function notOkVerdicts(results: readonly CaseResult[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results) {
    const v = isTargetDown(r) ? TARGET_DOWN : verdictString(r);
    if (v !== 'OK') out[r.id] = v;
  }
  return out;
}

/** Per-agent verdict counts (the cases failing the pass rule are listed by applyCiChecks). */
function printSummary(outcomes: ReadonlyMap<string, PlayOutcome>, ctx: CommandContext): void {
  const counts = (m: Record<string, number>) =>
    Object.entries(m)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  for (const [agent, o] of outcomes) {
    const played = o.results.filter((r) => !isTargetDown(r));
    const down = o.results.length - played.length;
    const s = summarize(played);
    const timing = played.filter((r) => isTimingDependent(r.repeats)).length;
    const extra = [
      ...(timing ? [`${timing} timing-dependent (verdict differed across --repeat runs)`] : []),
      ...(down ? [`${down} ${TARGET_DOWN}`] : []),
      ...(o.interrupted.length ? [`${o.interrupted.length} not run (interrupted)`] : []),
    ];
    const verdicts = played.length ? ` — behavior: ${counts(s.behavior)}; close: ${counts(s.behaviorClose)}` : '';
    ctx.stdout(
      `${agent}: ${played.length} case${played.length === 1 ? '' : 's'} played` +
        `${verdicts}${extra.length ? `; ${extra.join('; ')}` : ''}\n`,
    );
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}
