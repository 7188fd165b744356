/**
 * `wstest -m fuzzingclient -s spec.json`: a drop-in for Autobahn's wstest in other projects' CI. Reads the
 * same spec, writes the same files where Autobahn writes them (outdir relative to the working directory:
 * index.json and one <agent>_case_<id>.json per case, as AutobahnPython formats them, and index.html), and,
 * unlike Autobahn, exits 1 when a case fails the chosen pass rule or differs from the expected results.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { agentCaseExcluded, caseById } from '@wsmatrix/cases';
import { isTargetDown, summarize, writeReportFiles, type CaseResult } from '@wsmatrix/runner';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { renderIndexHtml } from '../autobahn-index-html.js';
import { applyCiChecks, CI_FLAGS, CI_NOTES, loadCiChecks } from '../ci-checks.js';
import { CONCURRENCY_FLAG } from './concurrency-flag.js';
import { DEFAULT_FUZZINGSERVER_SPEC, runFuzzingServer } from './fuzzingserver.js';
import { exitCodeForSignal } from '../interrupt.js';
import { caseOutcome } from '../junit.js';
import { DEFAULT_PASS_RULE, PASS_RULES, passRuleNotes } from '../pass-rules.js';
import { playServer } from '../play.js';
import { Progress } from '../progress.js';
import { serverHeaderAgent } from '../server-agent.js';
import { parseShard, SHARD_FLAG, selectShard, shardRecordOf, writeShardRecord } from '../shard-record.js';
import { readSpecFile, specCaseIds } from '../spec-file.js';
import { USER_AGENT } from '../version.js';
import type { Command } from './types.js';

/** Autobahn's wstest reads this file when no -s is given. */
export const DEFAULT_SPEC = 'fuzzingclient.json';

export const wstestSpec = {
  name: 'wstest',
  summary: "Autobahn's wstest as a drop-in: -m fuzzingclient|fuzzingserver -s spec.json, a pass rule for the exit.",
  positionals: [],
  flags: {
    mode: {
      type: 'string',
      placeholder: 'MODE',
      description: "What to run (-m): fuzzingclient tests the spec's servers, fuzzingserver serves clients",
    },
    spec: {
      type: 'string',
      placeholder: 'FILE',
      description: `Autobahn spec (-s) [default: ./${DEFAULT_SPEC} or ./${DEFAULT_FUZZINGSERVER_SPEC}, by mode]`,
    },
    concurrency: CONCURRENCY_FLAG,
    shard: SHARD_FLAG,
    ...CI_FLAGS,
  },
  notes: [
    'Spec keys: outdir (relative to the working directory), servers [{agent, url, options}], cases, exclude-cases,',
    'exclude-agent-cases, options.failByDrop. A server without "agent" is named by its Server response header.',
    ...passRuleNotes(),
    ...CI_NOTES,
    'Exit codes: 0 every case passed; 1 a case failed the rule or differs from --expected; 2 bad usage;',
    '3 a server could not be reached; 128+N stopped by signal N.',
    '-m fuzzingserver: see wsmatrix fuzzingserver --help (exit 0 on /stopServer or a signal).',
  ],
} as const satisfies CommandSpec;

/** Autobahn's short flags, as its users write them. */
const SHORT_FLAGS: Readonly<Record<string, string>> = { '-m': '--mode', '-s': '--spec' };

