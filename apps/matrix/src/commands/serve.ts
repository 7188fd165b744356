import { allTargetNames, getAnyTarget, isReleaseSpec, type RunningTarget } from '@wsmatrix/targets';
import { parseArgs, type CommandSpec } from '../args.js';
import { describeSocketLayer, optionsInEffect } from '../target-options.js';
import { RELEASE_NOTES, resolveRelease } from '../target-specs.js';
import type { Command } from './types.js';

export const serveSpec = {
  name: 'serve',
  summary: 'Start one echo target and keep it running until SIGINT, SIGTERM or SIGHUP.',
  positionals: [
    { name: 'target', description: 'Which implementation to serve', choices: allTargetNames(), releases: true },
  ],
  flags: {
    port: {
      type: 'integer',
      min: 0,
      max: 65535,
      default: 0,
      placeholder: 'N',
      description: 'Port to listen on; 0 picks a free port',
    },
    host: { type: 'string', default: '127.0.0.1', placeholder: 'HOST', description: 'Interface to bind' },
  },
  notes: RELEASE_NOTES,
} as const satisfies CommandSpec;

export const serveCommand: Command<typeof serveSpec> = {
  spec: serveSpec,
  async run(argv, ctx) {
    const { positionals, flags } = parseArgs(serveSpec, argv);
    const name = positionals.target;
    const target = isReleaseSpec(name) ? await resolveRelease(name, ctx.stderr) : getAnyTarget(name);
    let running: RunningTarget;
    try {
      running = await target.start({ host: flags.host, port: flags.port });
    } catch (err) {
      // A signal during start-up stopped the server's process: not a failure to report.
      if (ctx.signal.aborted) return 0;
      const why = err instanceof Error ? err.message : String(err);
      ctx.stderr(`wsmatrix: cannot start ${target.name} on ${flags.host}:${flags.port}: ${why}\n`);
      return 1;
    }
    ctx.stdout(
      `${target.name} ${target.version} listening on ${running.url}` +
        `${describeSocketLayer(optionsInEffect(target, running))}\n`,
    );
    if (!ctx.signal.aborted)
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
    await running.close();
    return 0;
  },
};
