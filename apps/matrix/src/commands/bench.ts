import { readFile, writeFile } from 'node:fs/promises';
import {
  compareMedians,
  COMPARED_FIGURES,
  DEFAULT_TARGETS,
  formatAgreement,
  MALLOC_MODES,
  PROCESS_RUNTIMES,
  type BenchResult,
  type ComparedFigure,
  type MallocMode,
  type ProcessRuntime,
  formatBenchTable,
  isBadTargetName,
  runBenchmark,
  saveBenchResult,
  WORKLOAD_GROUPS,
  workloadIds,
} from '@wsmatrix/bench';
import { allTargetNames } from '@wsmatrix/targets';
import { parseUrlSpec, type UrlSpec } from '../user-targets.js';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { InterruptedError, raceAbort } from '../interrupt.js';
import { RELEASE_NOTES } from '../target-specs.js';
import type { Command, CommandContext } from './types.js';

export const benchSpec = {
  name: 'bench',
  summary:
    'Benchmark the targets side by side (handshakes, small, large and fragmented messages) against a raw TCP echo.',
  positionals: [],
  flags: {
    targets: {
      type: 'list',
      choices: [...allTargetNames(), 'tcp'],
      releases: true,
      default: DEFAULT_TARGETS,
      placeholder: 'LIST',
      description:
        'Targets to measure: embedded, external, or an npm release NAME@VERSION; ' +
        'ws and tcp (the raw TCP ceiling) are always measured as references',
    },
    url: {
      type: 'list',
      placeholder: 'SERVER',
      description:
        'Also measure your running echo server, SERVER = NAME=URL or NAME@VERSION=URL (repeatable); ' +
        'not started or pinned by the bench, so its server CPU is not measured',
    },
    workloads: {
      type: 'list',
      choices: [...Object.keys(WORKLOAD_GROUPS), ...workloadIds],
      default: ['all'],
      placeholder: 'LIST',
      description: 'Workload ids or groups',
    },
    duration: {
      type: 'string',
      default: '2',
      placeholder: 'S',
      description: 'Measured seconds per run (decimals allowed)',
    },
    warmup: {
      type: 'string',
      placeholder: 'S',
      description: 'Traffic before each measured window [default: duration/4, 0.1-0.5 s]',
    },
    'warmup-round': {
      type: 'string',
      default: '1',
      placeholder: 'S',
      description:
        'Before the measured runs, S unmeasured seconds per workload and target ' +
        'so every process runs optimised code; 0 disables',
    },
    runs: {
      type: 'integer',
      min: 1,
      max: 100,
      default: 5,
      placeholder: 'N',
      description: 'Runs per workload and target; the median is reported',
    },
    json: { type: 'boolean', description: 'Print the result as JSON on stdout instead of the table' },
    out: { type: 'string', placeholder: 'FILE', description: 'Also write the JSON result to FILE' },
    save: { type: 'boolean', description: 'Store the result under <results>/bench/<time>.json' },
    results: {
      type: 'string',
      default: 'matrix/results',
      placeholder: 'DIR',
      description: 'Stored results folder, for --save',
    },
    'no-pin': { type: 'boolean', description: 'Do not pin server and client to different cores' },
    'quiet-wait': {
      type: 'string',
      default: '10',
      placeholder: 'S',
      description:
        'Wait up to S seconds for other processes to go quiet before each measurement, ' +
        're-measure a noisy run once; 0 disables',
    },
    malloc: {
      type: 'string',
      choices: MALLOC_MODES,
      default: 'steady',
      placeholder: 'MODE',
      description:
        'C allocator of every process: steady (fixed glibc trim/mmap thresholds, repeatable figures) ' +
        "or default (glibc's own)",
    },
    runtime: {
      type: 'string',
      choices: PROCESS_RUNTIMES,
      default: 'dist',
      placeholder: 'MODE',
      description:
        'How servers and load generator run our code: dist (the compiled JavaScript, as deployed) ' +
        'or tsx (the TypeScript sources through tsx, inside the repository)',
    },
    compare: {
      type: 'list',
      placeholder: 'FILES',
      description:
        'Measure nothing: compare the medians of stored --json results (2 or more) ' +
        'and exit 1 if any two differ by more than --tolerance',
    },
    of: {
      type: 'string',
      choices: COMPARED_FIGURES,
      default: 'median',
      placeholder: 'FIGURE',
      description:
        'For --compare: which figure of each cell (ratios to ws or tcp ' +
        'cancel a drift of the whole machine between runs)',
    },
    tolerance: {
      type: 'string',
      default: '10',
      placeholder: 'PCT',
      description: 'For --compare: largest allowed max/min − 1 of a median, in percent',
    },
    quiet: { type: 'boolean', description: 'No progress lines on stderr' },
  },
  notes: [
    ...RELEASE_NOTES,
    'A target that cannot run here (toolchain or package missing, a release npm cannot install, a server that does',
    'not start) is a row that says why, and the rest is measured. Server CPU is the server process and what it',
    'started (an external target, and the processes it forks).',
    'Exit codes: 0 every figure measured (--compare: all agree); ' +
      '1 a target or a figure missing (--compare: some disagree);',
    '2 bad usage; 128+N stopped by signal N (130 for Ctrl-C): ' +
      'every server and load generator is stopped, nothing is written.',
  ],
} as const satisfies CommandSpec;

