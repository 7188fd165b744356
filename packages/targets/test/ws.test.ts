import { describeEchoTarget } from './suite.js';

// What ws 8 answers (lib/websocket-server.js handleUpgrade / abortHandshake, plus the 426
// that its `port` mode gives plain HTTP requests, which the adapter reproduces).
describeEchoTarget('ws', {
  missingKey: { status: 400, headers: { connection: /^close$/i } },
  nonGet: { status: 405 },
  // RFC 6455 4.4 suggests 426; ws answers 400 and advertises the versions it speaks.
  version12: { status: 400, headers: { 'sec-websocket-version': /^13, 8$/ } },
  plainGet: { status: 426 },
  echoedCloseReason: 'four thousand',
});
