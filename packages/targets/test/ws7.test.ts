import { expect, test } from 'vitest';
import { getTarget } from '../src/index.js';
import { describeEchoTarget } from './suite.js';

// ws 7.x, installed through the `ws7` npm alias. Where it differs from ws 8: a POST upgrade gets
// 400 (8.x: 405), and version 12 gets a bare 400 without the Sec-WebSocket-Version header that
// 8.x adds. Text arrives as a string and is echoed as text.
describeEchoTarget('ws7', {
  missingKey: { status: 400, headers: { connection: /^close$/i } },
  nonGet: { status: 400 },
  version12: { status: 400 },
  plainGet: { status: 426 },
  echoedCloseReason: 'four thousand',
});

test('ws7 is a 7.x release of ws, distinct from the ws target', () => {
  const t = getTarget('ws7');
  expect(t.implementation).toBe('ws');
  expect(t.version).toMatch(/^7\./);
  expect(getTarget('ws').version).toMatch(/^8\./);
  expect(t.options).not.toHaveProperty('autoPong');
});
