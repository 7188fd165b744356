import type { CommandSpec } from '../args.js';

/** What a command gets from the dispatcher; injectable so commands run in-process in tests. */
export interface CommandContext {
  /** Writes to standard output (the text should end with a newline). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /**
   * Aborted when the process is asked to stop (SIGINT, SIGTERM, SIGHUP), with the signal's name as reason.
   * Its child processes are being stopped by then; a command writes what it finished and returns.
   */
  signal: AbortSignal;
}

export interface Command<S extends CommandSpec = CommandSpec> {
  spec: S;
  /** Resolves with the process exit code. Throws UsageError for bad arguments. */
  run(argv: readonly string[], ctx: CommandContext): Promise<number>;
}
