// WebSocket echo server on faye-websocket (the npm package `faye-websocket`, on websocket-driver), loaded from
// its folder:
//   node faye-echo.mjs --package DIR --host 127.0.0.1 --port 9001
// A node:http server whose 'upgrade' event hands every request to `new WebSocket(request, socket, body)` with
// the documented defaults (maxLength 2^26 - 1, no pings, no extensions). There is no --deflate: faye's
// permessage-deflate is the separate npm package `permessage-deflate`, which this repository does not install.
import { createServer, STATUS_CODES } from 'node:http';
import { createRequire } from 'node:module';
import { parseEchoArgs } from './echo-args.mjs';

const args = parseEchoArgs(process.argv.slice(2), 'faye-echo.mjs', true);
if (args.error) {
  console.error(args.error);
  process.exit(2);
}
const WebSocket = createRequire(import.meta.url)(args.packageDir);

// A request without an upgrade never reaches faye: it gets the 426 the ws targets answer.
const server = createServer((_request, response) => {
  const body = STATUS_CODES[426];
  response.writeHead(426, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
  response.end(body);
});
// No WebSocket.isWebSocket() check first: faye answers a request it cannot accept itself (400 with the reason),
// and that answer is what the handshake cases judge.
server.on('upgrade', (request, socket, body) => {
  const ws = new WebSocket(request, socket, body);
  // Text arrives as a string and binary as a Buffer; send() keeps each type.
  ws.on('message', (event) => ws.send(event.data));
});
server.on('error', (err) => {
  console.error(`faye-echo.mjs: ${err.message}`);
  process.exit(1);
});
server.listen(args.port, args.host);
