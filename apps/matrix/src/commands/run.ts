import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { agentCaseExcluded, caseById, isAutobahnCaseId, type CaseDef } from '@wsmatrix/cases';
import { resultPassed, runSuite, summarize, writeReportFiles, type CaseResult } from '@wsmatrix/runner';
import { allTargetNames, getAnyTarget, type RunningTarget } from '@wsmatrix/targets';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { toJUnit } from '../junit.js';
import { Progress } from '../progress.js';
import { verdictMap } from '../report/index.js';
import { checkWsUrl, DEFAULT_OUTDIR, readSpecFile } from '../spec-file.js';
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
    agent: { type: 'string', placeholder: 'NAME', description: 'Name of the server under --url in reports [default: host:port]' },
    targets: { type: 'list', choices: allTargetNames(), placeholder: 'LIST', description: 'Embedded targets to start and test' },
    spec: { type: 'string', placeholder: 'FILE', description: 'Autobahn fuzzingclient spec file (JSON)' },
    out: { type: 'string', placeholder: 'DIR', description: `Report folder [default: the spec's outdir, else ${DEFAULT_OUTDIR}]` },
    cases: { type: 'list', placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to run (1.*, 6.4.*, 9.*) [default: *]' },
    'exclude-cases': { type: 'list', placeholder: 'PATTERNS', description: 'Autobahn patterns of cases to skip' },
    concurrency: { type: 'integer', min: 1, max: 1024, placeholder: 'N', description: 'Cases in flight at once (9.x always run alone) [default: from the core count]' },
    junit: { type: 'string', placeholder: 'FILE', description: 'Also write JUnit XML (one testsuite per server, one testcase per case)' },
    json: { type: 'boolean', description: 'Print a machine summary (JSON) on stdout; human output goes to stderr' },
  },
} as const satisfies CommandSpec;

interface Plan {
  servers: Array<{ agent: string; url: string }>;
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
    // A spec is Autobahn's config: its "*" means Autobahn's cases. Our handshake group 0 runs only when
    // a pattern names it, so the output stays comparable with Autobahn's own reports.
    const group0Patterns = spec.cases.filter((p) => p === '0' || p.startsWith('0.'));
    const group0 = group0Patterns.length ? selectIds(group0Patterns, spec.excludeCases) : [];
    const autobahn = selectIds(spec.cases, spec.excludeCases).filter(isAutobahnCaseId);
    const caseIds = [...group0, ...autobahn];
    const eac = spec.excludeAgentCases;
    return {
      servers: spec.servers,
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
    const p = await plan(flags);
    // With --json, stdout carries only the JSON document; the human lines go to stderr.
    const printJson = ctx.stdout;
    if (flags.json) ctx = { ...ctx, stdout: ctx.stderr };
    if (p.caseIds.length === 0) throw new UsageError('the case selection is empty');
    const cases = p.caseIds.map((id) => caseById(id)!);
    const startedAt = Date.now();

    const running: RunningTarget[] = [];
    let unreachable = false;
    try {
      for (const name of p.targets) {
        const target = getAnyTarget(name);
        try {
          const r = await target.start({ port: 0 });
          running.push(r);
          p.servers.push({ agent: name, url: r.url });
          ctx.stdout(`started ${name} (${target.implementation} ${target.version}) on ${r.url}\n`);
        } catch (err) {
          unreachable = true;
          ctx.stderr(`wsmatrix: target ${name} did not start: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
      const results = await playAll(p, cases, flags.concurrency, ctx);
      for (const agent of results.down) {
        unreachable = true;
        ctx.stderr(`wsmatrix: ${agent} could not be reached; its cases are reported as "target down"\n`);
      }
      await writeReportFiles(p.outDir, results.byAgent);
      const failed = printSummary(results.byAgent, ctx);
      ctx.stdout(`reports in ${p.outDir} (index.json + one file per case)\n`);
      const wallMs = Date.now() - startedAt;
      ctx.stdout(`wall time ${(wallMs / 1000).toFixed(1)} s for ${cases.length} cases × ${p.servers.length} server(s)\n`);
      if (flags.junit !== undefined) {
        await writeFile(flags.junit, toJUnit([...results.byAgent].map(([name, list]) => ({ name, results: list }))));
        ctx.stdout(`JUnit XML in ${flags.junit}\n`);
      }
      if (flags.json) {
        const servers = [...results.byAgent].map(([agent, list]) => ({
          agent,
          url: p.servers.find((s) => s.agent === agent)?.url,
          down: results.down.includes(agent),
          totals: summarize(list),
          notOk: Object.fromEntries(Object.entries(verdictMap(list)).filter(([, v]) => v !== 'OK')),
        }));
        printJson(`${JSON.stringify({ wallMs, cases: cases.length, outDir: p.outDir, servers }, null, 1)}\n`);
      }
      if (unreachable) return EXIT_SERVER_UNREACHABLE;
      return failed ? 1 : 0;
    } finally {
      await Promise.all(running.map((r) => r.close()));
    }
  },
};

async function playAll(
  p: Plan,
  cases: CaseDef[],
  concurrency: number | undefined,
  ctx: CommandContext,
): Promise<{ byAgent: Map<string, CaseResult[]>; down: string[] }> {
  const progress = new Progress({ write: ctx.stderr, isTTY: process.stderr.isTTY === true });
  for (const s of p.servers) progress.expect(s.agent, cases.filter((c) => !p.skip?.(s.agent, c.id)).length);
  const down: string[] = [];
  const byAgent = await runSuite({
    servers: p.servers,
    cases,
    ...(concurrency !== undefined ? { concurrency } : {}),
    userAgent: USER_AGENT,
    ...(p.skip ? { skip: p.skip } : {}),
    onResult: (r) => progress.caseDone(r.agent, !resultPassed(r)),
    onTargetDown: (agent) => down.push(agent),
  });
  progress.finish();
  return { byAgent, down };
}

/** Per-agent verdict counts and the cases that did not pass; true when any case failed. */
function printSummary(byAgent: ReadonlyMap<string, readonly CaseResult[]>, ctx: CommandContext): boolean {
  let anyFailed = false;
  for (const [agent, results] of byAgent) {
    const s = summarize(results);
    const counts = (m: Record<string, number>) =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    ctx.stdout(`${agent}: ${s.total} cases — behavior: ${counts(s.behavior)}; close: ${counts(s.behaviorClose)}\n`);
    const failing = results.filter((r) => !resultPassed(r));
    if (failing.length > 0) anyFailed = true;
    for (const r of failing.slice(0, 20)) {
      ctx.stdout(`  ${r.id.padEnd(8)} ${r.behavior}/${r.behaviorClose}  ${oneLine(r.result)}\n`);
    }
    if (failing.length > 20) ctx.stdout(`  … and ${failing.length - 20} more (see index.json)\n`);
  }
  return anyFailed;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}
