export { coreVersion } from './version.js';
export { WebSocketServer, type ListenOptions, type ListenAddress } from './server.js';
export { takeOverAccepts } from './shared-reads.js';
export { SOCKET_LAYERS, type SocketLayer } from './socket-layer.js';
export { loadLibuvStreams, type LibuvStreams, type TcpHandle, type WriteRequest, type ShutdownRequest, type ConnectRequest } from './libuv-stream.js';
export { createEchoServer, echoHandler } from './echo.js';
export { closeReplyCode } from './close-frame.js';
export { DEFAULTS, resolveOptions, type ServerOptions, type ResolvedOptions, type PerMessageDeflateOptions } from './options.js';
export type {
  ConnectionCounters,
  ConnectionHandler,
  ReadyState,
  WebSocketConnection,
} from './connection-types.js';
export type { UpgradeRequest } from './request-head.js';
