/**
 * Wire order under permessage-deflate (src/deflate-ordering.ts), without sockets or zlib: inflating and
 * compressing are promises the test settles by hand, in whatever order it needs.
 */
import { ProtocolError } from '@wsmatrix/protocol';
import { describe, expect, it } from 'vitest';
import {
  InboundOrder,
  InboundState,
  OutboundOrder,
  nextInboundState,
  type HeldEvent,
  type InboundSink,
} from '../src/deflate-ordering.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise reaction run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A connection stand-in: records what reaches it, in order; `inflate` waits for the test. */
class RecordingSink implements InboundSink {
  log: string[] = [];
  open = true;
  inflations: Array<{ data: string; result: Deferred<Buffer> }> = [];
  failures: unknown[] = [];
  released: InboundState[] = [];

  inputOpen(): boolean {
    return this.open;
  }
  inflate(data: Buffer): Promise<Buffer> {
    const result = deferred<Buffer>();
    this.inflations.push({ data: data.toString(), result });
    return result.promise;
  }
  onMessage(data: Buffer, binary: boolean): void {
    this.log.push(`direct message ${data.toString()}${binary ? ' (binary)' : ''}`);
  }
  onPing(data: Buffer): void {
    this.log.push(`direct ping ${data.toString()}`);
  }
  onPong(data: Buffer): void {
    this.log.push(`direct pong ${data.toString()}`);
  }
  onClose(code: number | null): void {
    this.log.push(`direct close ${code}`);
  }
  heldEvent(event: HeldEvent): void {
    if (event.kind === 'message') this.log.push(`message ${event.data.toString()}`);
    else if (event.kind === 'ping' || event.kind === 'pong') this.log.push(`${event.kind} ${event.data.toString()}`);
    else if (event.kind === 'close') this.log.push(`close ${event.code}`);
    else if (event.kind === 'error') this.log.push(`error ${event.error.code}`);
    else this.log.push('end');
    // What the connection does: a Close, an error or the FIN ends input.
    if (event.kind === 'close' || event.kind === 'error' || event.kind === 'end') this.open = false;
  }
  inflateFailed(error: unknown): void {
    this.failures.push(error);
    this.open = false;
  }
  holdReleased(state: InboundState): void {
    this.released.push(state);
  }
}

const b = (text: string): Buffer => Buffer.from(text);

describe('InboundOrder', () => {
  it('passes events straight through while nothing is held', () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('a'), false);
    order.onPing(b('p'));
    order.onPong(b('q'));
    order.onClose(1000, '');
    expect(sink.log).toEqual(['direct message a', 'direct ping p', 'direct pong q', 'direct close 1000']);
    expect(order.holding).toBe(false);
    expect(order.state).toBe(InboundState.Passing);
  });

  it('holds everything after a compressed message until it is inflated, then hands it on in wire order', async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('z1'), true, true);
    order.onPing(b('p'));
    order.onMessage(b('plain'), false);
    order.onMessage(b('z2'), false, true);
    order.onPong(b('q'));
    expect(order.holding).toBe(true);
    expect(order.state).toBe(InboundState.Holding);
    order.start();
    order.start(); // a second chunk's start while the first is worked off does not start a second pump
    expect(sink.inflations.map((i) => i.data)).toEqual(['z1']);
    expect(sink.log).toEqual([]);

    sink.inflations[0]!.result.resolve(b('one'));
    await settle();
    // The second compressed message is inflated only now, after everything ahead of it was handed on.
    expect(sink.log).toEqual(['message one', 'ping p', 'message plain']);
    expect(sink.inflations.map((i) => i.data)).toEqual(['z1', 'z2']);

    sink.inflations[1]!.result.resolve(b('two'));
    await settle();
    expect(sink.log).toEqual(['message one', 'ping p', 'message plain', 'message two', 'pong q']);
    expect(sink.released).toEqual([InboundState.Passing]);
    expect(order.holding).toBe(false);
    expect(order.readerDone).toBe(false);
  });

  it("holds the Close, a protocol error or the FIN too; after the reader's last event it is done", async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('z'), false, true);
    order.onClose(1001, 'bye');
    expect(order.state).toBe(InboundState.HoldingLast);
    expect(order.readerDone).toBe(true);
    expect(order.holdEnd()).toBe(true);
    order.start();
    sink.inflations[0]!.result.resolve(b('text'));
    await settle();
    // The Close ends input, so the FIN held behind it is dropped.
    expect(sink.log).toEqual(['message text', 'close 1001']);
    expect(sink.released).toEqual([InboundState.Done]);
    expect(order.state).toBe(InboundState.Done);
  });

  it('holds a reader error behind the message, and acts on it at once when nothing is held', async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    const error = new ProtocolError('WS_ERR_INVALID_OPCODE', 'reserved opcode');
    expect(order.holdError(error)).toBe(false);
    expect(order.holdEnd()).toBe(false);
    order.onMessage(b('z'), true, true);
    expect(order.holdError(error)).toBe(true);
    order.start();
    sink.inflations[0]!.result.resolve(b('x'));
    await settle();
    expect(sink.log).toEqual(['message x', 'error WS_ERR_INVALID_OPCODE']);
    expect(sink.released).toEqual([InboundState.Done]);
  });

  it('drops everything held when inflating fails, and reports the failure', async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('z'), true, true);
    order.onPing(b('p'));
    order.start();
    const failure = new Error('invalid stored block lengths');
    sink.inflations[0]!.result.reject(failure);
    await settle();
    expect(sink.failures).toEqual([failure]);
    expect(sink.log).toEqual([]);
    expect(sink.released).toEqual([InboundState.Passing]);
  });

  it('reports inflated text that is not UTF-8 as WS_ERR_INVALID_UTF8; binary is not checked', async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('bin'), true, true);
    order.onMessage(b('txt'), false, true);
    order.start();
    sink.inflations[0]!.result.resolve(Buffer.from([0xff]));
    await settle();
    sink.inflations[1]!.result.resolve(Buffer.from([0xff]));
    await settle();
    expect(sink.log).toEqual(['message \ufffd']);
    expect(sink.failures).toHaveLength(1);
    expect((sink.failures[0] as ProtocolError).code).toBe('WS_ERR_INVALID_UTF8');
  });

  it('hands nothing on once input is over (the socket closed while inflating)', async () => {
    const sink = new RecordingSink();
    const order = new InboundOrder(sink);
    order.onMessage(b('z'), true, true);
    order.onPing(b('p'));
    order.start();
    sink.open = false;
    order.clear();
    order.onPing(b('late'));
    sink.inflations[0]!.result.resolve(b('x'));
    await settle();
    expect(sink.log).toEqual([]);
    expect(sink.released).toEqual([InboundState.Passing]);
  });

  it('allows only the transitions of its table', () => {
    expect(nextInboundState(InboundState.Passing, 'held')).toBe(InboundState.Holding);
    expect(nextInboundState(InboundState.Holding, 'lastHeld')).toBe(InboundState.HoldingLast);
    expect(nextInboundState(InboundState.HoldingLast, 'released')).toBe(InboundState.Done);
    expect(() => nextInboundState(InboundState.Passing, 'lastHeld')).toThrow(/lastHeld is not allowed in state/);
    expect(() => nextInboundState(InboundState.HoldingLast, 'lastHeld')).toThrow(/not allowed/);
    expect(() => nextInboundState(InboundState.Done, 'held')).toThrow(/not allowed/);
    expect(() => nextInboundState(InboundState.Passing, 'released')).toThrow(/not allowed/);
  });
});

