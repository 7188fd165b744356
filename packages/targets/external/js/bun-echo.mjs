// WebSocket echo server on Bun's built-in server (Bun.serve with a `websocket` handler), run by the bun binary
// of the npm package `bun`:
//   bun bun-echo.mjs --host 127.0.0.1 --port 9001 [--deflate]
// Bun's documented defaults, except with --deflate: `perMessageDeflate: true`, and every echo is sent with
// send(message, true), which is how Bun's documentation asks for a compressed message (send() alone sends it
// uncompressed even on a compressed connection).
import { parseEchoArgs } from './echo-args.mjs';

const args = parseEchoArgs(process.argv.slice(2), 'bun-echo.mjs');
if (args.error) {
  console.error(args.error);
  process.exit(2);
}
const compress = args.deflate;

Bun.serve({
  hostname: args.host,
  port: args.port,
  fetch(request, server) {
    // upgrade() answers a bad version itself (426); for any other request it refuses it returns false and the
    // status is the application's to pick: 400, the RFC 6455 §4.2.1 answer to a handshake it cannot accept.
    if (server.upgrade(request)) return undefined;
    return new Response(null, { status: 400 });
  },
  websocket: {
    perMessageDeflate: compress,
    // A text message arrives as a string and binary as a Buffer; send() keeps each type.
    message(ws, message) {
      ws.send(message, compress);
    },
  },
});
