// WebSocket echo server on any release of the npm package `ws` (majors 1 to 8), loaded from its folder:
//   node ws-echo.mjs --package DIR --host 127.0.0.1 --port 9001 [--deflate]
// with the embedded ws target's options where the release knows them (ws-release.mjs).
import { createServer, STATUS_CODES } from 'node:http';
import { parseEchoArgs } from './echo-args.mjs';
import { isBinaryMessage, loadServerClass, releaseOptions } from './ws-release.mjs';

const args = parseEchoArgs(process.argv.slice(2), 'ws-echo.mjs', true);
if (args.error) {
  console.error(args.error);
  process.exit(2);
}
const ServerClass = loadServerClass(args.packageDir);
// We own the HTTP server so that a request without an upgrade gets the 426 ws itself answers in its port mode.
const server = createServer((_request, response) => {
  const body = STATUS_CODES[426];
  response.writeHead(426, { 'Content-Length': Buffer.byteLength(body), 'Content-Type': 'text/plain' });
  response.end(body);
});
const wss = new ServerClass({ ...releaseOptions(ServerClass, args.deflate), server });
wss.on('connection', (socket) => {
  socket.on('message', (data, second) => socket.send(data, { binary: isBinaryMessage(data, second) }));
  // A protocol error is answered by ws with a close frame; nothing else to do.
  socket.on('error', () => {});
});
wss.on('error', () => {});
server.on('error', (err) => {
  console.error(`ws-echo.mjs: ${err.message}`);
  process.exit(1);
});
server.listen(args.port, args.host);
