import type { IntegerFlag } from '../args.js';

/** `--concurrency N` of the commands that play cases against servers (run, wstest). */
export const CONCURRENCY_FLAG: IntegerFlag = {
  type: 'integer',
  min: 1,
  max: 1024,
  placeholder: 'N',
  description: 'Cases in flight at once (9.x always run alone) [default: from the core count]',
};
