/**
 * The raw TCP echo baseline: no WebSocket work at all, so it is the ceiling for any server on Node.
 *
 * - 'ring' (default): reads land straight in a per-connection ring buffer (`onread` with a buffer
 *   generator) and each read is written back as a view of that ring, with no copy and no allocation.
 *   A region is reused only once the write that sent it has completed. See RingEcho.
 * - 'write-each': writes every chunk read straight back and pauses reading while the socket is
 *   backed up. Node allocates a fresh 64 KiB Buffer per read (and, under glibc's default malloc
 *   thresholds, may fault those pages in anew each time: see allocator.ts).
 * - 'write-unpaused': the same without backpressure (unbounded memory if the peer stops reading).
 * - 'pipe': socket.pipe(socket); its stream machinery costs more still.
 */
import net from 'node:net';
import { takeOverAccepts } from '@wsmatrix/core';

export type TcpEchoStyle = 'ring' | 'write-each' | 'write-unpaused' | 'pipe';
export const TCP_ECHO_STYLES: readonly TcpEchoStyle[] = ['ring', 'write-each', 'write-unpaused', 'pipe'];
/**
 * What `tcp` means when no style is asked for: the fastest measured. On a 2-core VM (server and load
 * generator pinned apart, malloc steady) it echoed 1 MiB messages at ~1.95 GB/s against ~1.6 GB/s
 * for 'write-each' and ~1.0 GB/s for 'pipe', and 32-byte pipelined messages ~8% faster than
 * 'write-each'; at 64 KiB both reach the load generator's limit, 'ring' with less server CPU.
 */
export const DEFAULT_TCP_ECHO_STYLE: TcpEchoStyle = 'ring';

/** Largest ring per connection for 'ring': the most bytes one connection holds read but not yet sent. */
export const DEFAULT_RING_BYTES = 1024 * 1024;
/**
 * A connection's first ring; it grows (×4, up to the largest) while reads fill all the room given.
 * Small, because a connection that never carries much should cost little: 64 KiB per connection
 * made a connect–echo–close loop ~10% slower than 4 KiB.
 */
export const DEFAULT_FIRST_RING_BYTES = 4 * 1024;
/**
 * 'ring' never offers a read less room than this (or than the whole ring, when that is smaller); it
 * stops reading instead until its writes finish.
 */
export const DEFAULT_MIN_READ_BYTES = 16 * 1024;

export interface TcpEchoOptions {
  host: string;
  port: number;
  style?: TcpEchoStyle;
  /** 'ring' only: largest ring per connection (default DEFAULT_RING_BYTES). */
  ringBytes?: number;
  /** 'ring' only: first ring per connection (default DEFAULT_FIRST_RING_BYTES, at most ringBytes). */
  firstRingBytes?: number;
  /** 'ring' only: smallest read room offered (default DEFAULT_MIN_READ_BYTES; capped at the ring size). */
  minReadBytes?: number;
}

export interface RunningTcpEcho {
  host: string;
  port: number;
  close(): Promise<void>;
}