describe('OutboundOrder', () => {
  function recorder(): { order: OutboundOrder; written: string[]; failures: number[] } {
    const written: string[] = [];
    const failures: number[] = [];
    const order = new OutboundOrder({
      framesReady: (parts) => written.push(...parts.map(describePart)),
      compressionFailed: () => failures.push(written.length),
    });
    return { order, written, failures };
  }
  /** A frame header as "hdr <opcode> rsv1 <len>", a payload as its text. */
  function describePart(part: Buffer): string {
    if (part.length >= 2 && part.length <= 4 && (part[0]! & 0x80) !== 0) {
      return `hdr ${part[0]! & 0x0f}${(part[0]! & 0x40) !== 0 ? ' rsv1' : ''} ${part[1]! & 0x7f}`;
    }
    return part.toString();
  }

  it('releases frames queued behind compressions in order, whichever compression finishes first', async () => {
    const { order, written } = recorder();
    const first = deferred<Buffer>();
    const second = deferred<Buffer>();
    order.addCompressed(0x1, first.promise, 100);
    order.enqueue([b('pong')]);
    order.addCompressed(0x2, second.promise, 50);
    order.enqueue([b('close')]);
    expect(order.holding).toBe(true);
    expect(order.pendingBytes).toBe(150);

    second.resolve(b('BB'));
    await settle();
    expect(written).toEqual([]); // waits behind the first
    expect(order.pendingBytes).toBe(100);

    first.resolve(b('AAA'));
    await settle();
    expect(written).toEqual(['hdr 1 rsv1 3', 'AAA', 'pong', 'hdr 2 rsv1 2', 'BB', 'close']);
    expect(order.holding).toBe(false);
    expect(order.pendingBytes).toBe(0);
  });

  it('on a failed compression drops that message, releases what waited behind it and reports it', async () => {
    const { order, written, failures } = recorder();
    const body = deferred<Buffer>();
    order.addCompressed(0x1, body.promise, 10);
    order.enqueue([b('after')]);
    body.reject(new Error('zlib'));
    await settle();
    expect(written).toEqual(['after']);
    expect(failures).toEqual([1]); // reported after the frames behind it were released
    expect(order.pendingBytes).toBe(0);
  });

  it('after clear() a compression finishing late releases nothing and counts nothing', async () => {
    const { order, written } = recorder();
    const body = deferred<Buffer>();
    order.addCompressed(0x1, body.promise, 10);
    order.enqueue([b('after')]);
    order.clear();
    expect(order.holding).toBe(false);
    body.resolve(b('late'));
    await settle();
    expect(written).toEqual([]);
    expect(order.pendingBytes).toBe(0);
  });
});
