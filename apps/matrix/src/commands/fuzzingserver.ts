/**
 * `wsmatrix fuzzingserver` (and `wstest -m fuzzingserver -s spec.json`): Autobahn's fuzzingserver, the
 * server that tests WebSocket clients. Drivers written for Autobahn's (ws's, undici's, Bun's scripts) point
 * at it unchanged: /getCaseCount, /runCase?case=N&agent=A, /getCaseInfo, /getCaseStatus, /updateReports,
 * /stopServer. /updateReports writes Autobahn's client reports into outdir (index.json, one JSON file per
 * agent and case, named as Autobahn names them) and index.html. Runs until /stopServer or a signal.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { caseById } from '@wsmatrix/cases';
import { FuzzingServer, type AutobahnIndex, type CaseResult } from '@wsmatrix/runner';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { renderIndexHtml } from '../autobahn-index-html.js';
import { DEFAULT_PASS_RULE, PASS_RULES } from '../pass-rules.js';
import {
  checkListenUrl,
  DEFAULT_CLIENTS_OUTDIR,
  DEFAULT_FUZZINGSERVER_URL,
  readFuzzingServerSpec,
  clientSpecCaseIds,
  type FuzzingServerSpec,
} from '../spec-file.js';
import type { Command, CommandContext } from './types.js';

/** Autobahn's wstest reads this file for -m fuzzingserver when no -s is given. */
export const DEFAULT_FUZZINGSERVER_SPEC = 'fuzzingserver.json';

export const FUZZINGSERVER_NOTES = [
  "Spec keys (Autobahn's fuzzingserver.json): url, outdir (relative to the working directory), cases,",
  'exclude-cases, exclude-agent-cases, options.failByDrop; webport is accepted and has no effect.',
  'Endpoints: /getCaseCount, /runCase?case=N&agent=A (or casetuple=ID), /getCaseInfo?case=N,',
  '/getCaseStatus?case=N&agent=A, /updateReports?agent=A (writes the reports), /stopServer.',
  'Exit codes: 0 stopped by /stopServer or a signal (reports already written stay); 1 cannot listen;',
  '2 bad usage.',
] as const;

export const fuzzingserverSpec = {
  name: 'fuzzingserver',
  summary: "Autobahn's fuzzingserver: test WebSocket clients with their own Autobahn driver scripts.",
  positionals: [],
  flags: {
    spec: {
      type: 'string',
      placeholder: 'FILE',
      description: "Autobahn fuzzingserver spec (its keys below); flags override the spec's values",
    },
    url: {
      type: 'string',
      placeholder: 'URL',
      description: `ws://host:port to listen on [default: ${DEFAULT_FUZZINGSERVER_URL}]`,
    },
    outdir: {
      type: 'string',
      placeholder: 'DIR',
      description: `Where /updateReports writes the reports [default: ${DEFAULT_CLIENTS_OUTDIR}]`,
    },
    cases: {
      type: 'list',
      placeholder: 'PATTERNS',
      description: "Case ids or patterns to serve, e.g. 1.*,7.1.1 [default: *, Autobahn's cases]",
    },
  },
  notes: FUZZINGSERVER_NOTES,
} as const satisfies CommandSpec;

/** Overrides from the command line; undefined keeps the spec's value. */
export interface FuzzingServerOverrides {
  url?: string | undefined;
  outdir?: string | undefined;
  cases?: readonly string[] | undefined;
}

const DEFAULT_SPEC: FuzzingServerSpec = {
  url: DEFAULT_FUZZINGSERVER_URL,
  outdir: DEFAULT_CLIENTS_OUTDIR,
  failByDrop: false,
  cases: ['*'],
  excludeCases: [],
  excludeAgentCases: {},
};

function caseLine(r: CaseResult): string {
  const close = r.remoteCloseCode === null ? 'no close code' : `close ${r.remoteCloseCode}`;
  return `${r.agent} case ${r.case} (${r.id}): ${r.behavior} / ${r.behaviorClose}, ${close}, ${r.duration} ms\n`;
}

/** Runs the fuzzingserver until /stopServer or a signal; resolves with the exit code. */
export async function runFuzzingServer(
  specFile: string | undefined,
  overrides: FuzzingServerOverrides,
  ctx: CommandContext,
): Promise<number> {
  const spec = specFile === undefined ? DEFAULT_SPEC : await readFuzzingServerSpec(specFile);
  const url = overrides.url ?? spec.url;
  const { host, port } = checkListenUrl(url, overrides.url === undefined ? `spec ${specFile}: "url"` : '--url');
  const selection = { cases: [...(overrides.cases ?? spec.cases)], excludeCases: spec.excludeCases };
  const ids = clientSpecCaseIds(selection);
  if (ids.length === 0) throw new UsageError('the case selection is empty');
  // Autobahn writes outdir relative to where it runs, not to the spec file.
  const outdir = path.resolve(overrides.outdir ?? spec.outdir);
  const rule = PASS_RULES[DEFAULT_PASS_RULE];
  const server = new FuzzingServer({
    cases: ids.map((id) => caseById(id)!),
    excludeAgentCases: spec.excludeAgentCases,
    outdir,
    host,
    port,
    failByDrop: spec.failByDrop,
    // The HTML page is the CLI's: it marks each cell by the pass rule, which the runner knows nothing of.
    writeExtraReports: (dir: string, index: AutobahnIndex) =>
      writeFile(path.join(dir, 'index.html'), renderIndexHtml(index, rule, new Date(), 'client')),
    onCaseFinished: (r) => ctx.stdout(caseLine(r)),
    onReportsWritten: (agent, index) =>
      ctx.stdout(`reports for ${Object.keys(index).length} agent(s) written to ${outdir} (asked by ${agent})\n`),
  });
  let listening: string;
  try {
    listening = await server.listen();
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    ctx.stderr(`wsmatrix: fuzzingserver cannot listen on ${url}: ${why}\n`);
    return 1;
  }
  const excluded = Object.keys(spec.excludeAgentCases).length > 0 ? ' (some excluded per agent)' : '';
  ctx.stdout(`fuzzingserver listening on ${listening}: ${ids.length} cases${excluded}; reports in ${outdir}\n`);
  const signalled = new Promise<string>((resolve) => {
    if (ctx.signal.aborted) resolve(String(ctx.signal.reason));
    else ctx.signal.addEventListener('abort', () => resolve(String(ctx.signal.reason)), { once: true });
  });
  const why = await Promise.race([server.stopRequested, signalled]);
  await server.close();
  ctx.stdout(`fuzzingserver stopped (${why})\n`);
  return 0;
}

export const fuzzingserverCommand: Command<typeof fuzzingserverSpec> = {
  spec: fuzzingserverSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(fuzzingserverSpec, argv);
    return runFuzzingServer(flags.spec, { url: flags.url, outdir: flags.outdir, cases: flags.cases }, ctx);
  },
};
