import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getTarget, loadUwsNative, type RunningTarget } from '../src/index.js';
import { handshake, rawRequest } from './helpers.js';
import { describeEchoTarget } from './suite.js';

// What uWebSockets.js 20.30 (native) answers: it never writes an HTTP error for a bad
// upgrade. Without a Sec-WebSocket-Key, or with a method other than GET, the request matches
// no route and the socket is closed without a byte; plain GET likewise. It does not look at
// Sec-WebSocket-Version at all, so version 12 is accepted with a 101 (RFC 6455 4.4 requires
// a 426 with Sec-WebSocket-Version) — a documented non-conformance, asserted as such.
describeEchoTarget('uws', {
  missingKey: 'tcp-close',
  nonGet: 'tcp-close',
  version12: 'accepts',
  plainGet: 'tcp-close',
  echoedCloseReason: 'four thousand',
});

describe('uws runs the native binary, not the JavaScript fallback', { timeout: 30_000 }, () => {
  let running: RunningTarget;
  beforeAll(async () => {
    running = await getTarget('uws').start();
  });
  afterAll(async () => {
    await running?.close();
  });

  test('reports implementation uWebSockets.js and the package version', () => {
    const t = getTarget('uws');
    expect(t.implementation).toBe('uWebSockets.js');
    expect(t.version).toBe('20.30.0-unofficial.0');
  });

  test('the loaded .node file matches this platform, arch and Node ABI', () => {
    const { binaryPath } = loadUwsNative();
    expect(binaryPath).toMatch(
      new RegExp(`binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}\\.node$`),
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
});
