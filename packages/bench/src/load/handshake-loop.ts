/**
 * One handshake loop: connection cycles back to back, each driven by its connection's callbacks alone
 * (see cycle-connection.ts). A cycle costs the client no Promise, timer or async frame: at thousands of
 * cycles a second those were a large part of the load generator's own CPU, and the generator must not
 * be what limits the rate. Timeouts are enforced from outside, by one sweep over all loops (expire()).
 *
 * 'ws' cycle: connect, send the upgrade request, check the 101, send a masked Close, then the server
 * must send its Close frame and close TCP (we see EOF); only then is our side closed.
 * 'tcp' cycle (the raw echo baseline): the same bytes out and back — request, then the close frame —
 * then we send FIN and the echo must close too.
 */
import { headEnd as findHeadEnd, MAX_RESPONSE_HEAD_BYTES } from '../handshake.js';
import { ReplyCounter } from '../reply-counter.js';
import type { WireProtocol } from './client-connection.js';
import type { Connect, ConnectionEvents, CycleConnection } from './cycle-connection.js';
import { absNow } from './types.js';
import type { UpgradeCheck } from './upgrade-check.js';

/** What every cycle of a share sends and checks; built once per share. */
export interface CycleSpec {
  host: string;
  port: number;
  protocol: WireProtocol;
  request: Buffer;
  closeFrame: Buffer;
  /** Checks the 101 ('ws' only). */
  check: UpgradeCheck;
  /** The thread's read buffer: every read lands here and is consumed before the callback returns. */
  readBuffer: Buffer;
  /** net.Socket or bare handles. */
  connect: Connect;
}

/** Where a loop reports its cycles. */
export interface CycleRecorder {
  started(): void;
  /** A cycle that began at `began` (absNow()) completed and passed every check. */
  succeeded(began: number): void;
  failed(err: unknown): void;
}


/**
 * idle: no cycle in flight (between cycles, or stopped). upgrading ('ws'): request sent, gathering the
 * response head. closing ('ws'): our Close sent, counting the server's frames until it closes TCP.
 * echoing ('tcp'): waiting for the request, then the close frame, to come back. ending ('tcp'):
 * everything echoed and our FIN sent, waiting for the echo's FIN.
 */
type State = 'idle' | 'connecting' | 'upgrading' | 'closing' | 'echoing' | 'ending';

export class HandshakeLoop implements ConnectionEvents {
  private state: State = 'idle';
  /** The current cycle's connection: events of any other (an abandoned cycle's) are ignored. */
  private conn: CycleConnection | undefined;
  /** When the current cycle began, absNow(). */
  private began = 0;
  /** Reused from cycle to cycle; replaced only when a cycle left it inside a frame. */
  private counter = new ReplyCounter();
  private closeFramesBefore = 0;
  /** 'tcp': bytes echoed so far this cycle. */
  private echoed = 0;
  /** A response head split over reads, gathered (copied: the read buffer is reused). Rare. */
  private pendingHead: Buffer | undefined;

  constructor(
    private readonly spec: CycleSpec,
    private readonly recorder: CycleRecorder,
    /** True once no new cycle may start (given absNow()); cycles in flight then still finish. */
    private readonly isOver: (now: number) => boolean,
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
    if (this.isOver(now)) {
      this.onStopped();
      return;
    }
    this.began = now;
    this.recorder.started();
    try {
      this.conn = this.spec.connect(this.spec.host, this.spec.port, this.spec.readBuffer, this);
    } catch (err) {
      // A synchronous throw (say, a bad port): report it, and go on from the event loop, not recursively.
      this.recorder.failed(err);
      setImmediate(() => this.next());
      return;
    }
    this.state = 'connecting';
  }

  connected(conn: CycleConnection): void {
    if (conn !== this.conn) return;
    this.state = this.spec.protocol === 'ws' ? 'upgrading' : 'echoing';
    this.echoed = 0;
    conn.write(this.spec.request);
  }

  failed(conn: CycleConnection, err: Error): void {
    if (conn === this.conn) this.fail(err);
  }

  read(conn: CycleConnection, buf: Buffer, n: number): void {
    if (conn !== this.conn) return;
    switch (this.state) {
      case 'upgrading':
        this.readHead(buf, n);
        break;
      case 'closing':
        this.counter.push(buf, 0, n);
        break;
      case 'echoing':
        this.readEcho(n);
        break;
      default:
        this.fail(new Error(`unexpected ${n} bytes from the server`));
    }
  }

  private readHead(buf: Buffer, n: number): void {
    let head = buf;
    let length = n;
    if (this.pendingHead !== undefined) {
      head = Buffer.concat([this.pendingHead, buf.subarray(0, n)]);
      length = head.length;
    }
    // Searched in [0, length) only: past it, `buf` holds stale bytes of earlier reads.
    const headEnd = findHeadEnd(head.subarray(0, length));
    if (headEnd < 0) {
      if (length > MAX_RESPONSE_HEAD_BYTES) this.fail(new Error(`handshake response head over ${MAX_RESPONSE_HEAD_BYTES / 1024} KiB`));
      else this.pendingHead = head === buf ? Buffer.from(buf.subarray(0, n)) : head;
      return;
    }
    this.pendingHead = undefined;
    const problem = this.spec.check.check(head, 0, headEnd);
    if (problem !== null) {
      this.fail(new Error(`bad handshake response: ${problem}`));
      return;
    }
    this.state = 'closing';
    this.closeFramesBefore = this.counter.closeFrames;
    // Frames right behind the 101 (none from an echo server, but never lose bytes).
    if (headEnd < length) this.counter.push(head, headEnd, length);
    this.conn!.write(this.spec.closeFrame);
  }

  private readEcho(n: number): void {
    const { request, closeFrame } = this.spec;
    this.echoed += n;
    // The close frame goes out only once the whole request is back, so the two echoes never merge.
    if (this.echoed === request.length) this.conn!.write(closeFrame);
    else if (this.echoed === request.length + closeFrame.length) {
      this.state = 'ending';
      this.conn!.end();
    } else if (this.echoed > request.length + closeFrame.length) this.fail(new Error(`the echo returned ${this.echoed} bytes, more than were sent`));
  }

  /** The server closed TCP (EOF): the end of a good cycle, or too early. */
  ended(conn: CycleConnection): void {
    if (conn !== this.conn) return;
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
    this.finish();
    this.recorder.succeeded(began);
    this.next();
  }

  private fail(err: unknown): void {
    this.finish();
    this.recorder.failed(err);
    this.next();
  }

  /** Closes the cycle's connection (at EOF that sends our FIN) and forgets it. */
  private finish(): void {
    const conn = this.conn!;
    this.conn = undefined;
    this.state = 'idle';
    this.pendingHead = undefined;
    if (!this.counter.atFrameBoundary) this.counter = new ReplyCounter();
    conn.close();
  }
}
