import type { CommandSpec } from '../args.js';

/** What a command gets from the dispatcher; injectable so commands run in-process in tests. */
export interface CommandContext {
  /** Writes to standard output (the text should end with a newline). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Resolves with the signal name when the process is asked to stop (SIGINT / SIGTERM). */
  shutdown: Promise<string>;
}

export interface Command<S extends CommandSpec = CommandSpec> {
  spec: S;
  /** Resolves with the process exit code. Throws UsageError for bad arguments. */
  run(argv: readonly string[], ctx: CommandContext): Promise<number>;
}
