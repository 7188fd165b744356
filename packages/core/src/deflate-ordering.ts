/**
 * Wire order under permessage-deflate. zlib work is asynchronous (thread pool), yet a connection must
 * handle what it reads, and write what it sends, in order.
 *
 * - InboundOrder stands between the message reader and the connection: a compressed message and every
 *   event the reader produced after it (messages, pings, pongs, the Close, a protocol error, the peer's FIN)
 *   are held until it is inflated, then handed on one by one; a later compressed message is inflated in its
 *   turn. Other events pass straight through. The connection pauses the socket while events are held, so
 *   at most one socket chunk of them is held.
 * - OutboundOrder: a message being compressed holds a slot; frames queued after it (pongs, the Close,
 *   other messages) wait behind it, and leave in order as the slots ahead of them fill.
 *
 * No sockets and no zlib here: the connection supplies the inflating (InboundSink) and the compressed bodies.
 */
import { ProtocolError, encodeFrameHeader, isValidUtf8, type MessageHandler } from '@wsmatrix/protocol';

/** An event of the message reader, held back in wire order. */
export type HeldEvent =
  | { kind: 'message'; data: Buffer; binary: boolean; compressed: boolean }
  | { kind: 'ping' | 'pong'; data: Buffer }
  | { kind: 'close'; code: number | null; reason: string }
  | { kind: 'error'; error: ProtocolError }
  | { kind: 'end' };

export const InboundState = {
  /** Nothing held: the reader's events are handled as they come. */
  Passing: 'passing',
  /** A compressed message and the events after it are held while it is inflated. */
  Holding: 'holding',
  /** As Holding, and the reader's last event (its Close or protocol error) is among them: no byte after it is read. */
  HoldingLast: 'holding-last',
  /** The reader's last event was held and the hold is over: input is over, nothing more is read. */
  Done: 'done',
} as const;
export type InboundState = (typeof InboundState)[keyof typeof InboundState];

/** held: an event was held; lastHeld: the reader's last event was held; released: the hold is over. */
export type InboundEvent = 'held' | 'lastHeld' | 'released';

const { Passing, Holding, HoldingLast, Done } = InboundState;
const INBOUND_TRANSITIONS: Readonly<Record<InboundState, Partial<Record<InboundEvent, InboundState>>>> = {
  [Passing]: { held: Holding },
  [Holding]: { held: Holding, lastHeld: HoldingLast, released: Passing },
  // The peer's FIN may follow its Close. The reader reports nothing after its Close or error, so no second last.
  [HoldingLast]: { held: HoldingLast, released: Done },
  [Done]: {},
};

/** The state after `event`; throws for a transition the table does not allow. */
export function nextInboundState(state: InboundState, event: InboundEvent): InboundState {
  const next = INBOUND_TRANSITIONS[state][event];
  if (next === undefined) throw new Error(`inbound order: ${event} is not allowed in state ${state}`);
  return next;
}

/** What InboundOrder hands events to: the MessageHandler methods get those that pass straight through. */
export interface InboundSink extends MessageHandler {
  /** False once input is over (Close handled, failure, FIN, socket closed): the rest is dropped. */
  inputOpen(): boolean;
  /** Inflates one message; rejects when the data is corrupt or inflates beyond the size limit. */
  inflate(data: Buffer): Promise<Buffer>;
  /** One held event, in wire order; a compressed message comes inflated (`compressed` false). */
  heldEvent(event: HeldEvent): void;
  /**
   * Inflating a message failed (`error` as thrown, a ProtocolError for inflated text that is not UTF-8);
   * everything still held has been dropped.
   */
  inflateFailed(error: unknown): void;
  /** The hold is over; `state` is Passing, or Done when the reader's last event was among the held ones. */
  holdReleased(state: InboundState): void;
}

export class InboundOrder implements MessageHandler {
  state: InboundState = InboundState.Passing;
  private held: HeldEvent[] = [];
  /** Re-entrancy guard, not state: a chunk read while the held events are worked off joins them. */
  private pumping = false;

  constructor(private readonly sink: InboundSink) {}

  /** Events are held: every later event must be held behind them. */
  get holding(): boolean {
    return this.held.length !== 0;
  }

  /** The reader's last event was held: bytes read after it are discarded. */
  get readerDone(): boolean {
    return this.state === InboundState.HoldingLast || this.state === InboundState.Done;
  }

  // ---- MessageHandler: the reader's events, in wire order ----

  onMessage(data: Buffer, binary: boolean, compressed = false): void {
    if (!this.sink.inputOpen()) return;
    if (compressed || this.holding) this.hold({ kind: 'message', data, binary, compressed });
    else this.sink.onMessage(data, binary);
  }

  onPing(data: Buffer): void {
    if (!this.sink.inputOpen()) return;
    if (this.holding) this.hold({ kind: 'ping', data });
    else this.sink.onPing(data);
  }

  onPong(data: Buffer): void {
    if (!this.sink.inputOpen()) return;
    if (this.holding) this.hold({ kind: 'pong', data });
    else this.sink.onPong(data);
  }

