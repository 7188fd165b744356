/**
 * One handshake loop: connection cycles back to back on net.Socket, driven by its callbacks alone (no
 * Promise, timer or async frame per cycle: the load generator must not be what limits the rate).
 * Timeouts are enforced from outside, by one sweep over all loops (expire()).
 * 'ws' cycle: connect, send the upgrade request, check the 101, send a masked Close; the server must
 * answer with its Close frame and close TCP (we see EOF); only then is our side closed.
 * 'tcp' cycle (the raw echo): the same bytes out and back, then we send FIN and the echo must close too.
 */
import net from 'node:net';
import { ReplyCounter } from '../reply-counter.js';
import type { WireProtocol } from './client-connection.js';
import type { ShareTally } from './share-tally.js';
import { absNow } from './types.js';
import type { HeadReader, Upgrade } from './upgrade.js';

/** What every cycle of a share sends and checks ('ws': the 101), built once; reads land in `readBuffer`. */
export interface CycleSpec {
  host: string;
  port: number;
  protocol: WireProtocol;
  upgrade: Upgrade;
  closeFrame: Buffer;
  readBuffer: Buffer;
}

/**
 * idle: no cycle in flight. connecting: TCP connect sent. upgrading ('ws'): request sent, reading the 101.
 * closing ('ws'): our Close sent, counting the server's frames until it closes TCP. echoing ('tcp'):
 * waiting for the request, then the close frame, to come back. ending ('tcp'): all echoed and our FIN
 * sent, waiting for the echo's.
 */
type State = 'idle' | 'connecting' | 'upgrading' | 'closing' | 'echoing' | 'ending';

export class HandshakeLoop {
  private state: State = 'idle';
  /** The current cycle's socket: events of any other (an abandoned cycle's) are ignored. */
  private socket: net.Socket | undefined;
  /** When the current cycle began, absNow(). */
  private began = 0;
  /** Reused from cycle to cycle; replaced only when a cycle left it inside a frame. */
  private counter = new ReplyCounter();
  private closeFramesBefore = 0;
  /** 'tcp': bytes echoed so far this cycle. */
  private echoed = 0;
  private head: HeadReader | undefined;

  constructor(
    private readonly spec: CycleSpec,
    /** Counts cycles begun and completed; no new cycle starts once its window has closed. */
    private readonly tally: ShareTally,
    private readonly onStopped: () => void,
  ) {}

  start(): void {
    this.next();
  }

  /** Fails the cycle in flight if it began before `deadline` (absNow()). */
  expire(deadline: number): void {
    if (this.state !== 'idle' && this.began < deadline) this.fail(new Error('connection cycle timed out'));
  }

  private next(): void {
    const now = absNow();
    if (this.tally.gate.isClosed(now)) {
      this.onStopped();
      return;
    }
    this.began = now;
    this.tally.sent++;
    const { host, port, readBuffer } = this.spec;
    let socket: net.Socket;
    try {
      // allowHalfOpen: at EOF the loop closes the socket itself, at once, instead of the stream ending
      // our side first (a shutdown() round trip before the close).
      socket = net.connect({
        host,
        port,
        allowHalfOpen: true,
        noDelay: true,
        onread: { buffer: readBuffer, callback: (n: number) => this.read(socket, n) },
      });
    } catch (err) {
      // A synchronous throw (say, a bad port): report it, and go on from the event loop, not recursively.
      this.tally.error(err);
      setImmediate(() => this.next());
      return;
    }
    socket.on('connect', () => this.connected(socket));
    socket.on('end', () => this.ended(socket));
    socket.on('error', (err) => socket === this.socket && this.fail(err));
    this.socket = socket;
    this.state = 'connecting';
  }

  private connected(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.state = this.spec.protocol === 'ws' ? 'upgrading' : 'echoing';
    this.echoed = 0;
    if (this.state === 'upgrading') this.head = this.spec.upgrade.reader();
    socket.write(this.spec.upgrade.request);
  }

  /** The onread callback: true keeps reading. */
  private read(socket: net.Socket, n: number): true {
    if (socket !== this.socket) return true;
    switch (this.state) {
      case 'upgrading':
        this.readHead(this.spec.readBuffer.subarray(0, n));
        break;
      case 'closing':
        this.counter.push(this.spec.readBuffer, 0, n);
        break;
      case 'echoing':
        this.readEcho(n);
        break;
      default:
        this.fail(new Error(`unexpected ${n} bytes from the server`));
    }
    return true;
  }

  private readHead(chunk: Buffer): void {
    const read = this.head!(chunk);
    if (read.state === 'more') return;
    this.head = undefined;
    if (read.state === 'failed') {
      this.fail(new Error(read.problem));
      return;
    }
    this.state = 'closing';
    this.closeFramesBefore = this.counter.closeFrames;
    // Frames right behind the 101 (none from an echo server, but never lose bytes).
    if (read.rest.length > 0) this.counter.push(read.rest);
    this.socket!.write(this.spec.closeFrame);
  }

  private readEcho(n: number): void {
    const { upgrade, closeFrame } = this.spec;
    const request = upgrade.request;
    const all = request.length + closeFrame.length;
    this.echoed += n;
    // The close frame goes out only once the whole request is back, so the two echoes never merge.
    if (this.echoed === request.length) this.socket!.write(closeFrame);
    else if (this.echoed > all) this.fail(new Error(`the echo returned ${this.echoed} bytes, more than were sent`));
    else if (this.echoed === all) {
      this.state = 'ending';
      this.socket!.end();
    }
  }

  /** The server closed TCP (EOF): the end of a good cycle, or too early. */
  private ended(socket: net.Socket): void {
    if (socket !== this.socket) return;
    switch (this.state) {
      case 'closing': {
        const closes = this.counter.closeFrames - this.closeFramesBefore;
        if (closes === 1) this.succeed();
        else this.fail(new Error(`expected the server's close frame, got ${closes}`));
        break;
      }
      case 'ending':
        this.succeed();
        break;
      case 'echoing':
        this.fail(new Error('closed before the echo came back'));
        break;
      default:
        this.fail(new Error('connection closed before it was open'));
    }
  }

  private succeed(): void {
    const began = this.began;
    const done = absNow();
    this.finish();
    if (this.tally.completed(1, done)) this.tally.latency.record((done - began) * 1000);
    this.next();
  }

  private fail(err: unknown): void {
    this.finish();
    this.tally.error(err);
    this.next();
  }

  /** Closes the cycle's socket (at EOF that sends our FIN) and forgets it. */
  private finish(): void {
    const socket = this.socket!;
    this.socket = undefined;
    this.state = 'idle';
    this.head = undefined;
    if (!this.counter.atFrameBoundary) this.counter = new ReplyCounter();
    socket.destroy();
  }
}
