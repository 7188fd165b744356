// What differs between the releases of the npm package `ws` (majors 1 to 8) that ws-echo.mjs serves with:
// the server class's export name, the options a release knows and the 'message' event's signature.
// The options are those of the embedded ws target (packages/targets/src/ws-target.ts), each passed only to a
// release that knows it: a release's defaults (its `options` after `new WebSocketServer({ noServer: true })`)
// name every option it has.
import { createRequire } from 'node:module';

const MAX_MESSAGE_SIZE = 32 * 1024 * 1024;

/**
 * The embedded ws target's settings: a 32 MiB message limit, the fragment and buffered-chunk limits (from 8.21
 * and the 5.2/6.2/7.5 back-ports) raised to it so that maxPayload stays the effective limit, compression off
 * (ws 1 and 2 turned it on by default) unless --deflate, and the defaults of ws 8 spelled out.
 */
export function wantedOptions(deflate) {
  return {
    maxPayload: MAX_MESSAGE_SIZE,
    maxFragments: MAX_MESSAGE_SIZE,
    maxBufferedChunks: MAX_MESSAGE_SIZE,
    perMessageDeflate: deflate,
    clientTracking: true,
    autoPong: true,
    skipUTF8Validation: false,
    allowSynchronousEvents: true,
  };
}

/** The wanted options the release's server knows, judged by the keys of its defaults. */
export function releaseOptions(ServerClass, deflate) {
  const defaults = new ServerClass({ noServer: true }).options ?? {};
  return Object.fromEntries(Object.entries(wantedOptions(deflate)).filter(([key]) => key in defaults));
}

/** ws 8 exports WebSocketServer; 1 to 7 export it as Server. */
export function loadServerClass(packageDir) {
  const require = createRequire(import.meta.url);
  const ws = require(packageDir);
  const ServerClass = ws.WebSocketServer ?? ws.Server;
  if (typeof ServerClass !== 'function') throw new Error(`${packageDir} exports no WebSocket server class`);
  return ServerClass;
}

/**
 * The message's type, whichever signature the release's 'message' event has: (data, isBinary) in 8, where text
 * is a Buffer too; (data, flags) in 1 and 2 and (data) in 3 to 7, where text is a string and binary a Buffer.
 */
export function isBinaryMessage(data, second) {
  return typeof second === 'boolean' ? second : typeof data !== 'string';
}