  onClose(code: number | null, reason: string): void {
    if (!this.sink.inputOpen()) return;
    if (this.holding) this.hold({ kind: 'close', code, reason }, true);
    else this.sink.onClose(code, reason);
  }

  /** The reader failed with `error`: true when it is held behind a compressed message, false to act on it now. */
  holdError(error: ProtocolError): boolean {
    if (!this.holding || !this.sink.inputOpen()) return false;
    this.hold({ kind: 'error', error }, true);
    return true;
  }

  /** The peer's FIN: true when it is held behind a compressed message, false to act on it now. */
  holdEnd(): boolean {
    if (!this.holding || !this.sink.inputOpen()) return false;
    this.hold({ kind: 'end' });
    return true;
  }

  /** Starts working off the held events unless that is already under way. */
  start(): void {
    if (this.holding && !this.pumping) void this.pump();
  }

  /** Drops everything held (the connection failed or its socket closed). */
  clear(): void {
    this.held = [];
  }

  /** Holds `event` behind those already held. `last`: the reader's last event (its Close or protocol error). */
  private hold(event: HeldEvent, last = false): void {
    this.state = nextInboundState(this.state, last ? 'lastHeld' : 'held');
    this.held.push(event);
  }

  /** Inflates the held compressed messages one by one and hands every held event on in order. */
  private async pump(): Promise<void> {
    this.pumping = true;
    const sink = this.sink;
    while (this.held.length !== 0 && sink.inputOpen()) {
      const event = this.held[0]!;
      if (event.kind === 'message' && event.compressed) {
        let data: Buffer;
        try {
          data = await sink.inflate(event.data);
          if (!event.binary && !isValidUtf8(data)) {
            throw new ProtocolError('WS_ERR_INVALID_UTF8', 'inflated text message is not valid UTF-8');
          }
        } catch (err) {
          if (!sink.inputOpen()) break;
          this.held = [];
          sink.inflateFailed(err);
          break;
        }
        if (!sink.inputOpen()) break;
        this.held.shift();
        sink.heldEvent({ kind: 'message', data, binary: event.binary, compressed: false });
        continue;
      }
      this.held.shift();
      sink.heldEvent(event);
    }
    this.held = [];
    this.pumping = false;
    this.state = nextInboundState(this.state, 'released');
    sink.holdReleased(this.state);
  }
}

/** A place in the output for a message being compressed; `parts` is null until its compression is done. */
interface OutSlot {
  parts: Buffer[] | null;
  /** Plaintext bytes still waiting for compression. */
  pendingBytes: number;
}

/** What OutboundOrder hands the frames it releases to. */
export interface OutboundSink {
  /** Frames now free to be written, in order (possibly none: they wait behind a slower compression). */
  framesReady(parts: Buffer[]): void;
  /** A compression failed; its message is dropped, and the frames behind it have been released. */
  compressionFailed(): void;
}

export class OutboundOrder {
  /** Plaintext bytes waiting for compression, over all slots (they count toward the high-water mark). */
  pendingBytes = 0;
  private slots: OutSlot[] = [];

  constructor(private readonly sink: OutboundSink) {}

  /** Frames wait behind a message being compressed: new frames must be queued here, not written. */
  get holding(): boolean {
    return this.slots.length !== 0;
  }

  /**
   * Takes the next place in the output for one message of `plainBytes`, whose compressed payload `body`
   * will be: its frame (`opcode`, RSV1 set) leaves once `body` is done and everything ahead of it has left.
   */
  addCompressed(opcode: number, body: Promise<Buffer>, plainBytes: number): void {
    const slot: OutSlot = { parts: null, pendingBytes: plainBytes };
    this.slots.push(slot);
    this.pendingBytes += plainBytes;
    body.then(
      (payload) => {
        const header = encodeFrameHeader({ opcode, payloadLength: payload.length, rsv1: true });
        this.sink.framesReady(this.fill(slot, [header, payload]));
      },
      () => {
        this.sink.framesReady(this.fill(slot, []));
        this.sink.compressionFailed();
      },
    );
  }

  /** Queues a finished frame behind the messages being compressed. */
  enqueue(parts: Buffer[]): void {
    this.slots.push({ parts, pendingBytes: 0 });
  }

  /** Drops every slot (the socket closed); a compression finishing later releases nothing. */
  clear(): void {
    for (const slot of this.slots) slot.pendingBytes = 0;
    this.slots = [];
    this.pendingBytes = 0;
  }

  /** Fills `slot` and returns the parts now free: those of every filled slot up to the first still waiting. */
  private fill(slot: OutSlot, parts: Buffer[]): Buffer[] {
    slot.parts = parts;
    this.pendingBytes -= slot.pendingBytes;
    slot.pendingBytes = 0;
    const ready: Buffer[] = [];
    while (this.slots.length !== 0 && this.slots[0]!.parts !== null) {
      for (const part of this.slots.shift()!.parts!) ready.push(part);
    }
    return ready;
  }
}
