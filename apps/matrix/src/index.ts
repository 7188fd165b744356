export { main, runCli, commands, usage, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from './cli.js';
export {
  parseArgs,
  formatCommandUsage,
  UsageError,
  type CommandSpec,
  type FlagSpec,
  type ParsedArgs,
  type PositionalSpec,
} from './args.js';
export type { Command, CommandContext } from './commands/types.js';
export { serveCommand, serveSpec } from './commands/serve.js';
export { run, type RunOptions, type RunResult } from './api.js';
export { writeReport, type ReportColumn, type ReportInput } from './report/index.js';
