/**
 * The opt-in 'shared-reads' and 'bare' socket layers (socket-layer.ts) read every accepted socket into one
 * buffer shared by the whole server (net.Socket's `onread`, or RawSocket), instead of node's fresh 64 KiB
 * allocation per read. Reads of up to 1 MiB cut the read syscalls and wake-ups of large messages by an
 * order of magnitude, and the rest of a large frame can be read straight into its message buffer
 * (ReadRoute.direct). Both need the accepted handles themselves, so both take over accepting
 * (takeOverAccepts, a Node internal) and prove themselves by behaviour before a server uses them.
 *
 * The price is a contract: a chunk is valid only until its listener returns, because the next read of
 * any socket overwrites it. Every consumer copies what it keeps: the head parser copies by design, and
 * connections read with MessageReader's `transientInput`.
 */
import { Socket, type Server } from 'node:net';
import { isTcpHandle, type LibuvStreams } from './libuv-stream.js';
import { RawSocket } from './raw-socket.js';
import { ReadRoute } from './read-route.js';
import type { ServerSocket } from './server-socket.js';

/** The listening handle of a net.Server, as far as we use it. */
interface ListeningHandle {
  onconnection?: (err: number, clientHandle?: unknown) => void;
}

/**
 * Takes over accepting on a listening net.Server: every accepted TCP handle goes to `onHandle`, to be
 * wrapped in a net.Socket built as the caller needs. net.Server builds its sockets itself and (in Node 20)
 * takes no `onread`, so this replaces the listening handle's accept callback, an undocumented internal.
 * False when this Node lacks it. Sockets built this way are not counted by server.getConnections().
 */
export function takeOverAccepts(server: Server, onHandle: (handle: unknown) => void): boolean {
  const handle = (server as unknown as { _handle?: ListeningHandle })._handle;
  if (handle === undefined || handle === null || typeof handle.onconnection !== 'function') return false;
  handle.onconnection = (err, clientHandle) => {
    if (err !== 0 || clientHandle === undefined) return; // a failed accept (EMFILE, …): keep listening
    onHandle(clientHandle);
  };
  return true;
}

/**
 * The socket own-server mode builds on one accepted handle, reading into `buffer` (or a payload block, see
 * ReadRoute.direct): a RawSocket on the bare handle when `streams` is given and the handle has what
 * RawSocket calls (the 'bare' layer), else a half-open-capable net.Socket reading through its documented
 * `onread` option (the 'shared-reads' layer). The server and the layers' loopback proof both build their
 * sockets here, so the proof checks the very code the server runs.
 */
export function socketOnAcceptedHandle(
  clientHandle: unknown,
  route: ReadRoute,
  buffer: Buffer,
  streams: LibuvStreams | null,
): ServerSocket {
  if (streams !== null && isTcpHandle(clientHandle)) return new RawSocket(streams, clientHandle, route, buffer);
  return new Socket({
    handle: clientHandle,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    onread: {
      // Called after every read callback: the next read goes to the start of the shared buffer again,
      // or straight into a payload block.
      buffer: (): Buffer => route.direct ?? buffer.subarray(0, route.readBytes),
      callback: (n: number, into: Buffer): void => {
        const listener = route.listener;
        if (listener !== null) listener(into.subarray(0, n));
      },
    },
  } as ConstructorParameters<typeof Socket>[0]);
}

/**
 * Own-server mode on 'shared-reads' or 'bare': each accepted handle becomes a socket built by
 * socketOnAcceptedHandle and is passed to `onSocket` with its route. False when the accept callback
 * cannot be taken over (the caller then uses net.Server's own sockets, the public 'net' layer).
 */
export function adoptAcceptedSockets(
  server: Server,
  buffer: Buffer,
  onSocket: (socket: ServerSocket, route: ReadRoute) => void,
  streams: LibuvStreams | null = null,
): boolean {
  return takeOverAccepts(server, (clientHandle) => {
    const route = new ReadRoute();
    onSocket(socketOnAcceptedHandle(clientHandle, route, buffer, streams), route);
  });
}
