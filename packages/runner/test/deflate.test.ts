/**
 * Groups 12/13 through the runner: negotiation per case, compression both ways, the verdicts and the
 * compression figures of the report; plus a server that breaks the echo.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { caseById } from '@wsmatrix/cases';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { runCase } from '../src/run-case.js';

let wss: WebSocketServer | null = null;

afterEach(() => new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve())));

async function start(perMessageDeflate: unknown, transform: (data: Buffer) => Buffer = (d) => d): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate } as never);
  wss = server;
  await new Promise((resolve) => server.on('listening', resolve));
  server.on('connection', (ws) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(transform(data), { binary: isBinary }));
  });
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('compression cases', () => {
  it('a server without permessage-deflate: UNIMPLEMENTED, closed at once with 1000', async () => {
    const url = await start(false);
    const r = await runCase(url, caseById('12.1.1')!);
    expect([r.behavior, r.behaviorClose, r.remoteCloseCode]).toEqual(['UNIMPLEMENTED', 'OK', 1000]);
    expect(r.httpRequest).toMatch(
      /Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits\r\n/,
    );
  });

  it('12.1.1 against ws with deflate: 1000 compressed echoes, OK, ratios reported', async () => {
    const url = await start({ threshold: 0 });
    const r = await runCase(url, caseById('12.1.1')!);
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    expect(r.reportCompressionRatio).toBe(true);
    const t = r.trafficStats!;
    expect(t.outgoingWebSocketMessages).toBe(1000);
    expect(t.incomingWebSocketMessages).toBe(1000);
    // 16 characters per message; the JSON data set has a few non-ASCII names, so a little over 16 000 bytes.
    expect(t.outgoingOctetsAppLevel).toBeGreaterThanOrEqual(16_000);
    expect(t.incomingOctetsAppLevel).toBe(t.outgoingOctetsAppLevel);
    expect(t.outgoingCompressionRatio).toBeGreaterThan(0);
    expect(t.incomingCompressionRatio).toBeGreaterThan(0);
    expect(r.rxFrameStats[1]).toBe(1000);
  });

  it('13.7.x: three offers, the server takes the first it can; window 9 echoes still decode', async () => {
    const url = await start({ threshold: 0 });
    const r = await runCase(url, caseById('13.7.4')!);
    expect(r.httpRequest).toContain(
      'permessage-deflate; client_no_context_takeover; client_max_window_bits; ' +
        'server_no_context_takeover; server_max_window_bits=9, ' +
        'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover, ' +
        'permessage-deflate; client_no_context_takeover; client_max_window_bits',
    );
    expect(r.httpResponse).toMatch(/server_max_window_bits=9/);
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    expect(r.trafficStats!.incomingCompressionRatio!).toBeLessThan(1);
  });

  it('fragmented compressed messages (12.2.11: 8 KiB in 256-octet frames) ' +
    'carry RSV1 on the first frame only', async () => {
    const url = await start({ threshold: 0 });
    const r = await runCase(url, caseById('12.2.11')!, {});
    expect([r.behavior, r.behaviorClose]).toEqual(['OK', 'OK']);
    expect(r.trafficStats!.outgoingWebSocketFrames).toBeGreaterThan(1000);
  }, 30_000);

  it('a server whose echo differs gets FAILED with the content difference', async () => {
    const url = await start({ threshold: 0 }, (d) => {
      const copy = Buffer.from(d);
      copy[0] = copy[0] === 0x41 ? 0x42 : 0x41;
      return copy;
    });
    const r = await runCase(url, caseById('13.1.1')!);
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/contents differs .*SHA1/);
    expect(r.behaviorClose).toBe('OK');
    expect(r.trafficStats).toBeNull();
  });
});
