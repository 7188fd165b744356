import { allTargetNames, getAnyTarget } from '@wsmatrix/targets';
import { parseArgs, type CommandSpec } from '../args.js';
import type { Command } from './types.js';

export const serveSpec = {
  name: 'serve',
  summary: 'Start one echo target and keep it running until SIGINT / SIGTERM.',
  positionals: [{ name: 'target', description: 'Which implementation to serve', choices: allTargetNames() }],
  flags: {
    port: { type: 'integer', min: 0, max: 65535, default: 0, placeholder: 'N', description: 'Port to listen on; 0 picks a free port' },
    host: { type: 'string', default: '127.0.0.1', placeholder: 'HOST', description: 'Interface to bind' },
  },
} as const satisfies CommandSpec;

export const serveCommand: Command<typeof serveSpec> = {
  spec: serveSpec,
  async run(argv, ctx) {
    const { positionals, flags } = parseArgs(serveSpec, argv);
    const target = getAnyTarget(positionals.target);
    // Listen for SIGINT / SIGTERM from here on, so a signal during start-up still closes cleanly.
    const stop = ctx.shutdown;
    let running;
    try {
      running = await target.start({ host: flags.host, port: flags.port });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      ctx.stderr(`wsmatrix: cannot start ${target.name} on ${flags.host}:${flags.port}: ${why}\n`);
      return 1;
    }
    ctx.stdout(`${target.name} ${target.version} listening on ${running.url}\n`);
    await stop;
    await running.close();
    return 0;
  },
};
