/**
 * Handshake attack series H1-H12: each attack as raw bytes on a real socket, asserting the
 * status line and headers that come back (or the parser's own work counters), never timing; deadlines
 * use tiny configured limits.
 */
import { describe, expect, it, vi } from 'vitest';
import { HttpHeadParser, validateUpgradeRequest, type HttpRequestHead } from '@wsmatrix/protocol';
import {
  RawClient,
  SAMPLE_ACCEPT,
  openSocket,
  parseHead,
  rawExchange,
  upgradeRequest,
  echoServerFixture,
} from './helpers.js';

const fixture = echoServerFixture();
const start = fixture.start;

/** The standard request with `edit` applied to its lines (index 0 is the request line). */
function request(port: number, edit: (lines: string[]) => string[] = (l) => l): string {
  const lines = upgradeRequest(port).split('\r\n').slice(0, -2);
  return `${edit(lines).join('\r\n')}\r\n\r\n`;
}
const without = (name: string) => (lines: string[]) =>
  lines.filter((l) => !l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
const replacing = (name: string, value: string) => (lines: string[]) =>
  lines.map((l) => (l.toLowerCase().startsWith(`${name.toLowerCase()}:`) ? `${name}: ${value}` : l));
const adding =
  (...extra: string[]) =>
  (lines: string[]) => [...lines, ...extra];

async function answer(port: number, req: string | Buffer) {
  const r = await rawExchange(port, req);
  return { ...parseHead(r.text), closedByServer: r.closedByServer, text: r.text };
}

describe('H1 method, version, Host', () => {
  it('POST and HEAD → 405 + Allow: GET; HTTP/1.0 → 505; missing Host → 400; all close the connection', async () => {
    const port = await start();
    for (const method of ['POST', 'HEAD']) {
      const r = await answer(
        port,
        request(port, (l) => [l[0]!.replace('GET', method), ...l.slice(1)]),
      );
      expect([r.status, r.headers.get('allow'), r.closedByServer]).toEqual([405, 'GET', true]);
    }
    expect(
      (
        await answer(
          port,
          request(port, (l) => [l[0]!.replace('HTTP/1.1', 'HTTP/1.0'), ...l.slice(1)]),
        )
      ).status,
    ).toBe(505);
    expect((await answer(port, request(port, without('Host')))).status).toBe(400);
    expect(
      (
        await answer(
          port,
          request(port, (l) => [l[0]!.replace('GET', 'get'), ...l.slice(1)]),
        )
      ).status,
    ).toBe(501);
  });
});

describe('H2 Upgrade and Connection tokens', () => {
  it('missing websocket / Upgrade token → 426 + Upgrade: websocket; browser forms → 101', async () => {
    const port = await start();
    for (const edit of [
      without('Upgrade'),
      replacing('Upgrade', 'h2c'),
      without('Connection'),
      replacing('Connection', 'keep-alive'),
    ]) {
      const r = await answer(port, request(port, edit));
      expect([r.status, r.headers.get('upgrade')]).toEqual([426, 'websocket']);
    }
    for (const edit of [replacing('Connection', 'keep-alive, Upgrade'), replacing('Upgrade', 'WebSocket')]) {
      const c = await RawClient.connect(port, {});
      c.destroy();
      const r = await rawExchange(port, request(port, edit), 300);
      expect(parseHead(r.text).status).toBe(101);
    }
  });
});

describe('H3 Sec-WebSocket-Version', () => {
  it('12, 14, missing, "13, 8", duplicated → 426 + Sec-WebSocket-Version: 13', async () => {
    const port = await start();
    const edits = [
      replacing('Sec-WebSocket-Version', '12'),
      replacing('Sec-WebSocket-Version', '14'),
      without('Sec-WebSocket-Version'),
      replacing('Sec-WebSocket-Version', '13, 8'),
      adding('Sec-WebSocket-Version: 13'),
    ];
    for (const edit of edits) {
      const r = await answer(port, request(port, edit));
      expect([r.status, r.headers.get('sec-websocket-version'), r.headers.get('upgrade')]).toEqual([
        426,
        '13',
        'websocket',
      ]);
    }
  });
});

describe('H4 Sec-WebSocket-Key', () => {
  it(
    '15 and 17 bytes, not base64, no padding, missing, duplicated → 400; ' + 'the RFC sample key → its accept',
    async () => {
      const port = await start();
      const edits = [
        replacing('Sec-WebSocket-Key', 'AAECAwQFBgcICQoLDA0O'),
        replacing('Sec-WebSocket-Key', 'AAECAwQFBgcICQoLDA0ODxA='),
        replacing('Sec-WebSocket-Key', '!!!!!!!!!!!!!!!!!!!!!!=='),
        replacing('Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ'),
        without('Sec-WebSocket-Key'),
        adding('Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=='),
      ];
      for (const edit of edits) expect((await answer(port, request(port, edit))).status).toBe(400);
      const ok = await rawExchange(port, request(port), 300);
      expect(parseHead(ok.text).headers.get('sec-websocket-accept')).toBe(SAMPLE_ACCEPT);
    },
  );
});

describe('H5 Origin allow-list', () => {
  it('on: a foreign origin → 403, a listed one → 101; off: any origin → 101', async () => {
    const port = await start({ allowedOrigins: ['https://good.example'] });
    expect((await answer(port, request(port, adding('Origin: https://evil.example')))).status).toBe(403);
    expect(
      parseHead((await rawExchange(port, request(port, adding('Origin: https://good.example')), 300)).text).status,
    ).toBe(101);
    await fixture.server!.close();
    const open = await start();
    expect(
      parseHead((await rawExchange(open, request(open, adding('Origin: https://evil.example')), 300)).text).status,
    ).toBe(101);
  });
});

describe('H6 pathological header values are parsed in linear work', () => {
  function parsed(head: string): HttpRequestHead {
    const p = new HttpHeadParser('request', { maxHeadBytes: 200_000, maxLineBytes: 100_000 });
    const r = p.push(Buffer.from(head, 'latin1'));
    // Every byte scanned once; copies only for lines spanning pushes (none here).
    expect(p.bytesScanned).toBe(Buffer.byteLength(head, 'latin1'));
    return r as HttpRequestHead;
  }
  it('64 KiB of spaces inside Sec-WebSocket-Protocol and a 16 KiB unterminated quoted extension → 400', () => {
    const protocol = parsed(request(1, adding(`Sec-WebSocket-Protocol: b${' '.repeat(65_536)}x`)));
    expect(validateUpgradeRequest(protocol)).toMatchObject({ ok: false, status: 400 });
    const ext = parsed(request(1, adding(`Sec-WebSocket-Extensions: a; b="${'\\c'.repeat(8192)}`)));
    expect(validateUpgradeRequest(ext)).toMatchObject({ ok: false, status: 400 });
  });
  it('the server answers both over the wire (431 for the long line, 400 for the quoted one under 8 KiB)', async () => {
    const port = await start();
    expect((await answer(port, request(port, adding(`Sec-WebSocket-Protocol: b${' '.repeat(12_000)}x`)))).status).toBe(
      431,
    );
    expect(
      (await answer(port, request(port, adding(`Sec-WebSocket-Extensions: a; b="${'\\c'.repeat(3000)}`)))).status,
    ).toBe(400);
  });
});

describe('H7 extension names that are Object.prototype keys', () => {
  it('constructor, __proto__, hasOwnProperty, ",;constructor" → no crash, no extension in the 101', async () => {
    const port = await start();
    for (const value of ['constructor', '__proto__; hasOwnProperty=1', 'hasOwnProperty, toString']) {
      const r = await rawExchange(port, request(port, adding(`Sec-WebSocket-Extensions: ${value}`)), 300);
      const head = parseHead(r.text);
      expect(head.status).toBe(101);
      expect(head.headers.has('sec-websocket-extensions')).toBe(false);
    }
    // Syntactically invalid list: refused, still no crash.
    expect((await answer(port, request(port, adding('Sec-WebSocket-Extensions: ,;constructor')))).status).toBe(400);
  });
});

describe('H8 header counts and sizes', () => {
  it('2 100 headers with the required ones last → 431; 100 headers → 101, 101 → 431', async () => {
    const port = await start();
    const fillers = (n: number) => Array.from({ length: n }, (_, i) => `X-${i}: 1`);
    const first = await answer(
      port,
      request(port, (l) => [l[0]!, ...fillers(2100), ...l.slice(1)]),
    );
    expect(first.status).toBe(431);
    // upgradeRequest has 5 header lines.
    expect(parseHead((await rawExchange(port, request(port, adding(...fillers(95))), 300)).text).status).toBe(101);
    expect((await answer(port, request(port, adding(...fillers(96))))).status).toBe(431);
  });
  it('request line > 8 KiB → 414; header line > 8 KiB → 431; head > 16 KiB → 431', async () => {
    const port = await start();
    expect(
      (
        await answer(
          port,
          request(port, (l) => [`GET /${'a'.repeat(9000)} HTTP/1.1`, ...l.slice(1)]),
        )
      ).status,
    ).toBe(414);
    expect((await answer(port, request(port, adding(`X-Long: ${'x'.repeat(9000)}`)))).status).toBe(431);
    expect(
      (
        await answer(
          port,
          request(port, adding(...Array.from({ length: 20 }, (_, i) => `X-${i}: ${'x'.repeat(1000)}`))),
        )
      ).status,
    ).toBe(431);
  });
});

describe('H9 slowloris', () => {
  it(
    'a head trickled byte by byte is cut at the absolute handshake deadline, ' +
      'although bytes keep coming (fake clock)',
    async () => {
      const port = await start({ handshakeTimeoutMs: 200 });
      // The deadline is armed at accept, so the clock is faked first; it moves only when the test moves it.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      try {
        const socket = await openSocket(port);
        const received: Buffer[] = [];
        let closed = false;
        socket.on('data', (c: Buffer) => received.push(c));
        socket.on('error', () => undefined);
        socket.on('close', () => (closed = true));
        const turns = async (): Promise<void> => {
          for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
        };
        const head = Buffer.from(request(port));
        let sent = 0;
        // One byte every 50 ms of the fake clock: each is in the server's hands before time moves on.
        while (!closed && sent < head.length - 4) {
          await new Promise<void>((resolve) => socket.write(head.subarray(sent, sent + 1), () => resolve()));
          sent++;
          await turns();
          vi.advanceTimersByTime(50);
          await turns();
        }
        await new Promise<void>((resolve) => (closed ? resolve() : socket.once('close', () => resolve())));
        // Cut when 200 ms had passed (after the 4th byte), although the head was far from complete.
        expect(sent).toBe(4);
        const text = Buffer.concat(received).toString('latin1');
        if (text !== '') expect(parseHead(text).status).toBe(408);
      } finally {
        vi.useRealTimers();
      }
    },
  );
  it('the head parser does linear work for a 16 KiB head pushed one byte at a time', () => {
    const head = Buffer.from(
      request(1, adding(...Array.from({ length: 15 }, (_, i) => `X-${i}: ${'y'.repeat(1000)}`))),
    );
    const p = new HttpHeadParser('request', { maxHeadBytes: 32_768 });
    for (let i = 0; i < head.length; i++) p.push(head.subarray(i, i + 1));
    expect(p.complete).toBe(true);
    expect(p.bytesScanned).toBe(head.length);
    expect(p.bytesCopied).toBeLessThanOrEqual(3 * head.length);
  });
});

