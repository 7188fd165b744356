/**
 * The name of a spec server given without "agent": as AutobahnPython's fuzzingclient, the `Server` header
 * of the server's opening-handshake response, else "UnknownServer". One handshake is made to read it
 * before any case runs, so every case of that server is filed under the same name.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export const UNKNOWN_SERVER = 'UnknownServer';

/** Resolves with the server's `Server` header, or UNKNOWN_SERVER when it sends none or cannot be reached. */
export function serverHeaderAgent(url: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const target = new URL(url);
    let settled = false;
    const settle = (server: string | string[] | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      const name = Array.isArray(server) ? server[0] : server;
      resolve(name !== undefined && name.trim() !== '' ? name : UNKNOWN_SERVER);
    };
    const req = http.get({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || 80),
      path: (target.pathname || '/') + target.search,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
      agent: false,
    });
    const timer = setTimeout(() => settle(undefined), timeoutMs);
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      settle(res.headers.server);
    });
    req.on('response', (res) => {
      res.resume();
      settle(res.headers.server);
    });
    req.on('error', () => settle(undefined));
  });
}
