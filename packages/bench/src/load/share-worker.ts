/**
 * Worker-thread side of a threaded share: prepare on 'prepare', run on 'run', post the result.
 * Messages in: {type:'prepare', job, units} | {type:'run', window}.
 * Messages out: {type:'prepared'} | {type:'result', result} | {type:'error', message}.
 */
import { parentPort } from 'node:worker_threads';
import { createShare } from './create-share.js';
import type { LoadJob, LoadShare, MeasureWindow } from './types.js';

type Incoming = { type: 'prepare'; job: LoadJob; units: number } | { type: 'run'; window: MeasureWindow };

const port = parentPort!;
let share: LoadShare | undefined;

async function handle(msg: Incoming): Promise<void> {
  if (msg.type === 'prepare') {
    share = createShare(msg.job, msg.units);
    await share.prepare();
    port.postMessage({ type: 'prepared' });
  } else port.postMessage({ type: 'result', result: await share!.run(msg.window) });
}

port.on('message', (msg: Incoming) => {
  handle(msg).catch((err: unknown) =>
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
