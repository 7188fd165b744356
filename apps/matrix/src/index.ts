// The package's programmatic API: play cases against a server, write the HTML report, or run the CLI itself.
export { run, type RunOptions, type RunResult } from './api.js';
export { writeReport, type ReportColumn, type ReportInput } from './report/index.js';
export { runCli, main, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from './cli.js';
export type { CommandContext } from './commands/types.js';
