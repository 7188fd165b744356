/** A share running in a worker thread, behind the same LoadShare interface as an in-thread one. */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadShare, MeasureWindow, ShareResult } from './types.js';

type Outgoing = { type: 'prepared' } | { type: 'result'; result: ShareResult } | { type: 'error'; message: string };

/**
 * The worker module: built, share-worker.js; from source, a bootstrap that registers tsx inside the
 * thread first (loader hooks of the parent, whether --import tsx, the tsx CLI or a test runner, do not
 * reliably reach worker threads).
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './share-worker-tsx.mjs' : './share-worker.js',
  import.meta.url,
);

export class ThreadShare implements LoadShare {
  private readonly worker: Worker;

  constructor(
    private readonly job: LoadJob,
    private readonly units: number,
  ) {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
  }

  /** The worker's next message; rejects on an error it reports or an 'error' event. */
  private async next<T extends Outgoing['type']>(type: T): Promise<Extract<Outgoing, { type: T }>> {
    const [msg] = (await once(this.worker, 'message')) as [Outgoing];
    if (msg.type === 'error') throw new Error(msg.message);
    if (msg.type !== type) throw new Error(`worker sent ${msg.type}, expected ${type}`);
    return msg as Extract<Outgoing, { type: T }>;
  }

  async prepare(): Promise<void> {
    const prepared = this.next('prepared');
    this.worker.postMessage({ type: 'prepare', job: this.job, units: this.units });
    try {
      await prepared;
    } catch (err) {
      await this.worker.terminate();
      throw err;
    }
  }

  async run(window: MeasureWindow): Promise<ShareResult> {
    const done = this.next('result');
    this.worker.postMessage({ type: 'run', window });
    try {
      return (await done).result;
    } finally {
      await this.worker.terminate();
    }
  }
}
