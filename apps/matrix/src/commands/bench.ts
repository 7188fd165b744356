import { writeFile } from 'node:fs/promises';
import {
  DEFAULT_TARGETS,
  formatBenchTable,
  runBenchmark,
  saveBenchResult,
  TCP_ECHO_STYLES,
  WORKLOAD_GROUPS,
  workloadIds,
  type TcpEchoStyle,
} from '@wsmatrix/bench';
import { allTargetNames } from '@wsmatrix/targets';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import type { Command } from './types.js';

export const benchSpec = {
  name: 'bench',
  summary: 'Benchmark the targets side by side (handshakes, small, large and fragmented messages) against a raw TCP echo.',
  positionals: [],
  flags: {
    targets: {
      type: 'list',
      choices: [...allTargetNames(), 'tcp'],
      default: DEFAULT_TARGETS,
      placeholder: 'LIST',
      description: 'Targets to measure; ws and tcp (the raw TCP ceiling) are always measured as references',
    },
    workloads: {
      type: 'list',
      choices: [...Object.keys(WORKLOAD_GROUPS), ...workloadIds],
      default: ['all'],
      placeholder: 'LIST',
      description: 'Workload ids or groups',
    },
    duration: { type: 'string', default: '1', placeholder: 'S', description: 'Measured seconds per run (decimals allowed)' },
    warmup: { type: 'string', placeholder: 'S', description: 'Traffic before each measured window [default: duration/4, 0.1-0.5 s]' },
    runs: { type: 'integer', min: 1, max: 100, default: 3, placeholder: 'N', description: 'Runs per workload and target; the median is reported' },
    json: { type: 'boolean', description: 'Print the result as JSON on stdout instead of the table' },
    out: { type: 'string', placeholder: 'FILE', description: 'Also write the JSON result to FILE' },
    save: { type: 'boolean', description: 'Store the result under <results>/bench/<time>.json' },
    results: { type: 'string', default: 'matrix/results', placeholder: 'DIR', description: 'Stored results folder, for --save' },
    'no-pin': { type: 'boolean', description: 'Do not pin server and client to different cores' },
    'tcp-echo': { type: 'string', choices: TCP_ECHO_STYLES, default: 'write-each', placeholder: 'STYLE', description: 'How the tcp ceiling echoes' },
    'quiet-wait': {
      type: 'string',
      default: '10',
      placeholder: 'S',
      description: 'Wait up to S seconds for other processes to go quiet before each measurement, re-measure a noisy run once; 0 disables',
    },
    quiet: { type: 'boolean', description: 'No progress lines on stderr' },
  },
} as const satisfies CommandSpec;

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
    const durationSec = seconds('duration', flags.duration);
    const warmupSec = flags.warmup === undefined ? undefined : seconds('warmup', flags.warmup);
    const quietWaitMs = seconds('quiet-wait', flags['quiet-wait'], true) * 1000;
    const result = await runBenchmark({
      targets: flags.targets,
      workloads: flags.workloads,
      durationSec,
      warmupSec,
      runs: flags.runs,
      pin: !flags['no-pin'],
      quietWaitMs,
      tcpEcho: flags['tcp-echo'] as TcpEchoStyle,
      onProgress: flags.quiet ? undefined : (line) => ctx.stderr(`bench: ${line}\n`),
    });
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