function echoWriteEach(socket: net.Socket): void {
  socket.on('data', (chunk: Buffer) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
}

/** A FIFO of ring offsets (start of each write in flight), growing when needed. */
class OffsetQueue {
  private items = new Int32Array(16);
  private first = 0;
  size = 0;

  push(value: number): void {
    if (this.size === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      for (let i = 0; i < this.size; i++) grown[i] = this.items[(this.first + i) % this.items.length]!;
      this.items = grown;
      this.first = 0;
    }
    this.items[(this.first + this.size) % this.items.length] = value;
    this.size++;
  }

  /** The oldest value; only when size > 0. */
  peek(): number {
    return this.items[this.first]!;
  }

  shift(): void {
    this.first = (this.first + 1) % this.items.length;
    this.size--;
  }

  clear(): void {
    this.first = 0;
    this.size = 0;
  }
}

/** What RingEcho uses of its net.Socket (a stand-in in the tests). */
export interface RingSocket {
  write(chunk: Buffer, callback: (err?: Error | null) => void): boolean;
  readonly writableLength: number;
  resume(): unknown;
  destroy(err?: Error): unknown;
}

/**
 * The 'ring' echo of one connection. Every read is handed a free stretch of the ring; the bytes read
 * are written back as a view of that stretch, which stays reserved until the write has completed
 * (its callback, or the writable side being empty right after write(): the kernel took it all).
 *
 * Writes complete in order, so the reserved bytes run from the oldest write in flight (`starts`)
 * round to `head`. The next read gets the larger of the two free stretches [head, ring end) and
 * [0, oldest start) — or, once nothing is in flight, the whole ring from 0. When neither has
 * `minRead` bytes, reading stops (the onread callback returns false) and restarts only once every
 * write has completed, with the whole ring offered: memory stays bounded to the ring, and a peer
 * that does not read stops us reading from it.
 *
 * The ring starts small (a connection that only ever sees small reads keeps a small one) and is
 * swapped for one four times larger, up to `maxBytes`, when a read filled all the room it was given
 * and nothing is in flight; the old ring is dropped (writes in flight, if any, keep their own views).
 */
export class RingEcho {
  private ring: Buffer;
  /** A read filled all the room it was given: take a larger ring when next possible. */
  private wantLarger = false;
  /** Writes in flight: the ring offset each one starts at, oldest first. */
  private readonly starts = new OffsetQueue();
  /** Write callbacks still to come for writes already known to be complete. */
  private settledEarly = 0;
  /** End of the newest bytes in flight. */
  private head = 0;
  /** Where the region currently offered to reads starts, and that region. */
  private offeredAt = 0;
  private offered: Buffer;
  private paused = false;
  private readonly afterWrite = (err?: Error | null): void => this.onWritten(err);

  /** Set right after the socket is built (the constructor asks for the first buffer before). */
  socket!: RingSocket;

  constructor(
    firstBytes: number,
    private readonly maxBytes: number,
    private readonly minRead: number,
  ) {
    this.ring = Buffer.allocUnsafeSlow(Math.min(firstBytes, maxBytes));
    this.offered = this.ring;
  }

  /** The onread buffer generator: called once at the start and after every read callback. */
  nextBuffer(): Buffer {
    return this.offered;
  }

  /** The onread callback: `n` bytes arrived at the start of the offered region. */
  onRead(n: number): boolean {
    if (this.paused) {
      // Reading was stopped while writes still use the ring: these bytes may sit on bytes in flight.
      this.socket.destroy(new Error('tcp echo: read while paused; the ring could have been overwritten'));
      return false;
    }
    const start = this.offeredAt;
    const end = start + n;
    if (n === this.offered.length && this.ring.length < this.maxBytes) this.wantLarger = true;
    this.starts.push(start);
    this.head = end;
    this.socket.write(this.ring.subarray(start, end), this.afterWrite);
    if (this.socket.writableLength === 0) {
      // Written synchronously, and nothing older is pending: the whole ring is free again.
      this.settledEarly += this.starts.size;
      this.starts.clear();
    }
    return this.offerNext();
  }

  /** Picks the region for the next read; false when there is not enough room (reading stops). */
  private offerNext(): boolean {
    if (this.starts.size === 0) {
      if (this.wantLarger) {
        this.wantLarger = false;
        this.ring = Buffer.allocUnsafeSlow(Math.min(this.ring.length * 4, this.maxBytes));
      }
      this.head = 0;
      this.offer(0, this.ring.length);
      return true;
    }
    const size = this.ring.length;
    const minRead = Math.min(this.minRead, size);
    const tail = this.starts.peek();
    if (tail < this.head) {
      // In flight: [tail, head). Free: [head, size) and [0, tail).
      const after = size - this.head;
      if (after >= tail && after >= minRead) {
        this.offer(this.head, size);
        return true;
      }
      if (tail >= minRead) {
        this.offer(0, tail);
        return true;
      }
    } else if (tail - this.head >= minRead) {
      // Wrapped: in flight [tail, size) and [0, head). Free: [head, tail).
      this.offer(this.head, tail);
      return true;
    }
    // Full. Nothing is read until every write has completed, and then into the whole ring.
    this.paused = true;
    this.offer(0, size);
    return false;
  }

  private offer(start: number, end: number): void {
    this.offeredAt = start;
    this.offered = start === 0 && end === this.ring.length ? this.ring : this.ring.subarray(start, end);
  }

  private onWritten(err?: Error | null): void {
    if (err) return; // the socket is being destroyed
    if (this.settledEarly > 0) {
      this.settledEarly--;
      return;
    }
    this.starts.shift();
    if (this.starts.size === 0 && this.paused) {
      this.paused = false;
      this.head = 0;
      // The region offered when reading stopped is the whole ring from 0, free now.
      this.socket.resume();
    }
  }
}

export async function startTcpEcho(opts: TcpEchoOptions): Promise<RunningTcpEcho> {
  const style = opts.style ?? DEFAULT_TCP_ECHO_STYLE;
  if (!TCP_ECHO_STYLES.includes(style)) throw new Error(`unknown tcp echo style "${style}" (expected one of: ${TCP_ECHO_STYLES.join(', ')})`);
  const ringBytes = opts.ringBytes ?? DEFAULT_RING_BYTES;
  const firstRing = Math.min(opts.firstRingBytes ?? DEFAULT_FIRST_RING_BYTES, ringBytes);
  const minRead = opts.minReadBytes ?? DEFAULT_MIN_READ_BYTES;
  if (!(firstRing >= 1 && minRead >= 1)) throw new Error('tcp echo: ring and minimum read sizes must be at least 1 byte');

  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer({ noDelay: true }, (socket) => {
    track(socket);
    if (style === 'pipe') socket.pipe(socket);
    else if (style === 'write-unpaused') socket.on('data', (chunk: Buffer) => socket.write(chunk));
    else echoWriteEach(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  if (style === 'ring') {
    try {
      adoptConnections(server, (handle) => startRing(handle, firstRing, ringBytes, minRead, track));
    } catch (err) {
      server.close();
      throw err;
    }
  }
  const address = server.address() as net.AddressInfo;
  return {
    host: opts.host,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Wraps one accepted handle in a socket that reads into a RingEcho's ring. */
function startRing(handle: unknown, firstRing: number, ringBytes: number, minRead: number, track: (s: net.Socket) => void): void {
  const echo = new RingEcho(firstRing, ringBytes, minRead);
  const socket = new net.Socket({
    handle,
    readable: true,
    writable: true,
    // buffer() is called once while the socket is built, then after every callback.
    onread: { buffer: () => echo.nextBuffer(), callback: (n: number) => echo.onRead(n) },
  } as net.SocketConstructorOpts);
  echo.socket = socket;
  socket.setNoDelay(true);
  track(socket);
}

/**
 * Node 20's net.Server builds every accepted socket itself and takes no `onread` option, so for
 * 'ring' the accepted handle is wrapped here instead (core's takeOverAccepts), with
 * `new net.Socket({ handle, onread })`, the constructor net.Server itself uses.
 */
function adoptConnections(server: net.Server, adopt: (handle: unknown) => void): void {
  if (!takeOverAccepts(server, adopt)) {
    throw new Error(`tcp echo 'ring' needs net.Server internals this Node (${process.version}) lacks; use --tcp-echo write-each`);
  }
}
