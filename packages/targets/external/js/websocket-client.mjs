// Autobahn fuzzingserver driver on WebSocket-Node's WebSocketClient (the npm package `websocket`), loaded from
// its folder:
//   node websocket-client.mjs --package DIR BASE_URL AGENT [--plan]
// The client's defaults, except the two size limits, raised to 64 MiB as WebSocket-Node's own Autobahn client
// (test/scripts/autobahn-test-client.js) does; one WebSocketClient per connection, as that script has.
import { createRequire } from 'node:module';
import { runDriver } from './driver-main.mjs';

/** The limits WebSocket-Node's Autobahn client sets (defaults: 1 MiB frames, 8 MiB messages). */
const AUTOBAHN_LIMIT = 64 * 1024 * 1024;

await runDriver(
  'websocket-client.mjs',
  ({ packageDir }) => {
    const { client: WebSocketClient } = createRequire(import.meta.url)(packageDir);
    return (url, onMessage, onClose) => {
      let connection;
      const client = new WebSocketClient({
        maxReceivedFrameSize: AUTOBAHN_LIMIT,
        maxReceivedMessageSize: AUTOBAHN_LIMIT,
      });
      client.on('connect', (opened) => {
        connection = opened;
        opened.on('message', (message) => onMessage(message, message.type === 'utf8' ? message.utf8Data : undefined));
        // A case may end in an error on purpose; the close event follows.
        opened.on('error', () => {});
        opened.on('close', () => onClose());
      });
      client.on('connectFailed', () => onClose());
      client.connect(url);
      return {
        send(message) {
          if (message.type === 'utf8') connection.sendUTF(message.utf8Data);
          else connection.sendBytes(message.binaryData);
        },
      };
    };
  },
  true,
);
