/** The public face of one WebSocket connection and its callbacks (no runtime code). */
import type { DeflateCounters } from '@wsmatrix/protocol';

export type ReadyState = 'open' | 'closing' | 'closed';

/** Callbacks for one connection. One object may serve all connections (it gets `conn` first). */
export interface ConnectionHandler {
  /** A complete message, exactly as received (`binary` false for text). `data` is owned by the callee. */
  onMessage?(conn: WebSocketConnection, data: Buffer, binary: boolean): void;
  /** A ping from the peer; the pong has already been queued (or coalesced under backpressure). */
  onPing?(conn: WebSocketConnection, data: Buffer): void;
  onPong?(conn: WebSocketConnection, data: Buffer): void;
  /**
   * The TCP connection is gone. `code`/`reason` come from the peer's Close frame: 1005 when it
   * carried no code, 1006 when no Close frame arrived at all.
   */
  onClose?(conn: WebSocketConnection, code: number, reason: string): void;
  /** A callback above threw; the connection is being closed with 1011. */
  onError?(conn: WebSocketConnection, error: unknown): void;
}

/**
 * Counters kept per connection so tests and benchmarks can assert bounds exactly.
 * All are monotonic except where noted.
 */
export interface ConnectionCounters {
  /** Bytes read from the socket after the upgrade (including the pipelined `head`). */
  readonly bytesReceived: number;
  /** Bytes read but thrown away because the connection had already failed or received a Close. */
  readonly bytesDiscarded: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
  /** `socket.write` calls made (one per read chunk in the echo path). */
  readonly writes: number;
  /** Times reading was paused because queued output exceeded the high-water mark. */
  readonly pauses: number;
  /** Pongs replaced by a newer one while over the high-water mark. */
  readonly pongsCoalesced: number;
  /** Largest `queuedOutputBytes` seen right after a write. */
  readonly peakQueuedOutputBytes: number;
}

export interface WebSocketConnection extends ConnectionCounters {
  /** Subprotocol agreed in the handshake, or '' when none. */
  readonly protocol: string;
  /** Sec-WebSocket-Extensions value of our 101 (e.g. the permessage-deflate response), or ''. */
  readonly extensions: string;
  /** permessage-deflate counters (inflated bytes, limit hits, …), or null when not negotiated. */
  readonly compression: DeflateCounters | null;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly readyState: ReadyState;
  /** True while reading is paused for backpressure. */
  readonly paused: boolean;
  /** Bytes written to the socket but not yet handed to the kernel (`socket.writableLength`). */
  readonly queuedOutputBytes: number;
  /** Bytes the frame reader holds for an incomplete frame. */
  readonly bufferedInputBytes: number;
  /** Bytes of an incomplete fragmented message the frame reader retains. */
  readonly retainedMessageBytes: number;
  /** Callbacks for this connection; replace it in the server's 'connection' event if needed. */
  handler: ConnectionHandler;
  /**
   * Sends one message as a single frame. `binary` defaults to false for strings, true otherwise.
   * Returns false (and sends nothing) once a Close has been sent or received.
   */
  send(data: Buffer | Uint8Array | string, binary?: boolean): boolean;
  /** Sends a ping (payload ≤ 125 bytes). Returns false once a Close has been sent or received. */
  ping(data?: Buffer | Uint8Array | string): boolean;
  /**
   * Starts the closing handshake (default 1000); the socket is destroyed if the peer has not
   * answered within `closeTimeoutMs`. Throws RangeError for a code a server must not send.
   */
  close(code?: number, reason?: string): void;
  /** Destroys the socket at once, without a closing handshake. */
  terminate(): void;
}
