/**
 * Worker-thread side of a threaded share: prepare on 'prepare', run on 'run', post the result.
 * Messages: in {type:'prepare', job, units} | {type:'run', window}; out {type:'prepared'} | {type:'result', result} | {type:'error', message}.
 */
import { parentPort } from 'node:worker_threads';
import { createShare } from './create-share.js';
import type { LoadJob, LoadShare, MeasureWindow } from './types.js';

type Incoming = { type: 'prepare'; job: LoadJob; units: number } | { type: 'run'; window: MeasureWindow };

const port = parentPort!;
let share: LoadShare | undefined;

port.on('message', (msg: Incoming) => {
  const step =
    msg.type === 'prepare'
      ? (share = createShare(msg.job, msg.units)).prepare().then(() => port.postMessage({ type: 'prepared' }))
      : share!.run(msg.window).then((result) => port.postMessage({ type: 'result', result }));
  step.catch((err: unknown) =>
    port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) }),
  );
});
