/**
 * The raw TCP echo baseline: no WebSocket work at all, so it is the ceiling for any server on Node.
 * Reads land straight in a per-connection ring buffer (`onread` with a buffer generator) and each read
 * is written back as a view of that ring, with no copy and no allocation; a region is reused only once
 * the write that sent it has completed (RingEcho). Writing back each chunk Node allocates per read, or
 * socket.pipe(), measured lower on large messages, so they would not be a ceiling.
 */
import net from 'node:net';

/** What results record as the tcp target's echo. */
export const TCP_ECHO_STYLE = 'ring';

export interface TcpEchoOptions {
  host: string;
  port: number;
  /** Largest ring per connection: the most bytes one connection holds read but not yet sent. Default 1 MiB. */
  ringBytes?: number;
  /**
   * A connection's first ring (at most ringBytes); it grows ×4, up to the largest, while reads fill all the
   * room given. Small, because a connection that never carries much (a handshake cycle) should cost little.
   * Default 4 KiB.
   */
  firstRingBytes?: number;
  /** Smallest room a read is offered (or the whole ring, if smaller); with less free, reading stops. Default 16 KiB. */
  minReadBytes?: number;
}

export interface RunningTcpEcho {
  port: number;
  close(): Promise<void>;
}

/** What RingEcho uses of its net.Socket (a stand-in in the tests). */
export interface RingSocket {
  write(chunk: Buffer, callback: (err?: Error | null) => void): boolean;
  readonly writableLength: number;
  resume(): unknown;
  destroy(err?: Error): unknown;
}

/**
 * The echo of one connection. Every read is handed a free stretch of the ring and written back as a view
 * of it, reserved until the write has completed (its callback, or nothing left to write right after
 * write(): the kernel took it all). Writes complete in order, so the reserved bytes run from the oldest
 * write in flight (`starts`) round to `head`; the next read gets the larger free stretch, [head, end) or
 * [0, oldest start), or the whole ring once nothing is in flight. When neither has `minRead` bytes,
 * reading stops until every write has completed: memory stays bounded, and a peer that does not read
 * stops us reading from it. The ring starts small and is swapped for one four times larger, up to
 * `maxBytes`, when a read filled all the room it was given and nothing is in flight.
 */
export class RingEcho {
  private ring: Buffer;
  /** A read filled all the room it was given: take a larger ring when next possible. */
  private wantLarger = false;
  /** Writes in flight: the ring offset each one starts at, oldest first. */
  private readonly starts: number[] = [];
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
      this.settledEarly += this.starts.length;
      this.starts.length = 0;
    }
    return this.offerNext();
  }

  /** Picks the region for the next read; false when there is not enough room (reading stops). */
  private offerNext(): boolean {
    if (this.starts.length === 0) {
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
    const tail = this.starts[0]!;
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
    if (this.starts.length === 0 && this.paused) {
      this.paused = false;
      this.head = 0;
      // The region offered when reading stopped is the whole ring from 0, free now.
      this.socket.resume();
    }
  }
}

export async function startTcpEcho(opts: TcpEchoOptions): Promise<RunningTcpEcho> {
  const { ringBytes = 1024 * 1024, firstRingBytes = 4 * 1024, minReadBytes: minRead = 16 * 1024 } = opts;
  const firstRing = Math.min(firstRingBytes, ringBytes);
  if (!(firstRing >= 1 && minRead >= 1))
    throw new Error('tcp echo: ring and minimum read sizes must be at least 1 byte');

  const sockets = new Set<net.Socket>();
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const adopted = takeOverAccepts(server, (handle) => {
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
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  });
  if (!adopted) {
    server.close();
    throw new Error(`the tcp echo needs net.Server internals this Node (${process.version}) lacks`);
  }
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * net.Server builds every accepted socket itself and takes no `onread` option (Node 20), so the
 * listening handle's accept callback, an undocumented internal, is replaced: each accepted handle goes
 * to `onHandle`, to be wrapped with `new net.Socket({ handle, onread })` as net.Server itself does.
 * False when this Node lacks it.
 */
function takeOverAccepts(server: net.Server, onHandle: (handle: unknown) => void): boolean {
  const listening = (
    server as unknown as { _handle?: { onconnection?: (err: number, handle?: unknown) => void } | null }
  )._handle;
  if (!listening || typeof listening.onconnection !== 'function') return false;
  listening.onconnection = (err, handle) => {
    if (err === 0 && handle !== undefined) onHandle(handle); // else a failed accept (EMFILE, …): keep listening
  };
  return true;
}
