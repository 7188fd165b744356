import { describe, expect, it } from 'vitest';
import { Opcode, encodeFrame } from '@wsmatrix/protocol';
import type { ServerOptions } from '../src/options.js';
import { RawClient, clientFrame, closeCodeOf, closePayload, echoServerFixture } from './helpers.js';

const fixture = echoServerFixture();
const start = fixture.start;

/** Sends `bytes`, expects exactly one frame back (a Close with `code`) and the server to end TCP. */
async function expectFailure(bytes: Buffer, code: number, options?: ServerOptions): Promise<RawClient> {
  const port = await start(options);
  const client = await RawClient.connect(port);
  client.send(bytes);
  const close = await client.waitForClose();
  expect(closeCodeOf(close)).toBe(code);
  expect(close.masked).toBe(false);
  await client.waitForEnd(1000);
  await client.waitForSocketClose(1500);
  expect(client.frames.filter((f) => f.opcode === Opcode.Close)).toHaveLength(1);
  expect(client.decodeError).toBeNull();
  return client;
}

describe('protocol errors get the right Close code, then TCP close', () => {
  it('unmasked client frame → 1002', async () => {
    await expectFailure(encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('plain') }), 1002);
  });

  for (const rsv of ['rsv1', 'rsv2', 'rsv3'] as const) {
    it(`${rsv} set without an extension → 1002`, async () => {
      await expectFailure(clientFrame({ opcode: Opcode.Text, payload: Buffer.from('x'), [rsv]: true }), 1002);
    });
  }

  for (const opcode of [3, 7, 0xb, 0xf]) {
    it(`reserved opcode ${opcode} → 1002`, async () => {
      await expectFailure(clientFrame({ opcode, payload: Buffer.from('x') }), 1002);
    });
  }

  it('invalid UTF-8 in a text message → 1007', async () => {
    await expectFailure(
      clientFrame({
        opcode: Opcode.Text,
        payload: Buffer.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xf4, 0x90, 0x80, 0x80]),
      }),
      1007,
    );
  });

  it('invalid UTF-8 in the first fragment fails before the message ends (fail fast) → 1007', async () => {
    await expectFailure(
      clientFrame({ opcode: Opcode.Text, fin: false, payload: Buffer.from([0x61, 0xc0, 0xaf]) }),
      1007,
    );
  });

  it('message over maxMessageSize → 1009 (single frame)', async () => {
    await expectFailure(clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(1025) }), 1009, {
      maxMessageSize: 1024,
    });
  });

  it('message exactly maxMessageSize is echoed', async () => {
    const port = await start({ maxMessageSize: 1024 });
    const client = await RawClient.connect(port);
    client.sendFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(1024, 7) });
    const [echo] = await client.waitForFrames(1);
    expect(echo!.payload.length).toBe(1024);
    client.destroy();
  });

  it('fragmented message crossing maxMessageSize on its last fragment → 1009', async () => {
    const bytes = Buffer.concat([
      clientFrame({ opcode: Opcode.Binary, fin: false, payload: Buffer.alloc(600) }),
      clientFrame({ opcode: Opcode.Continuation, fin: true, payload: Buffer.alloc(600) }),
    ]);
    await expectFailure(bytes, 1009, { maxMessageSize: 1024, partOverhead: 0 });
  });

  it('header declaring 2^62 bytes → 1009 before any payload', async () => {
    const header = clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(10), declaredLength: 2n ** 62n });
    await expectFailure(header, 1009);
  });

  it('endless empty continuation frames → 1008 (part overhead)', async () => {
    const parts = [clientFrame({ opcode: Opcode.Binary, fin: false, payload: Buffer.alloc(1) })];
    for (let i = 0; i < 40; i++) parts.push(clientFrame({ opcode: Opcode.Continuation, fin: false }));
    await expectFailure(Buffer.concat(parts), 1008, { maxMessageSize: 1024, partOverhead: 128 });
  });

  it('close with a 1-byte payload → 1002', async () => {
    await expectFailure(clientFrame({ opcode: Opcode.Close, payload: Buffer.from([0x03]) }), 1002);
  });

  for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
    it(`close code ${code} → 1002`, async () => {
      await expectFailure(clientFrame({ opcode: Opcode.Close, payload: closePayload(code) }), 1002);
    });
  }

  it('close reason that is not UTF-8 → 1007', async () => {
    const payload = Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])]);
    await expectFailure(clientFrame({ opcode: Opcode.Close, payload }), 1007);
  });

  it('control frame of 126 bytes → 1002', async () => {
    await expectFailure(clientFrame({ opcode: Opcode.Ping, payload: Buffer.alloc(126) }), 1002);
  });

  it('fragmented ping → 1002', async () => {
    await expectFailure(clientFrame({ opcode: Opcode.Ping, fin: false, payload: Buffer.from('x') }), 1002);
  });

  it('continuation with no message → 1002', async () => {
    await expectFailure(clientFrame({ opcode: Opcode.Continuation, payload: Buffer.from('x') }), 1002);
  });

  it('new data frame inside a fragmented message → 1002', async () => {
    const bytes = Buffer.concat([
      clientFrame({ opcode: Opcode.Text, fin: false, payload: Buffer.from('a') }),
      clientFrame({ opcode: Opcode.Text, fin: true, payload: Buffer.from('b') }),
    ]);
    await expectFailure(bytes, 1002);
  });
});

describe('after failing', () => {
  it('echoes what came before the error, sends one Close, and discards everything after', async () => {
    const port = await start();
    const client = await RawClient.connect(port);
    const valid = clientFrame({ opcode: Opcode.Text, payload: Buffer.from('ok') });
    const bad = clientFrame({ opcode: 3, payload: Buffer.from('x') });
    const later = clientFrame({ opcode: Opcode.Text, payload: Buffer.from('later') });
    client.socket.allowHalfOpen = true; // keep sending after the server's FIN
    client.send(Buffer.concat([valid, bad, later, later]));
    const close = await client.waitForClose();
    expect(closeCodeOf(close)).toBe(1002);
    const [conn] = [...fixture.server!.connections];
    for (let i = 0; i < 20; i++) client.send(Buffer.concat([later, bad]));
    // FIN comes after every byte the server sent: once it is seen, nothing more can arrive.
    await client.waitForEnd(10_000);
    expect(client.frames.map((f) => f.opcode)).toEqual([Opcode.Text, Opcode.Close]);
    expect(client.frames[0]!.payload.toString()).toBe('ok');
    if (conn !== undefined) {
      expect(conn.messagesReceived).toBe(1);
      expect(conn.bufferedInputBytes).toBeLessThanOrEqual(14);
    }
    client.destroy();
  });
});
