// Autobahn fuzzingserver driver on the WHATWG WebSocket client of Bun or Deno (their global WebSocket), run by
// the runtime's binary from its npm package:
//   bun web-client.mjs BASE_URL AGENT [--plan]
//   deno run --allow-net web-client.mjs BASE_URL AGENT [--plan]
// The client's defaults (Bun offers permessage-deflate, Deno does not), except binaryType "arraybuffer", as
// Bun's own Autobahn test sets it: a binary message then arrives as bytes at once, where the default Blob
// (Deno) would be read asynchronously by send() and a later text message could overtake it.
import { runDriver } from './driver-main.mjs';

await runDriver('web-client.mjs', () => (url, onMessage, onClose) => {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  socket.onmessage = (event) => onMessage(event.data, typeof event.data === 'string' ? event.data : undefined);
  // An error (a case may end in one on purpose) is followed by the close event.
  socket.onerror = () => {};
  socket.onclose = () => onClose();
  return { send: (message) => socket.send(message) };
});
