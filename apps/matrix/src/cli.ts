import { formatCommandUsage, UsageError } from './args.js';
import { benchCommand } from './commands/bench.js';
import { casesCommand } from './commands/cases.js';
import { diffCommand } from './commands/diff.js';
import { fuzzingserverCommand } from './commands/fuzzingserver.js';
import { matrixCommand } from './commands/matrix.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { serveCommand } from './commands/serve.js';
import type { Command, CommandContext } from './commands/types.js';
import { wstestCommand } from './commands/wstest.js';
import { exitCodeForSignal, installStopSignals, interruptedBy } from './interrupt.js';

/** Every subcommand; `run`, `cases`, `matrix`, `bench` and `diff` join here. */
export const commands: Readonly<Record<string, Command>> = {
  serve: serveCommand as unknown as Command,
  cases: casesCommand as unknown as Command,
  run: runCommand as unknown as Command,
  matrix: matrixCommand as unknown as Command,
  report: reportCommand as unknown as Command,
  diff: diffCommand as unknown as Command,
  merge: mergeCommand as unknown as Command,
  bench: benchCommand as unknown as Command,
  wstest: wstestCommand as unknown as Command,
  fuzzingserver: fuzzingserverCommand as unknown as Command,
};

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function usage(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return [
    'Usage: wsmatrix <command> [arguments] [flags]',
    '',
    'Commands:',
    ...Object.values(commands).map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    'Run "wsmatrix <command> --help" for a command\'s arguments and flags.',
  ].join('\n');
}

/** One line, no stack: what the user sees for any usage error. */
function oneLine(message: string): string {
  return `wsmatrix: ${message.replace(/\s*\n\s*/g, ' ')}\n`;
}

/** Dispatches argv (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    ctx.stderr(oneLine(`missing command (expected one of: ${Object.keys(commands).join(', ')}); see wsmatrix --help`));
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const about = rest[0] !== undefined && Object.hasOwn(commands, rest[0]) ? commands[rest[0]] : undefined;
    ctx.stdout(`${about ? formatCommandUsage(about.spec) : usage()}\n`);
    return EXIT_OK;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    const what = name.startsWith('-') ? `unknown flag ${name}` : `unknown command "${name}"`;
    ctx.stderr(oneLine(`${what} (expected one of: ${Object.keys(commands).join(', ')})`));
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const end = rest.indexOf('--');
    const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
    if (end < 0 || helpAt < end) {
      ctx.stdout(`${formatCommandUsage(command.spec)}\n`);
      return EXIT_OK;
    }
  }
  try {
    // An interrupted command returns its own code: 128 + the signal's number for run, matrix and bench,
    // 0 for serve, whose normal end is a signal.
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof Error && err.name === 'UnknownTargetError')) {
      ctx.stderr(oneLine(err.message));
      return EXIT_USAGE;
    }
    const signal = interruptedBy(ctx.signal);
    if (signal !== undefined) {
      // Whatever failed after the interrupt failed because of it (its children were stopped).
      ctx.stderr(oneLine(`interrupted by ${signal}`));
      return exitCodeForSignal(signal);
    }
    ctx.stderr(oneLine(err instanceof Error ? err.message : String(err)));
    return EXIT_FAILURE;
  }
}

/** Writes to a standard stream; once its reader has gone (EPIPE: `wsmatrix … | head`), ends quietly. */
function quietOnBrokenPipe(stream: NodeJS.WriteStream): (text: string) => void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    throw err;
  });
  return (text) => void stream.write(text);
}

/** The process entry point used by bin/wsmatrix.js. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const stdout = quietOnBrokenPipe(process.stdout);
  const stderr = quietOnBrokenPipe(process.stderr);
  const stop = installStopSignals({
    // Clears a live progress line first, so the notice does not glue onto it.
    notice: (text) => stderr(process.stderr.isTTY ? `\r\x1b[2K${text}` : text),
    exit: (code) => process.exit(code),
  });
  const code = await main(argv, { stdout, stderr, signal: stop.signal });
  if (stop.signal.aborted) {
    // Cases still in flight hold sockets and timers: once what finished is written, nothing else is wanted.
    await stop.childrenStopped();
    process.exit(code);
  }
  stop.dispose();
  process.exitCode = code;
}
