/**
 * A hand-made WebSocket server for tests that need a server to behave (or misbehave) exactly so: it
 * gathers each request head, lets the test answer it, then hands every later chunk to the test with a
 * ReplyCounter that has already walked the client's frames.
 */
import net from 'node:net';
import { computeAcceptKey } from '@wsmatrix/protocol';
import { ReplyCounter } from '../src/reply-counter.js';

export interface FakeServerScript {
  /** The request head is complete: answer it. `key` is its Sec-WebSocket-Key, `index` counts connections from 0. */
  upgrade(socket: net.Socket, key: string, index: number): void;
  /** Bytes after the head arrived; `counter` has counted them, `messages` is how many messages they completed. */
  frames(socket: net.Socket, counter: ReplyCounter, messages: number, closesBefore: number): void;
}

export interface FakeServer {
  port: number;
  close(): Promise<void>;
}

/** A valid 101 for `key`, with `extra` header lines (each ending in CRLF) before the blank line. */
export function okHead(key: string, extra = ''): string {
  const accept = computeAcceptKey(key);
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade'];
  return `${[...lines, `Sec-WebSocket-Accept: ${accept}`].join('\r\n')}\r\n${extra}\r\n`;
}

export async function startFakeWsServer(script: FakeServerScript, host = '127.0.0.1'): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    const index = connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const counter = new ReplyCounter();
    let head: Buffer | undefined = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      let bytes = data;
      if (head) {
        head = Buffer.concat([head, data]);
        const blank = head.indexOf('\r\n\r\n');
        if (blank < 0) return;
        const end = blank + 4;
        const key = /sec-websocket-key: *(\S+)/i.exec(head.toString('latin1'))![1]!;
        bytes = head.subarray(end);
        head = undefined;
        script.upgrade(socket, key, index);
      }
      const closesBefore = counter.closeFrames;
      const messages = counter.push(bytes);
      script.frames(socket, counter, messages, closesBefore);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
