// WebSocket echo server on WebSocket-Node (the npm package `websocket`), loaded from its folder:
//   node websocket-echo.mjs --package DIR --host 127.0.0.1 --port 9001
// Its WebSocketServer on a node:http server with the documented defaults, except the two size limits, raised to
// 64 MiB as the server of WebSocket-Node's own Autobahn setup does (test/scripts/echo-server.js, the server its
// test/autobahn/config/fuzzingclient.json points at). There is no --deflate: WebSocket-Node has no
// permessage-deflate.
import { createServer, STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import { parseEchoArgs } from './echo-args.mjs';

/** The limits WebSocket-Node's Autobahn echo server sets (defaults: 64 KiB frames, 1 MiB messages). */
const AUTOBAHN_LIMIT = 64 * 1024 * 1024;

const args = parseEchoArgs(process.argv.slice(2), 'websocket-echo.mjs', true);
if (args.error) {
  console.error(args.error);
  process.exit(2);
}
const { server: WebSocketServer } = createRequire(import.meta.url)(args.packageDir);

// A request without an upgrade never reaches WebSocket-Node: it gets the 426 the ws targets answer.
const server = createServer((_request, response) => {
  const body = STATUS_CODES[426];
  response.writeHead(426, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
  response.end(body);
});
const wsServer = new WebSocketServer({
  httpServer: server,
  maxReceivedFrameSize: AUTOBAHN_LIMIT,
  maxReceivedMessageSize: AUTOBAHN_LIMIT,
});
// autoAcceptConnections stays false (its documentation advises against true): every request that passed the
// library's own handshake checks is accepted here, on any path, choosing no subprotocol.
wsServer.on('request', (request) => {
  const connection = request.accept(null, request.origin);
  connection.on('message', (message) => {
    if (message.type === 'utf8') connection.sendUTF(message.utf8Data);
    else connection.sendBytes(message.binaryData);
  });
  // A protocol error is answered by the library with a close frame; nothing else to do.
  connection.on('error', () => {});
});
server.on('error', (err) => {
  console.error(`websocket-echo.mjs: ${err.message}`);
  process.exit(1);
});
server.listen(args.port, args.host);
