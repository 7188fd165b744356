/**
 * A server the user already runs, named by its URL: a matrix column like any target, except that nothing is
 * started or stopped here, so its version is what the user says it is.
 */
import type { EchoTarget, RunningTarget } from '../types.js';
import { accepts } from './readiness.js';

/** The version a URL target is filed under when the user names none. */
export const UNVERSIONED = 'unversioned';

export interface UrlTargetSpec {
  /** Column name; also the implementation its results are filed under. */
  name: string;
  /** ws://host:port/path of the running server. */
  url: string;
  /** Default UNVERSIONED. */
  version?: string;
}

/** Thrown by start() when the server does not accept TCP connections: its column says "target down". */
export class UrlTargetDownError extends Error {
  constructor(
    readonly target: string,
    readonly url: string,
  ) {
    super(`${target}: ${url} does not accept connections`);
    this.name = 'UrlTargetDownError';
  }
}

/** The port a ws:// URL connects to (80 when the URL names none). */
function portOf(url: URL): number {
  return url.port === '' ? 80 : Number(url.port);
}

export function createUrlTarget(spec: UrlTargetSpec): EchoTarget {
  const parsed = new URL(spec.url);
  // URL keeps IPv6 hosts bracketed; net.connect wants them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = portOf(parsed);
  return {
    name: spec.name,
    implementation: spec.name,
    version: spec.version ?? UNVERSIONED,
    options: { url: spec.url, startedBy: 'the user (not started by wsmatrix)' },
    async start(): Promise<RunningTarget> {
      if (!(await accepts(host, port))) throw new UrlTargetDownError(spec.name, spec.url);
      return { url: spec.url, host, port, close: async () => {} };
    },
  };
}