/** After an interrupt, how long the benchmark gets to clean up (its processes are already stopped). */
const CLEANUP_WAIT_MS = 2000;

/** Resolves when `work` settles or after `ms`, whichever is first. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => {},
      () => {},
    ),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
}

/** Seconds from a flag: a decimal up to 600, above 0 unless zero is allowed. */
function seconds(flag: string, raw: string, allowZero = false): number {
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  const low = allowZero ? 'from 0' : 'above 0';
  if (!(value <= 600 && (value > 0 || (allowZero && value === 0)))) {
    throw new UsageError(`--${flag} must be a number of seconds ${low} up to 600, got "${raw}"`);
  }
  return value;
}

export const benchCommand: Command<typeof benchSpec> = {
  spec: benchSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(benchSpec, argv);
    if (flags.compare !== undefined && flags.compare.length !== 0)
      return compareFiles(flags.compare, flags.tolerance, flags.of as ComparedFigure, ctx);
    const durationSec = seconds('duration', flags.duration);
    const warmupSec = flags.warmup === undefined ? undefined : seconds('warmup', flags.warmup);
    const quietWaitMs = seconds('quiet-wait', flags['quiet-wait'], true) * 1000;
    const warmupRoundSec = seconds('warmup-round', flags['warmup-round'], true);
    // On an interrupt the servers and load generators are stopped (see interrupt.ts); nothing
    // measured so far is a whole result, so nothing is written.
    const urls = urlServers(flags.url ?? []);
    const measuring = runBenchmark({
      targets: flags.targets,
      urls,
      workloads: flags.workloads,
      durationSec,
      warmupSec,
      warmupRoundSec,
      runs: flags.runs,
      pin: !flags['no-pin'],
      quietWaitMs,
      malloc: flags.malloc as MallocMode,
      runtime: flags.runtime as ProcessRuntime,
      onProgress: flags.quiet ? undefined : (line) => ctx.stderr(`bench: ${line}\n`),
    });
    let result: BenchResult;
    try {
      result = await raceAbort(measuring, ctx.signal);
    } catch (err) {
      // A name that names nothing (no such target, a malformed release, one the registry lacks): nothing started.
      if (isBadTargetName(err)) throw new UsageError((err as Error).message);
      // With its processes gone the benchmark fails fast: give it a moment to stop its processes.
      if (err instanceof InterruptedError) await settledWithin(measuring, CLEANUP_WAIT_MS);
      throw err;
    }
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (flags.out !== undefined) await writeFile(flags.out, json);
    if (flags.save) {
      const file = await saveBenchResult(flags.results, result);
      if (!flags.quiet) ctx.stderr(`bench: stored ${file}\n`);
    }
    ctx.stdout(flags.json ? json : formatBenchTable(result));
    // 1 when a target could not start or a workload produced no figure for some target.
    const incomplete = result.targets.some((t) => t.error) || result.cells.some((c) => c.median === null);
    return incomplete ? 1 : 0;
  },
};

/**
 * The --url servers. The load generator's upgrade request asks for "/", so a URL with another path is
 * refused rather than measured somewhere else than the user meant.
 */
function urlServers(raws: readonly string[]): UrlSpec[] {
  const taken = new Set([...allTargetNames(), 'tcp']);
  return raws.map((raw) => {
    const spec = parseUrlSpec(raw);
    if (taken.has(spec.name)) throw new UsageError(`--url ${spec.name}: the name "${spec.name}" is already a target`);
    taken.add(spec.name);
    const { pathname, search } = new URL(spec.url);
    if (pathname !== '/' || search !== '') {
      throw new UsageError(`--url ${spec.name}: the bench connects to "/" only, not "${pathname}${search}"`);
    }
    return spec;
  });
}

/** `--compare a.json,b.json,c.json`: do the stored results' medians agree within the tolerance? */
async function compareFiles(
  files: readonly string[],
  tolerancePct: string,
  figure: ComparedFigure,
  ctx: CommandContext,
): Promise<number> {
  const tolerance = /^\d+(\.\d+)?$/.test(tolerancePct) ? Number(tolerancePct) / 100 : NaN;
  if (!(tolerance >= 0 && tolerance <= 10))
    throw new UsageError(`--tolerance must be a percentage from 0 to 1000, got "${tolerancePct}"`);
  if (files.length < 2) throw new UsageError('--compare needs at least two result files');
  const results: BenchResult[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--compare: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as BenchResult).cells)) {
      throw new UsageError(`--compare: ${file} is not a wsmatrix bench result (no cells)`);
    }
    results.push(parsed as BenchResult);
  }
  const agreement = compareMedians(results, tolerance, figure);
  ctx.stdout(
    formatAgreement(
      agreement,
      files.map((_, i) => `#${i + 1}`),
    ),
  );
  return agreement.agreeing === agreement.total ? 0 : 1;
}
