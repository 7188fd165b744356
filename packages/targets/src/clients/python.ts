/**
 * Python websockets' asyncio client (Debian's python3-websockets), driven by clients/python-websockets-client.py.
 * Its requirements and version are checked as the python-websockets server target's are (external/targets.json).
 */
import { join } from 'node:path';
import { probeAvailability, type Availability } from '../external/probe.js';
import { TargetUnavailableError } from '../external/unavailable.js';
import { folderIdentity } from '../code-identity.js';
import { DRIVERS_DIR } from './drivers-dir.js';
import { runDriver } from './driver-process.js';
import { PLAN_FLAG, PLANNED_SCHEDULE } from './plan-mode.js';
import type { ClientTarget, DriveOptions, DriveResult } from './types.js';

/** Debian's python3-websockets lives in /usr/bin/python3's dist-packages, not in whatever python3 PATH has. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

const DRIVER = 'python-websockets-client.py';

/** `python` is the interpreter to run (a test names a missing one). */
export function createPythonWebsocketsClient(python = DEBIAN_PYTHON): ClientTarget {
  const checks = {
    requires: [
      { run: [python, '--version'], missing: `python3 not installed (${python} missing)` },
      {
        run: [python, '-c', 'import websockets'],
        missing: `python3-websockets not installed (${python} cannot import websockets)`,
      },
    ],
    version: { run: [python, '-c', 'import websockets; print(websockets.__version__)'] },
  };
  let availability: Availability | undefined;
  const availabilityOnce = (): Availability => (availability ??= probeAvailability(checks, DRIVERS_DIR));
  return {
    name: 'python-websockets',
    implementation: 'python-websockets',
    get version() {
      const a = availabilityOnce();
      return a.available ? a.version : 'unavailable';
    },
    get codeIdentity() {
      return folderIdentity(DRIVERS_DIR);
    },
    options: {
      api: 'websockets.asyncio.client.connect (13.0 and later), else websockets.connect (10.x-12.x)',
      max_size: 2 ** 25,
      others: "websockets' defaults (permessage-deflate offered, keepalive pings every 20 s)",
      driver: `clients/${DRIVER} ${PLAN_FLAG}`,
      schedule: PLANNED_SCHEDULE,
    },
    async unavailable() {
      const a = availabilityOnce();
      return a.available ? null : a.reason;
    },
    async drive({ baseUrl, agent, signal, onLine }: DriveOptions): Promise<DriveResult> {
      signal?.throwIfAborted();
      const a = availabilityOnce();
      if (!a.available) throw new TargetUnavailableError('python-websockets', a.reason);
      const argv = [python, join(DRIVERS_DIR, DRIVER), baseUrl, agent, PLAN_FLAG];
      return runDriver('python-websockets', argv, DRIVERS_DIR, { signal, onLine });
    },
  };
}