export const wstestCommand: Command<typeof wstestSpec> = {
  spec: wstestSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(
      wstestSpec,
      argv.map((a) => SHORT_FLAGS[a] ?? a),
    );
    if (flags.mode === undefined) throw new UsageError('wstest needs -m/--mode (fuzzingclient or fuzzingserver)');
    if (flags.mode === 'fuzzingserver') {
      const clientOnly = (['concurrency', 'shard', 'rule', 'expected', 'update-expected'] as const).filter(
        (name) => flags[name] !== undefined && flags[name] !== false,
      );
      if (clientOnly.length > 0) throw new UsageError(`--${clientOnly[0]} applies to -m fuzzingclient only`);
      return runFuzzingServer(flags.spec ?? DEFAULT_FUZZINGSERVER_SPEC, {}, ctx);
    }
    if (flags.mode !== 'fuzzingclient') {
      throw new UsageError(`mode "${flags.mode}" is not supported (supported: fuzzingclient, fuzzingserver)`);
    }
    const specFile = flags.spec ?? DEFAULT_SPEC;
    const spec = await readSpecFile(specFile);
    const checks = await loadCiChecks(flags);
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
    const selectedIds = specCaseIds(spec);
    let caseIds = selectedIds;
    if (shard !== undefined && selectedIds.length > 0) {
      const mine = selectShard(selectedIds, shard);
      caseIds = mine.ids;
      ctx.stdout(mine.summary);
    }
    if (selectedIds.length === 0) throw new UsageError(`spec ${specFile}: the case selection is empty`);
    const cases = caseIds.map((id) => caseById(id)!);
    // Autobahn writes outdir relative to where wstest runs, not to the spec file.
    const outDir = path.resolve(spec.outdir);

    const servers: Array<{ agent: string; url: string; failByDrop: boolean }> = [];
    for (const s of spec.servers) {
      const agent = s.agent ?? (await serverHeaderAgent(s.url));
      if (servers.some((other) => other.agent === agent)) {
        throw new UsageError(`spec ${specFile}: two servers are named "${agent}" (give each an "agent")`);
      }
      servers.push({ agent, url: s.url, failByDrop: s.failByDrop });
    }

    const progress = new Progress({
      write: ctx.stderr,
      isTTY: process.stderr.isTTY === true,
      columns: () => process.stderr.columns,
    });
    const say = (text: string): void => progress.above(ctx.stdout, text);
    const selected = (agent: string) => cases.filter((c) => !agentCaseExcluded(spec.excludeAgentCases, agent, c.id));
    for (const s of servers) progress.expect(s.agent, selected(s.agent).length);
    const byAgent = new Map<string, CaseResult[]>();
    let unreachable = false;
    let interrupted = 0;
    for (const s of servers) {
      if (ctx.signal.aborted) break;
      const outcome = await playServer({
        agent: s.agent,
        url: s.url,
        cases: selected(s.agent),
        concurrency: flags.concurrency,
        userAgent: USER_AGENT,
        failByDrop: s.failByDrop,
        signal: ctx.signal,
        onResult: (r) => progress.caseDone(r.agent, caseOutcome(r)),
      });
      byAgent.set(s.agent, outcome.results);
      interrupted += outcome.interrupted.length;
      if (outcome.unreachable !== null) {
        unreachable = true;
        say(`wstest: ${s.agent} (${s.url}) could not be reached: ${outcome.unreachable}\n`);
      }
    }
    progress.finish();

    const index = await writeReportFiles(outDir, byAgent, 'autobahn');
    const agentIds = [...byAgent.keys()].map(
      (a) => [a, caseIds.filter((id) => !agentCaseExcluded(spec.excludeAgentCases, a, id))] as const,
    );
    await writeShardRecord(outDir, shardRecordOf(shard, selectedIds, agentIds));
    const rule = checks.rule ?? PASS_RULES[DEFAULT_PASS_RULE];
    await writeFile(path.join(outDir, 'index.html'), renderIndexHtml(index, rule, new Date()));
    for (const [agent, results] of byAgent) {
      const s = summarize(results.filter((r) => !isTargetDown(r)));
      const counts = (m: Record<string, number>) =>
        Object.entries(m)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
      ctx.stdout(`${agent}: ${s.total} cases — behavior: ${counts(s.behavior)}; close: ${counts(s.behaviorClose)}\n`);
    }
    ctx.stdout(`reports in ${outDir} (index.json, index.html, one JSON file per case)\n`);
    const failed = await applyCiChecks(index, checks, ctx.stdout, (agent, id) => {
      const r = byAgent.get(agent)?.find((c) => c.id === id);
      // Rows of a server that could not be reached all say the same: it is named once above.
      return r === undefined || isTargetDown(r) ? null : r.result.replace(/\s+/g, ' ').trim().slice(0, 140);
    });
    if (ctx.signal.aborted) {
      const reason = String(ctx.signal.reason);
      ctx.stdout(`interrupted by ${reason}: ${interrupted} case run(s) not played\n`);
      return exitCodeForSignal(reason);
    }
    if (unreachable) return 3;
    return failed ? 1 : 0;
  },
};
