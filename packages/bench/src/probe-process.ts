/**
 * Entry of a probe process: `probe-process`, started pinned to one CPU. Warms its code up, then answers
 * IPC requests {id} with {id, timing: ProbeTiming} (or {id, error}), one probe at a time, and sits idle
 * in between. Exits when the parent disconnects.
 */
import { runProbe } from './probe.js';

if (!process.send) {
  process.stderr.write('probe-process must be started with an IPC channel\n');
  process.exit(1);
}

// The first calls run unoptimised code: probe until the JIT has settled, before saying ready.
for (let i = 0; i < 5; i++) await runProbe();

let queue = Promise.resolve();
process.on('message', (msg: { id: number }) => {
  queue = queue.then(() =>
    runProbe().then(
      (timing) => void process.send!({ id: msg.id, timing }),
      (err: unknown) => void process.send!({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
    ),
  );
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
