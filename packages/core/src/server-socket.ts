// biome-ignore lint/suspicious/noExplicitAny: must accept net.Socket's own listener type, whose arguments are any
type Listener = (...args: any[]) => void;

/**
 * The part of a TCP socket the server and its connections use. net.Socket has it (attach mode, and
 * own-server mode on the 'net' and 'shared-reads' socket layers); so does RawSocket, the bare-handle
 * socket of the 'bare' layer.
 *
 * Events: 'end' (peer FIN), 'close' (after destroy or both directions done), 'drain' (queued output
 * written), 'timeout' (no I/O for the setTimeout period), 'error' (always followed by 'close'), and
 * 'data' only where the socket does not read through a ReadRoute.
 */
export interface ServerSocket {
  readonly destroyed: boolean;
  /** False once end() was called or the socket is destroyed. */
  readonly writable: boolean;
  /** Bytes handed to write() that the kernel has not taken yet. */
  readonly writableLength: number;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  write(data: Buffer): boolean;
  write(data: string, encoding: 'latin1'): boolean;
  cork(): void;
  uncork(): void;
  /** Sends FIN after everything written; reading goes on. */
  end(): unknown;
  end(data: string): unknown;
  destroy(): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay(noDelay?: boolean): unknown;
  /** Emits 'timeout' after `ms` without reads or writes; 0 turns it off. */
  setTimeout(ms: number): unknown;
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  removeAllListeners(event?: string): unknown;
}
