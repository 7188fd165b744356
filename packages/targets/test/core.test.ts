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
