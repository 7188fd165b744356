/** The send queue over a real loopback pair: order, and Pongs coalesced while the socket is backed up. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SendQueue } from '../src/send-queue.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A connected pair: `client` writes through a SendQueue, `peer` is the server side, paused until resumed. */
async function pair(): Promise<{ client: net.Socket; peer: net.Socket; received: () => Buffer }> {
  const server = net.createServer();
  cleanup.push(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  cleanup.push(() => client.destroy());
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const peer = await accepted;
  peer.pause();
  cleanup.push(() => peer.destroy());
  const chunks: Buffer[] = [];
  peer.on('data', (d: Buffer) => chunks.push(d));
  return { client, peer, received: () => Buffer.concat(chunks) };
}

const pongFrame = (payload: Buffer) => Buffer.concat([Buffer.from([0x8a, payload.length]), payload]);

describe('SendQueue', () => {
  it('writes in order and resolves each push once its bytes are handed over', async () => {
    const { client, peer, received } = await pair();
    const writes: number[] = [];
    const queue = new SendQueue(
      client,
      (d) => writes.push(d.length),
      10_000,
      () => undefined,
    );
    peer.resume();
    const parts = Array.from({ length: 5000 }, (_, i) => Buffer.from(`${i},`));
    await Promise.all(parts.map((p, i) => queue.push(p, i % 1000 === 0 ? 2 : 0, i % 777 === 0)));
    const expected = Buffer.concat(parts);
    while (received().length < expected.length) await new Promise((r) => setImmediate(r));
    expect(received().equals(expected)).toBe(true);
    expect(writes.reduce((a, b) => a + b, 0)).toBe(expected.length);
  });

  it('answers only the latest of many Pings while the socket is backed up, one frame encoded', async () => {
    const { client, peer, received } = await pair();
    const queue = new SendQueue(
      client,
      () => undefined,
      60_000,
      () => undefined,
    );
    // Fill the socket until it reports backpressure; the queue then holds every later write.
    const filler = Buffer.alloc(1024 * 1024, 0x61);
    let filled = 0;
    while (!client.writableNeedDrain) {
      void queue.push(filler);
      filled += filler.length;
    }
    const encoded: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      queue.pushPong(Buffer.from(String(i)), (payload) => {
        encoded.push(payload);
        return pongFrame(payload);
      });
    }
    const after = Buffer.from('after');
    const last = queue.push(after);
    peer.resume();
    await last;
    while (received().length < filled + pongFrame(Buffer.from('9999')).length + after.length)
      await new Promise((r) => setImmediate(r));
    expect(encoded.map(String)).toEqual(['9999']);
    expect(
      received()
        .subarray(filled)
        .equals(Buffer.concat([pongFrame(Buffer.from('9999')), after])),
    ).toBe(true);
  });

  it('answers the Pings parsed from one read with one Pong, even on an idle socket', async () => {
    const { client, peer, received } = await pair();
    const queue = new SendQueue(
      client,
      () => undefined,
      10_000,
      () => undefined,
    );
    peer.resume();
    const encoded: string[] = [];
    // As the frame parser calls it: synchronously, once per Ping of the read.
    for (let i = 0; i < 1000; i++) {
      queue.pushPong(Buffer.from(String(i)), (payload) => {
        encoded.push(String(payload));
        return pongFrame(payload);
      });
    }
    await queue.push(Buffer.from('.'));
    while (received().length < 6) await new Promise((r) => setImmediate(r));
    expect(encoded).toEqual(['999']);
    expect(received().toString('latin1')).toBe('\x8a\x03999.');
  });

  it('queues a fresh Pong for a Ping that arrives after the last one was written', async () => {
    const { client, peer, received } = await pair();
    const queue = new SendQueue(
      client,
      () => undefined,
      10_000,
      () => undefined,
    );
    peer.resume();
    queue.pushPong(Buffer.from('a'), pongFrame);
    await queue.push(Buffer.alloc(0));
    queue.pushPong(Buffer.from('b'), pongFrame);
    await queue.push(Buffer.from('.'));
    while (received().length < 7) await new Promise((r) => setImmediate(r));
    expect(received().toString('latin1')).toBe('\x8a\x01a\x8a\x01b.');
  });

  it('paces as Autobahn: while a sync write waits, later plain writes go out one per turn; else together', async () => {
    const { client, peer, received } = await pair();
    // Counts turns of the event loop, so each write can be placed in the turn it was made in.
    let turn = 0;
    let ticking = true;
    const tick = () => {
      turn++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const writes: Array<[string, number]> = [];
    const queue = new SendQueue(
      client,
      (d) => writes.push([d.toString('latin1'), turn]),
      10_000,
      () => undefined,
    );
    peer.resume();
    const paced = [queue.push(Buffer.from('A'), 0, true), queue.push(Buffer.from('B')), queue.push(Buffer.from('C'))];
    await Promise.all(paced);
    // Nothing paced is waiting any more: plain writes of one turn leave together again.
    await Promise.all([queue.push(Buffer.from('D')), queue.push(Buffer.from('E'))]);
    ticking = false;
    while (received().length < 5) await new Promise((r) => setImmediate(r));
    expect(received().toString('latin1')).toBe('ABCDE');
    const turnOf = Object.fromEntries(writes);
    expect(turnOf.B).toBeGreaterThan(turnOf.A!);
    expect(turnOf.C).toBeGreaterThan(turnOf.B!);
    expect(turnOf.E).toBe(turnOf.D);
  });
});
