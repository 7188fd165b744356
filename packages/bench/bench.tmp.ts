import { benchCommand } from '../../apps/matrix/src/commands/bench.js';
process.exitCode = await benchCommand.run(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), shutdown: new Promise(() => {}),
});
