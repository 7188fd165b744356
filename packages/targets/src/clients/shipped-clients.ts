/**
 * The client drivers the shipped targets files describe (their `clients` arrays): each checked, versioned and
 * built the way the external server targets are, then run as a driver against the fuzzingserver.
 */
import { definitionIdentity } from '../code-identity.js';
import { BuildFailedError, buildOnce, defaultCacheDir } from '../external/build.js';
import { readTargetsFiles, type ShippedClientDefinition } from '../external/definition.js';
import { expandArgv } from '../external/placeholders.js';
import { probeAvailability, type Availability } from '../external/probe.js';
import { SHIPPED_TARGETS_FILE } from '../external/shipped.js';
import { TargetUnavailableError } from '../external/unavailable.js';
import { runDriver } from './driver-process.js';
import { PLAN_FLAG, PLANNED_SCHEDULE } from './plan-mode.js';
import type { ClientTarget, DriveOptions, DriveResult } from './types.js';

export interface ShippedClientContext {
  /** Folder of the definition's targets file: relative paths and `{dir}`. */
  dir: string;
  /** Where builds are cached; default: defaultCacheDir(). */
  cacheDir?: string;
}

/** A ClientTarget for one `clients` entry of a targets file. */
export function createShippedClient(definition: ShippedClientDefinition, context: ShippedClientContext): ClientTarget {
  const { dir } = context;
  let availability: Availability | undefined;
  const availabilityOnce = (): Availability => (availability ??= probeAvailability(definition, dir));
  const driver = definition.command.join(' ') + (definition.plan ? ` ${PLAN_FLAG}` : '');
  return {
    name: definition.name,
    implementation: definition.implementation,
    get version() {
      const a = availabilityOnce();
      return a.available ? a.version : 'unavailable';
    },
    options: {
      ...definition.options,
      driver,
      ...(definition.plan ? { schedule: PLANNED_SCHEDULE } : {}),
    },
    get codeIdentity() {
      return definitionIdentity(definition, dir);
    },
    async unavailable() {
      const a = availabilityOnce();
      return a.available ? null : a.reason;
    },
    async drive({ baseUrl, agent, signal, onLine }: DriveOptions): Promise<DriveResult> {
      signal?.throwIfAborted();
      const a = availabilityOnce();
      if (!a.available) throw new TargetUnavailableError(definition.name, a.reason);
      let build: string | undefined;
      if (definition.build) {
        try {
          build = await buildOnce(definition.build, dir, context.cacheDir ?? defaultCacheDir(), a.packageDir);
        } catch (err) {
          if (err instanceof BuildFailedError) throw new TargetUnavailableError(definition.name, err.message);
          throw err;
        }
      }
      const argv = expandArgv(definition.command, {
        dir,
        url: baseUrl,
        agent,
        ...(build !== undefined ? { build } : {}),
        ...(a.packageDir !== undefined ? { package: a.packageDir } : {}),
      });
      if (definition.plan) argv.push(PLAN_FLAG);
      return runDriver(definition.name, argv, dir, { signal, onLine });
    },
  };
}

/** One ClientTarget per `clients` entry of a targets file and the files it includes, in file order. */
export function loadShippedClients(file: string = SHIPPED_TARGETS_FILE, cacheDir?: string): ClientTarget[] {
  return readTargetsFiles(file).flatMap(({ dir, clients }) =>
    clients.map((c) => createShippedClient(c, cacheDir === undefined ? { dir } : { dir, cacheDir })),
  );
}
