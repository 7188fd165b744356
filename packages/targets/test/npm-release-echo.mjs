// The npm-release tests' echo server on a release of `ws` loaded from its folder (any major: 8 passes isBinary,
// earlier ones a string for text and a Buffer for binary, which send() keeps apart by itself):
//   node npm-release-echo.mjs PACKAGE_DIR PORT
import { createRequire } from 'node:module';

const [packageDir, port] = process.argv.slice(2);
const ws = createRequire(import.meta.url)(packageDir);
const Server = ws.WebSocketServer ?? ws.Server;
const server = new Server({ host: '127.0.0.1', port: Number(port) });
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) =>
    socket.send(data, typeof isBinary === 'boolean' ? { binary: isBinary } : {}),
  );
  socket.on('error', () => {});
});
