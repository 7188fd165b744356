// WebSocket echo server on Deno's built-in server (Deno.serve and Deno.upgradeWebSocket), run by the deno binary
// of the npm package `deno`:
//   deno run --allow-net deno-echo.mjs --host 127.0.0.1 --port 9001
// Deno's documented defaults, as Deno's own Autobahn server (ext/websocket/autobahn/autobahn_server.js) uses it.
// There is no --deflate: Deno's server does not negotiate permessage-deflate.
import { parseEchoArgs } from './echo-args.mjs';

const args = parseEchoArgs(Deno.args, 'deno-echo.mjs');
if (args.error) {
  console.error(args.error);
  Deno.exit(2);
}

Deno.serve(
  {
    hostname: args.host,
    port: args.port,
    // Without onListen Deno prints a "Listening on" line: nothing but fatal errors is printed.
    onListen() {},
  },
  (request) => {
    let upgrade;
    try {
      upgrade = Deno.upgradeWebSocket(request);
    } catch {
      // upgradeWebSocket throws for a request it will not upgrade and leaves the answer to the application:
      // 400, the RFC 6455 §4.2.1 answer to a handshake the server cannot accept.
      return new Response(null, { status: 400 });
    }
    const { socket, response } = upgrade;
    // Text arrives as a string, binary as an ArrayBuffer, and send() keeps each type. "arraybuffer" is a server
    // socket's default in current Deno; set here so that no release hands over a Blob, whose send() would wait
    // for its bytes and could let a later message overtake it.
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  },
);