describe('H10 bodies and pipelining', () => {
  it(
    'Content-Length: 100000 or Transfer-Encoding: chunked → 400 without waiting for the body; ' +
      'Content-Length: 0 → 101',
    async () => {
      const port = await start();
      const big = await answer(port, request(port, adding('Content-Length: 100000')));
      expect([big.status, big.closedByServer]).toEqual([400, true]);
      expect((await answer(port, request(port, adding('Transfer-Encoding: chunked')))).status).toBe(400);
      expect(parseHead((await rawExchange(port, request(port, adding('Content-Length: 0')), 300)).text).status).toBe(
        101,
      );
    },
  );
});

describe('H11 header injection', () => {
  it('CR/LF or non-token subprotocol values are never reflected', async () => {
    const port = await start({ selectProtocol: (offered) => offered[0] });
    for (const value of ['chat\rX-Injected: yes', 'chat\r\n X-Injected: yes', 'a b', 'chat, "x"']) {
      const r = await answer(port, request(port, adding(`Sec-WebSocket-Protocol: ${value}`)));
      expect(r.status).toBe(400);
      expect(r.text.toLowerCase()).not.toContain('x-injected:');
    }
  });
});

describe('H12 connection caps', () => {
  it('maxConnections reached → 503', async () => {
    const port = await start({ maxConnections: 1 });
    const first = await RawClient.connect(port);
    const r = await answer(port, request(port));
    expect(r.status).toBe(503);
    first.destroy();
  });
  it('maxPendingHandshakes reached → new sockets are destroyed at accept', async () => {
    const port = await start({ maxPendingHandshakes: 2 });
    const idle = [await openSocket(port), await openSocket(port)];
    // Both are accepted (and waiting for their heads) before the third connects.
    while (fixture.server!.pendingHandshakes < 2) await new Promise((r) => setImmediate(r));
    const third = await rawExchange(port, request(port), 1000);
    expect([third.text, third.closedByServer]).toEqual(['', true]);
    for (const s of idle) s.destroy();
  });
});
