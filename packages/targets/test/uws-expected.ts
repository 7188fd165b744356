import { currentHost, uwsUnavailableReason } from '../src/uws-native.js';
import type { HandshakeExpectation } from './suite.js';

interface UwsBuild {
  packageId: string;
  /** Path of the .node file inside the package. */
  file: string;
  uwsVersion: string;
  /**
   * What a request matching no route gets (a bad upgrade is one): 20.30 closes the socket without a byte,
   * later releases answer with their "File Not Found" page.
   */
  unrouted: HandshakeExpectation;
  minGlibc?: string;
}

/**
 * The linux-x64 uWebSockets.js builds this project installs, by Node ABI, and what each needs. Where a
 * build is listed and its glibc need is met it must load: the uws tests then run and fail on a load
 * error instead of skipping.
 */
export const UWS_LINUX_X64_BUILDS: Readonly<Record<string, UwsBuild>> = {
  '115': {
    packageId: '@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0',
    file: 'binaries/uws_linux_x64_115.node',
    uwsVersion: '20.30.0-unofficial.0',
    unrouted: 'tcp-close',
  },
  '127': {
    packageId: '@based/uws@6.0.1',
    file: 'uws_linux_x64_127.node',
    uwsVersion: '20.51.0',
    unrouted: { status: 404 },
  },
  '137': {
    packageId: '@based/uws@6.0.1',
    file: 'uws_linux_x64_137.node',
    uwsVersion: '20.51.0',
    unrouted: { status: 404 },
    minGlibc: '2.38',
  },
};

function atLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** The build that must load on this host (linux x64 only), if any. */
export function expectedUwsBuild(): UwsBuild | undefined {
  const host = currentHost();
  if (host.platform !== 'linux' || host.arch !== 'x64') return undefined;
  const build = UWS_LINUX_X64_BUILDS[host.abi];
  if (build?.minGlibc && !(host.glibc && atLeast(host.glibc, build.minGlibc))) return undefined;
  return build;
}

/**
 * Why the uws suites skip on this host, worked out from the table above rather than from the loader
 * (so a build that should load but does not fails the suites). Undefined: they run.
 */
export function expectedUwsSkipReason(): string | undefined {
  const host = currentHost();
  if (host.platform !== 'linux' || host.arch !== 'x64') return uwsUnavailableReason();
  if (expectedUwsBuild()) return undefined;
  const build = UWS_LINUX_X64_BUILDS[host.abi];
  const node = `unavailable on Node ${host.nodeMajor}`;
  if (build?.minGlibc) {
    return `${node} (native build for ABI ${host.abi} needs glibc ≥ ${build.minGlibc}; this system has ${host.glibc})`;
  }
  return `${node} (no native build for ABI ${host.abi})`;
}
