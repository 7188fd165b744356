import { afterEach, describe, expect, test } from 'vitest';
import { getTarget, type RunningTarget } from '../src/index.js';
import { describeEchoTarget } from './suite.js';

// Our own server is held to the strict answers (RFC 6455 4.2.1 / 4.4, RFC 9110 15.5.6).
// Until @wsmatrix/core exists this file fails in beforeAll ("cannot load @wsmatrix/core");
// the ws and uws suites live in their own files and are unaffected.
describeEchoTarget('core', {
  missingKey: { status: 400 },
  nonGet: { status: 405, headers: { allow: /^GET$/i } },
  version12: { status: 426, headers: { 'sec-websocket-version': /^13$/ } },
  plainGet: 'not-101',
  echoedCloseReason: undefined,
});

describe('the core reports the socket layer in effect once started', { timeout: 30_000 }, () => {
  const started: RunningTarget[] = [];
  const before = process.env.WSMATRIX_CORE_SOCKETS;
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.close()));
    if (before === undefined) delete process.env.WSMATRIX_CORE_SOCKETS;
    else process.env.WSMATRIX_CORE_SOCKETS = before;
  });

  test('net by default, for core and core+deflate', async () => {
    delete process.env.WSMATRIX_CORE_SOCKETS;
    for (const name of ['core', 'core+deflate']) {
      const running = await getTarget(name).start();
      started.push(running);
      expect(running.options).toEqual({ socketLayer: 'net' });
    }
  });

  test('the layer asked for through the environment, when it works', async () => {
    process.env.WSMATRIX_CORE_SOCKETS = 'shared-reads';
    const running = await getTarget('core').start();
    started.push(running);
    expect(running.options).toEqual({ socketLayer: 'shared-reads' });
  });
});
