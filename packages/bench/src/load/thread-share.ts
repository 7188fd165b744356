/** A share running in a worker thread, behind the same LoadShare interface as an in-thread one. */
import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadShare, MeasureWindow, ShareResult } from './types.js';

type Outgoing = { type: 'prepared' } | { type: 'result'; result: ShareResult } | { type: 'error'; message: string };

const RUNNING_TS = import.meta.url.endsWith('.ts');

/**
 * The worker module: built, share-worker.js; from source, a bootstrap that registers tsx inside the
 * thread first (loader hooks of the parent, whether --import tsx, the tsx CLI or a test runner, do not
 * reliably reach worker threads).
 */
function workerUrl(): URL {
  return new URL(RUNNING_TS ? './share-worker-tsx.mjs' : './share-worker.js', import.meta.url);
}

export class ThreadShare implements LoadShare {
  private readonly worker: Worker;

  constructor(
    private readonly job: LoadJob,
    private readonly units: number,
  ) {
    this.worker = new Worker(workerUrl());
    this.worker.unref();
  }

  private next<T extends Outgoing['type']>(type: T): Promise<Extract<Outgoing, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: Outgoing): void => {
        cleanup();
        if (msg.type === 'error') reject(new Error(msg.message));
        else if (msg.type === type) resolve(msg as Extract<Outgoing, { type: T }>);
        else reject(new Error(`worker sent ${msg.type}, expected ${type}`));
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const cleanup = (): void => {
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
    });
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
