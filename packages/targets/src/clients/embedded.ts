/**
 * The JavaScript clients: each a driver script in clients/ run by the Node running the harness
 * (process.execPath), loading its WebSocket the way the driver's project loads it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackage, type PackageInfo } from '../package-version.js';
import { TargetUnavailableError, firstLine } from '../external/unavailable.js';
import { folderIdentity } from '../code-identity.js';
import { DRIVERS_DIR } from './drivers-dir.js';
import { runDriver } from './driver-process.js';
import { PLAN_FLAG, PLANNED_SCHEDULE } from './plan-mode.js';
import type { ClientTarget, DriveOptions, DriveResult } from './types.js';

/** Loading a package takes milliseconds; this is the safety net for a machine under load. */
const LOAD_CHECK_TIMEOUT_MS = 30_000;

interface EmbeddedClientSpec {
  name: string;
  implementation: string;
  /** Read when first asked. */
  version: () => string;
  options: Record<string, unknown>;
  /** The script in clients/ and its arguments after BASE_URL and AGENT (the plan flag is added to them). */
  driver: string;
  driverArgs: readonly string[];
  /** ES module code that exits 0 when the driver's WebSocket loads on this Node, else prints why. */
  loadCheck: string;
  /** The column's line when the load check fails; `printed` is the check's first line of output. */
  reason: (printed: string) => string;
}

const nodeLine = (): string => `Node ${process.versions.node.split('.')[0]}`;

/** Runs the load check with the Node and the module resolution the driver will have. */
function loadCheck(code: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', code],
      { cwd: DRIVERS_DIR, timeout: LOAD_CHECK_TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(null);
        resolve(firstLine(stderr) || firstLine(stdout) || err.message);
      },
    );
  });
}

function createEmbeddedClient(spec: EmbeddedClientSpec): ClientTarget {
  let version: string | undefined;
  let availability: Promise<string | null> | undefined;
  const unavailable = (): Promise<string | null> =>
    (availability ??= loadCheck(spec.loadCheck).then((printed) => (printed === null ? null : spec.reason(printed))));
  return {
    name: spec.name,
    implementation: spec.implementation,
    get version() {
      version ??= spec.version();
      return version;
    },
    get codeIdentity() {
      return folderIdentity(DRIVERS_DIR);
    },
    options: {
      ...spec.options,
      driver: [`clients/${spec.driver}`, ...spec.driverArgs, PLAN_FLAG].join(' '),
      schedule: PLANNED_SCHEDULE,
    },
    unavailable,
    async drive({ baseUrl, agent, signal, onLine }: DriveOptions): Promise<DriveResult> {
      signal?.throwIfAborted();
      const reason = await unavailable();
      if (reason !== null) throw new TargetUnavailableError(spec.name, reason);
      const argv = [process.execPath, join(DRIVERS_DIR, spec.driver), baseUrl, agent, ...spec.driverArgs, PLAN_FLAG];
      return runDriver(spec.name, argv, DRIVERS_DIR, { signal, onLine });
    },
  };
}

/** The installed package, or a version that says it is missing (its load check then gives the reason). */
function installed(installName: string): PackageInfo | undefined {
  try {
    return findPackage(installName);
  } catch {
    return undefined;
  }
}

/** Exits 0 when `installName` loads and has `exportName` (a function); else prints why and exits 1. */
function exportCheck(installName: string, exportName: string): string {
  return `
    const m = await import(${JSON.stringify(installName)});
    if (typeof m[${JSON.stringify(exportName)}] !== 'function') {
      console.error(${JSON.stringify(`${installName} has no ${exportName} export`)});
      process.exit(1);
    }`;
}

/** ws 8.x or 7.x (the npm alias ws7), with ws's defaults, as ws's test/autobahn.js constructs it. */
function createWsClient(name: 'ws' | 'ws7'): ClientTarget {
  const installName = name;
  return createEmbeddedClient({
    name,
    implementation: 'ws',
    version: () => installed(installName)?.version ?? 'not installed',
    options: {
      construction: "new WebSocket(url): ws's defaults (permessage-deflate offered, maxPayload 100 MiB)",
      echo: name === 'ws' ? 'ws.send(data, { binary: isBinary })' : 'ws.send(data) (a string for text)',
    },
    driver: 'ws-client.mjs',
    driverArgs: [installName],
    loadCheck: exportCheck(installName, 'default'),
    reason: (printed) => `cannot load ${installName} on ${nodeLine()} (${printed})`,
  });
}

/** undici's WebSocket from the undici package, as undici's test/autobahn/client.js uses it. */
function createUndiciClient(): ClientTarget {
  return createEmbeddedClient({
    name: 'undici',
    implementation: 'undici',
    version: () => installed('undici')?.version ?? 'not installed',
    options: {
      construction: "new WebSocket(url): undici's defaults (binaryType 'blob', permessage-deflate offered)",
      echo: 'ws.send(event.data)',
    },
    driver: 'undici-client.mjs',
    driverArgs: ['undici'],
    loadCheck: exportCheck('undici', 'WebSocket'),
    reason(printed) {
      const info = installed('undici');
      if (!info) return 'undici not installed';
      const engines = readEngines(info);
      // undici's newest major may need a newer Node than the harness supports: say so, not the load error.
      if (engines && belowMinimum(engines, process.versions.node)) {
        return `unavailable on ${nodeLine()} (undici ${info.version} requires Node ${engines})`;
      }
      return `cannot load undici ${info.version} on ${nodeLine()} (${printed})`;
    },
  });
}

/**
 * Node's global WebSocket (undici's, bundled with Node), without flags. Node 20 has it only behind
 * --experimental-websocket; that build is not what Node 20 gives its users, so there the column says
 * it is unavailable rather than file an opt-in preview as Node 20's WebSocket.
 */
function createNodeClient(): ClientTarget {
  return createEmbeddedClient({
    name: 'node',
    implementation: 'node',
    version: () => process.versions.node,
    options: {
      construction: "new WebSocket(url) (the global): Node's defaults (binaryType 'blob')",
      echo: 'ws.send(event.data)',
      bundledUndici: process.versions.undici,
    },
    driver: 'undici-client.mjs',
    driverArgs: ['global'],
    loadCheck: `
      if (typeof globalThis.WebSocket !== 'function') {
        console.error('no global WebSocket');
        process.exit(1);
      }`,
    reason: (printed) =>
      printed === 'no global WebSocket'
        ? `unavailable on ${nodeLine()} (no global WebSocket without --experimental-websocket)`
        : `unavailable on ${nodeLine()} (${printed})`,
  });
}

/** The `engines.node` range of an installed package, if it states one. */
function readEngines(info: PackageInfo): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(info.dir, 'package.json'), 'utf8')) as { engines?: { node?: unknown } };
    return typeof json.engines?.node === 'string' ? json.engines.node : undefined;
  } catch {
    return undefined;
  }
}

/** True only for a range of the form `>=X.Y.Z` that `version` is below (other forms are not judged). */
export function belowMinimum(range: string, version: string): boolean {
  const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  if (!minimum) return false;
  const have = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const need = Number(minimum[i + 1]);
    const got = have[i] ?? 0;
    if (got !== need) return got < need;
  }
  return false;
}

export const embeddedClients = {
  ws: () => createWsClient('ws'),
  ws7: () => createWsClient('ws7'),
  undici: createUndiciClient,
  node: createNodeClient,
} as const satisfies Record<string, () => ClientTarget>;
