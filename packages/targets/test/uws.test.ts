import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  TargetUnavailableError,
  UwsNativeLoadError,
  getTarget,
  loadUwsNative,
  uwsUnavailableReason,
  type RunningTarget,
} from '../src/index.js';
import { binaryFileName, loadFailureReason, loadUwsNativeFor, type UwsHost } from '../src/uws-native.js';
import { handshake, rawRequest } from './helpers.js';
import { describeEchoTarget } from './suite.js';
import { expectedUwsBuild, expectedUwsSkipReason } from './uws-expected.js';

const skipReason = expectedUwsSkipReason();
const build = expectedUwsBuild();
const host: UwsHost = { platform: 'linux', arch: 'x64', abi: '147', nodeMajor: 26, glibc: '2.36' };

describe('the uws build for the running Node', () => {
  test('loads where one is installed for this ABI (and glibc), else says why in one line', () => {
    expect(uwsUnavailableReason()).toBe(skipReason);
    const target = getTarget('uws');
    if (skipReason === undefined) {
      expect(target.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(target.options.nativeBuild).toMatch(/ uws_\w+_\w+_\d+\.node$/);
    } else {
      expect(target.version).toBe('unavailable');
      expect(target.options.nativeBuild).toBe(skipReason);
    }
  });

  test.runIf(skipReason !== undefined)(
    'an unavailable build: start() rejects with the reason, never a fallback',
    async () => {
      const started = getTarget('uws+deflate').start();
      await expect(started).rejects.toBeInstanceOf(TargetUnavailableError);
      await expect(started).rejects.toMatchObject({ target: 'uws+deflate', reason: skipReason });
    },
  );

  test.runIf(build !== undefined)('the build from the table: package, file and uWS version', () => {
    const native = loadUwsNative();
    expect(native.packageId).toBe(build!.packageId);
    expect(native.binaryPath).toBe(join(native.packageDir, build!.file));
    expect(native.uwsVersion).toBe(build!.uwsVersion);
    expect(getTarget('uws').version).toBe(build!.uwsVersion);
  });

  test('an ABI no installed package has a build for: "no native build", not a fallback', () => {
    expect(binaryFileName(host)).toBe('uws_linux_x64_147.node');
    expect(() => loadUwsNativeFor(host)).toThrow(
      new UwsNativeLoadError('unavailable on Node 26 (no native build for ABI 147)'),
    );
  });

  test('load errors become one line: a glibc too old, anything else with its first line', () => {
    const glibc = new Error(
      "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found (required by /x/uws_linux_x64_137.node)",
    );
    const node24 = { ...host, abi: '137', nodeMajor: 24 };
    expect(loadFailureReason(node24, glibc)).toBe(
      'unavailable on Node 24 (native build for ABI 137 needs glibc ≥ 2.38; this system has 2.36)',
    );
    expect(loadFailureReason(node24, new Error('Module did not self-register: x.node\nmore'))).toBe(
      'unavailable on Node 24 (native build for ABI 137 does not load: Module did not self-register: x.node)',
    );
  });
});

// What uWebSockets.js (native) answers to a bad upgrade: without a Sec-WebSocket-Key, or with a
// method other than GET, the request matches no route, and so does a plain GET (20.30 closes the
// socket without a byte, later releases answer 404). It does not look at Sec-WebSocket-Version at
// all, so version 12 is accepted with a 101 (RFC 6455 4.4 requires a 426 with
// Sec-WebSocket-Version) — a documented non-conformance, asserted as such.
if (build !== undefined) {
  describeEchoTarget('uws', {
    missingKey: build.unrouted,
    nonGet: build.unrouted,
    version12: 'accepts',
    plainGet: build.unrouted,
    echoedCloseReason: 'four thousand',
  });
} else {
  describe.skip(`EchoTarget "uws" (skipped: ${skipReason ?? 'no build listed for this platform'})`, () => {
    test('echo suite', () => {});
  });
}

describe.skipIf(skipReason !== undefined)(
  `uws runs the native binary, not the JavaScript fallback${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  { timeout: 30_000 },
  () => {
    let running: RunningTarget;
    beforeAll(async () => {
      running = await getTarget('uws').start();
    });
    afterAll(async () => {
      await running?.close();
    });

    test('reports implementation uWebSockets.js and the version of the build it loads', () => {
      const t = getTarget('uws');
      expect(t.implementation).toBe('uWebSockets.js');
      expect(t.version).toBe(loadUwsNative().uwsVersion);
      if (process.versions.modules === '115') expect(t.version).toBe('20.30.0-unofficial.0');
    });

    test('the loaded .node file matches this platform, arch and Node ABI', () => {
      const { binaryPath } = loadUwsNative();
      expect(binaryPath).toMatch(
        new RegExp(`/uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`),
      );
    });

    test('the 101 response carries the uWebSockets: 20 fingerprint header', async () => {
      const outcome = await rawRequest(running.port, running.host, handshake(running.port));
      expect(outcome.kind).toBe('status');
      if (outcome.kind !== 'status') return;
      expect(outcome.status).toBe(101);
      expect(outcome.headers.uwebsockets).toBe('20');
    });

    test.runIf(process.platform === 'linux')('/proc/self/maps has the native binary mapped', () => {
      const { binaryPath } = loadUwsNative();
      expect(readFileSync('/proc/self/maps', 'utf8')).toContain(binaryPath);
    });
  },
);
