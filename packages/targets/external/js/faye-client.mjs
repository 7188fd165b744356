// Autobahn fuzzingserver driver on faye-websocket's Client (the npm package `faye-websocket`), loaded from its
// folder:
//   node faye-client.mjs --package DIR BASE_URL AGENT [--plan]
// The client's defaults (maxLength 2^26 - 1, no pings); faye's own Autobahn client (examples/autobahn_client.js)
// adds the permessage-deflate package, which this repository does not install.
import { createRequire } from 'node:module';
import { runDriver } from './driver-main.mjs';

await runDriver(
  'faye-client.mjs',
  ({ packageDir }) => {
    const { Client } = createRequire(import.meta.url)(packageDir);
    return (url, onMessage, onClose) => {
      const socket = new Client(url);
      // Text arrives as a string and binary as a Buffer; send() keeps each type.
      socket.on('message', (event) => onMessage(event.data, typeof event.data === 'string' ? event.data : undefined));
      socket.on('error', () => {});
      socket.on('close', () => onClose());
      return { send: (message) => socket.send(message) };
    };
  },
  true,
);
