/**
 * A client that keeps a connection for its next request: an HTTP/1.1 client that pools connections (Go's
 * http.Client, Jetty's, Mojo's) may send its next case's upgrade request on the connection of a case that
 * refused the upgrade. A raw TCP client sends three requests on one socket; every case they ask for is
 * played and recorded, and every response that refuses the upgrade says the connection closes after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caseById, type CaseDef } from '@wsmatrix/cases';
import { MessageReader, Opcode, encodeClosePayload, encodeFrame, generateKey } from '@wsmatrix/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzingServer } from '../src/fuzzing-server/index.js';

// case=1 refuses with a 403 and a body, case=2 with a 302, case=3 is Autobahn's first echo.
const SELECTED: CaseDef[] = ['0.7.4', '0.7.3', '1.1.1'].map((id) => caseById(id)!);
const PROBE = 'wsmatrix probe: echo me';

let outdir: string;
let server: FuzzingServer;
let port: number;

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'wsmatrix-fuzzingserver-reuse-'));
  server = new FuzzingServer({ cases: SELECTED, outdir, port: 0 });
  port = Number(new URL(await server.listen()).port);
});

afterAll(async () => {
  await server.close();
  await rm(outdir, { recursive: true, force: true });
});

const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: ${generateKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n`;

/** One TCP connection whose received bytes can be waited on, as a pooling client reads a response. */
class OneSocket {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private waiting: Array<() => void> = [];

  constructor() {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const check of this.waiting) check();
    });
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
    this.socket.on('error', () => {});
  }

  /** Resolves once the bytes received so far hold `text` `count` times (or rejects when the socket closes). */
  until(text: string, count = 1): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.received.toString('latin1').split(text).length - 1 < count) return;
        this.waiting = this.waiting.filter((c) => c !== check);
        resolve();
      };
      this.waiting.push(check);
      void this.closed.then(() => reject(new Error(`closed before "${text}" × ${count} arrived`)));
      check();
    });
  }
}

describe('requests a client sends on the connection of a refused upgrade', () => {
  it('are served as on a fresh connection: no case is lost, and the refusals say Connection: close', async () => {
    const client = new OneSocket();
    client.socket.write(upgrade('/runCase?case=1&agent=pooled'));
    // The 403 and its probe frame are in: the client sends its next case's request on the same connection.
    await client.until(PROBE);
    client.socket.write(upgrade('/runCase?case=2&agent=pooled'));
    await client.until(PROBE, 2);
    client.socket.write(upgrade('/runCase?case=3&agent=pooled'));
    await client.until('HTTP/1.1 101 Switching Protocols\r\n');
    // Case 1.1.1 as a client plays it: echo the message, answer the Close.
    const afterHead = (): Buffer => {
      const bytes = client.received;
      const at = bytes.indexOf('HTTP/1.1 101 Switching Protocols\r\n');
      return bytes.subarray(bytes.indexOf('\r\n\r\n', at) + 4);
    };
    const reader = new MessageReader(
      { role: 'client' },
      {
        onMessage: (data, binary) =>
          client.socket.write(encodeFrame({ opcode: binary ? Opcode.Binary : Opcode.Text, payload: data, mask: true })),
        onPing: () => undefined,
        onPong: () => undefined,
        onClose: (code) => {
          client.socket.write(
            encodeFrame({ opcode: Opcode.Close, payload: encodeClosePayload(code ?? 1000), mask: true }),
          );
        },
      },
    );
    let fed = 0;
    const feed = (): void => {
      const frames = afterHead();
      if (frames.length > fed) reader.push(frames.subarray(fed));
      fed = frames.length;
    };
    feed();
    client.socket.on('data', feed);
    await client.closed;

    const text = client.received.toString('latin1');
    const heads = text.match(/HTTP\/1\.1 \d{3} [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/g) ?? [];
    expect(heads.map((h) => h.split('\r\n')[0])).toEqual([
      'HTTP/1.1 403 Forbidden',
      'HTTP/1.1 302 Found',
      'HTTP/1.1 101 Switching Protocols',
    ]);
    expect(heads[0]).toContain('\r\nConnection: close\r\n');
    expect(heads[1]).toContain('\r\nConnection: close\r\n');

    const recorded = new Map((server.results().get('pooled') ?? []).map((r) => [r.id, r]));
    expect([...recorded.keys()].sort()).toEqual(['0.7.3', '0.7.4', '1.1.1']);
    const [first, second, third] = ['0.7.4', '0.7.3', '1.1.1'].map((id) => recorded.get(id)!);
    // The case whose connection was kept ends on the next request; that request's case is played.
    expect([first!.behavior, first!.behaviorClose]).toEqual(['OK', 'OK']);
    expect(first!.result).toMatch(/new HTTP request on the connection \("GET \/runCase\?case=2&agent=pooled/);
    expect(first!.resultClose).toMatch(/served the new HTTP request as a request of its own/);
    expect([second!.case, second!.behavior]).toEqual([2, 'OK']);
    expect(second!.result).toMatch(/came on the connection of case 0\.7\.4 \(case=1\)/);
    expect([third!.case, third!.behavior, third!.behaviorClose]).toEqual([3, 'OK', 'OK']);
    expect(third!.result).toMatch(/came on the connection of case 0\.7\.3 \(case=2\)/);
  });

  it('a request for something other than a case on such a connection gets its own answer', async () => {
    const client = new OneSocket();
    client.socket.write(upgrade('/runCase?case=1&agent=counting'));
    await client.until(PROBE);
    client.socket.write(upgrade('/getCaseCount'));
    // The count, "3", in one text frame after the 101.
    const count = encodeFrame({ opcode: Opcode.Text, payload: Buffer.from('3') }).toString('latin1');
    await client.until(count);
    client.socket.destroy();
    const text = client.received.toString('latin1');
    const afterProbe = text.slice(text.indexOf(PROBE) + PROBE.length);
    expect(afterProbe.startsWith('HTTP/1.1 101 Switching Protocols\r\n')).toBe(true);
    // The frame right after the 101's head (the Close may follow it in the same read).
    expect(afterProbe.slice(afterProbe.indexOf('\r\n\r\n') + 4).startsWith(count)).toBe(true);
    expect(
      server
        .results()
        .get('counting')
        ?.map((r) => r.id),
    ).toEqual(['0.7.4']);
  });
});
