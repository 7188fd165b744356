/** The echo server: every message goes back exactly as received (same type, same bytes). */
import type { ConnectionHandler, WebSocketConnection } from './connection-types.js';
import type { ServerOptions } from './options.js';
import { WebSocketServer } from './server.js';

/** One handler object for all connections: no per-connection or per-message closures. */
export const echoHandler: ConnectionHandler = {
  onMessage(conn: WebSocketConnection, data: Buffer, binary: boolean): void {
    conn.send(data, binary);
  },
};

/** A WebSocketServer whose connections echo; `options.handler` is replaced by the echo handler. */
export function createEchoServer(options: ServerOptions = {}): WebSocketServer {
  return new WebSocketServer({ ...options, handler: echoHandler });
}
