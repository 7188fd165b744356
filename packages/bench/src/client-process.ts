/**
 * Entry of the load-generator process: takes jobs over IPC, {id, job, options} in, {id, result} or
 * {id, error} out, one at a time, and exits when the parent disconnects.
 */
import { runJob, type RunJobOptions } from './load/run-job.js';
import type { LoadJob } from './load/types.js';

interface Request {
  id: number;
  job: LoadJob;
  options: RunJobOptions;
}

if (!process.send) {
  process.stderr.write('client-process must be started with an IPC channel\n');
  process.exit(1);
}

process.on('message', (msg: Request) => {
  runJob(msg.job, msg.options).then(
    (result) => process.send!({ id: msg.id, result }),
    (err: unknown) => process.send!({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
