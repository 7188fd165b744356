/**
 * The server side of the fuzzingserver's command endpoints (/getCaseCount, /getCaseInfo, /getCaseStatus,
 * /updateReports, /stopServer): accept the upgrade, send at most one text message, close cleanly. Nothing
 * the driver sends is acted on but its Close; the whole exchange is bounded in bytes and in time.
 */
import type { Socket } from 'node:net';
import { CloseCode, encodeClosePayload, encodeFrame, FrameCollector, Opcode } from '@wsmatrix/protocol';

/**
 * Where the command socket is in its close handshake; every transition is in this class. 'ending': both
 * Closes have been exchanged and TCP is being ended.
 */
type CommandSocketState = 'open' | 'close-sent' | 'ending' | 'closed';

/** Largest frame a driver may send on a command socket: commands carry nothing but the Close. */
const MAX_DRIVER_FRAME = 64 * 1024;
/** Bytes a driver may send on a command socket in all: far above a Close and a few stray frames. */
const MAX_DRIVER_BYTES = 1024 * 1024;
/** A Close reason's room: 125 payload bytes minus the 2-byte code. */
const MAX_REASON_BYTES = 123;

/** The reason cut to what a Close frame holds, on a character boundary. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > MAX_REASON_BYTES) out = out.slice(0, -1);
  return out;
}

export class CommandSocket {
  private state: CommandSocketState = 'open';
  private readonly frames = new FrameCollector({ role: 'server', maxPayloadLength: MAX_DRIVER_FRAME });
  private closeTimer: NodeJS.Timeout | undefined;
  private receivedBytes = 0;
  /** Resolves once the TCP connection is gone. */
  readonly gone: Promise<void>;

  /**
   * Takes over a socket whose 101 has been written; `rest` are the bytes that followed the request head.
   * `closeTimeoutMs` bounds the wait for the driver's Close and TCP end once ours is sent.
   */
  constructor(
    private readonly socket: Socket,
    rest: Buffer,
    private readonly closeTimeoutMs: number,
  ) {
    this.gone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.onGone());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (rest.length > 0) this.onData(rest);
    socket.resume();
  }

  /** Whether the driver is still there and no Close has been sent. */
  get open(): boolean {
    return this.state === 'open';
  }

  sendText(text: string): void {
    if (this.state !== 'open') return;
    this.socket.write(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from(text, 'utf8') }));
  }

  /** Sends our Close and waits (bounded) for the driver's; the server then ends TCP (RFC 6455 §7.1.1). */
  close(code: number = CloseCode.Normal, reason = ''): Promise<void> {
    if (this.state === 'open') {
      this.state = 'close-sent';
      const payload = encodeClosePayload(code, closeReason(reason));
      this.socket.write(encodeFrame({ opcode: Opcode.Close, payload }));
      this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
    }
    return this.gone;
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'ending' || this.state === 'closed') return;
    this.receivedBytes += chunk.length;
    const { frames, error } = this.frames.push(chunk);
    if (error || this.receivedBytes > MAX_DRIVER_BYTES) {
      this.socket.destroy();
      return;
    }
    const close = frames.find((frame) => frame.opcode === Opcode.Close);
    if (close === undefined) return;
    if (this.state === 'open') {
      // The driver closed first: our Close echoes its code.
      const payload = close.payload.length >= 2 ? close.payload.subarray(0, 2) : undefined;
      this.socket.write(encodeFrame({ opcode: Opcode.Close, payload }));
    }
    this.state = 'ending';
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
  }

  private onGone(): void {
    this.state = 'closed';
    clearTimeout(this.closeTimer);
  }
}
