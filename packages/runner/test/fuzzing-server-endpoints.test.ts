/**
 * The fuzzingserver's command endpoints and bad requests over real TCP: what each endpoint sends, the 4xx
 * and one-line reason of each bad request, and that every connection ends (the deadlines are injected
 * small, so each test waits for the server's own timer rather than a bound of its own).
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { caseById, type CaseDef } from '@wsmatrix/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FuzzingServer } from '../src/fuzzing-server/index.js';

const SELECTED: CaseDef[] = ['1.1.1', '2.1', '5.1', '7.1.1'].map((id) => caseById(id)!);
const HEAD_TIMEOUT_MS = 300;
const CLOSE_TIMEOUT_MS = 300;

let outdir: string;
let server: FuzzingServer;
let url: string;
let port: number;

beforeAll(async () => {
  outdir = path.join(await mkdtemp(path.join(tmpdir(), 'wsmatrix-fuzzingserver-')), 'reports', 'clients');
  server = new FuzzingServer({
    cases: SELECTED,
    excludeAgentCases: { 'skip-*': ['2.*'] },
    outdir,
    port: 0,
    timeouts: { requestHeadMs: HEAD_TIMEOUT_MS, closeMs: CLOSE_TIMEOUT_MS },
  });
  url = await server.listen();
  port = Number(new URL(url).port);
});

afterAll(async () => {
  await server.close();
  await rm(path.dirname(path.dirname(outdir)), { recursive: true, force: true });
});

interface CommandAnswer {
  messages: string[];
  code: number;
  reason: string;
}

/** Opens a command endpoint with the ws client; resolves with what it received and how it was closed. */
function command(target: string): Promise<CommandAnswer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}${target}`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    ws.on('close', (code, reason) => resolve({ messages, code, reason: String(reason) }));
    ws.on('error', reject);
  });
}

/** The HTTP status and body the server answers an upgrade with, when it refuses it. */
function refusal(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}${target}`);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => reject(new Error(`${target} was accepted`)));
    ws.on('error', () => {});
  });
}

/** Sends raw bytes on a fresh TCP connection; resolves with everything received once the server ends it. */
function raw(bytes: string | Buffer, opts: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      if (opts.keepOpen) socket.write(bytes);
      else socket.end(bytes);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n';
const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

describe('command endpoints', () => {
  it('/getCaseCount sends the number of selected cases as one text message, then closes normally', async () => {
    expect(await command('/getCaseCount')).toEqual({ messages: ['4'], code: 1000, reason: '' });
  });

  it('/getCaseInfo sends {id, description} of the case at that position', async () => {
    const answer = await command('/getCaseInfo?case=3');
    expect(answer.code).toBe(1000);
    expect(answer.messages.map((m) => JSON.parse(m))).toEqual([{ id: '5.1', description: SELECTED[2]!.description }]);
  });

  it('several command sockets at once are all answered', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => command(`/getCaseInfo?case=${1 + (i % 4)}`)));
    expect(answers.map((a) => JSON.parse(a.messages[0]!).id)).toEqual(
      [0, 1, 2, 3, 0, 1, 2, 3].map((i) => SELECTED[i]!.id),
    );
  });

  it('/runCase of a case excluded for the agent is closed unplayed, saying why, and leaves no result', async () => {
    const answer = await command('/runCase?case=2&agent=skip-me');
    expect(answer).toEqual({
      messages: [],
      code: 1000,
      reason: 'case 2.1 is excluded for agent "skip-me" (exclude-agent-cases)',
    });
    expect(server.results().size).toBe(0);
  });

  it('/getCaseStatus of a case never run for the agent is a 404 saying so', async () => {
    expect(await refusal('/getCaseStatus?case=1&agent=nobody')).toEqual({
      status: 404,
      body: 'case 1.1.1 (case=1) has not been run for agent "nobody"\n',
    });
  });

  it('/updateReports writes index.json before its Close, even with no results yet', async () => {
    const answer = await command('/updateReports?agent=nobody');
    expect(answer).toEqual({ messages: [], code: 1000, reason: '' });
    expect(JSON.parse(await readFile(path.join(outdir, 'index.json'), 'utf8'))).toEqual({});
  });
});

describe('bad requests get an HTTP error with a one-line reason, and the connection ends', () => {
  it.each([
    ['/nope?agent=a', 404, /^unknown path \/nope \(endpoints: /],
    ['/runCase?case=5&agent=a', 404, /^case 5 not found: the selection has cases 1\.\.4$/],
    ['/runCase?case=x&agent=a', 400, /^case "x" is not a number$/],
    ['/runCase?case=1', 400, /^\/runCase needs agent=NAME$/],
    ['/getCaseStatus?case=1', 400, /^\/getCaseStatus needs agent=NAME$/],
    ['/getCaseInfo', 400, /^\/getCaseInfo needs case=N or casetuple=ID$/],
    ['/updateReports', 400, /^\/updateReports needs agent=NAME$/],
  ])('upgrade to %s → %i', async (target, status, reason) => {
    const answer = await refusal(target);
    expect(answer.status).toBe(status);
    expect(answer.body.split('\n')).toHaveLength(2);
    expect(answer.body.trimEnd()).toMatch(reason);
  });

  it('a plain HTTP request to an endpoint is a 426 naming the endpoint', async () => {
    const answer = await raw('GET /getCaseCount HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect(answer).toMatch(/\r\n\r\n\/getCaseCount is a WebSocket endpoint: Upgrade header does not contain/);
  });

  it('a POST upgrade is a 405', async () => {
    const answer = await raw(`POST /getCaseCount HTTP/1.1\r\nHost: x\r\n${UPGRADE}${KEY}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
  });

  it('a malformed head is a 400, an oversized one a 431', async () => {
    expect(await raw('GET /getCaseCount HTTP/1.1\nHost: x\n\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    const huge = `GET /getCaseCount HTTP/1.1\r\nHost: x\r\n${'X-Pad: y\r\n'.repeat(3000)}\r\n`;
    expect(await raw(huge, { keepOpen: true })).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('a connection that never completes its head gets a 408 when the head deadline passes', async () => {
    const answer = await raw('GET /getCaseCount HTTP/1.1\r\nHost: x\r\n', { keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toContain(`no complete request head within ${HEAD_TIMEOUT_MS} ms`);
  });

  it('a driver that never answers our Close is dropped when the close deadline passes', async () => {
    const request = `GET /getCaseCount HTTP/1.1\r\nHost: x\r\n${UPGRADE}${KEY}\r\n`;
    const answer = await raw(request, { keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    // The text frame "4" then the Close 1000, unmasked, and nothing after: the server dropped the connection.
    expect(answer.endsWith('\r\n\r\n\x81\x014\x88\x02\x03\xe8')).toBe(true);
  });
});

describe('stopping', () => {
  it('/stopServer closes with 1001 and a reason, and resolves stopRequested', async () => {
    const answer = await command('/stopServer');
    expect(answer).toEqual({ messages: [], code: 1001, reason: 'server stopping' });
    expect(await server.stopRequested).toBe('/stopServer');
    // The server itself keeps running until its owner closes it (the CLI exits then).
    expect((await stat(outdir)).isDirectory()).toBe(true);
  });
});

describe('cases in play', () => {
  /** Opens /runCase with a client that never echoes; resolves with the close code once the server ends it. */
  function silentRun(target: string, onOpen: () => void = () => {}): Promise<number> {
    return new Promise((resolve) => {
      const ws = new WebSocket(`${url}${target}`);
      ws.on('open', onOpen);
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => {});
    });
  }

  it('/getCaseStatus asked while the case is in play answers with that run once it ends', async () => {
    let resultsWhenAsked: unknown = 'not asked';
    let status: Promise<CommandAnswer> | undefined;
    await silentRun('/runCase?case=1&agent=silent', () => {
      resultsWhenAsked = server.results().get('silent');
      status = command('/getCaseStatus?case=1&agent=silent');
    });
    const answer = await status!;
    // Nothing was recorded when the status was asked: the answer is the run that was in play.
    expect(resultsWhenAsked).toBeUndefined();
    const recorded = server.results().get('silent')!;
    expect(recorded.map((r) => [r.id, r.behavior])).toEqual([['1.1.1', 'FAILED']]);
    expect(answer).toEqual({ messages: ['{"behavior":"FAILED"}'], code: 1000, reason: '' });
  });

  it('several /runCase of one agent at once are each played and recorded', async () => {
    const codes = await Promise.all([1, 2, 3, 4].map((n) => silentRun(`/runCase?case=${n}&agent=many`)));
    expect(codes).toHaveLength(4);
    // The client's close can come before the server has recorded the case; the status waits for it.
    const statuses = await Promise.all([1, 2, 3, 4].map((n) => command(`/getCaseStatus?case=${n}&agent=many`)));
    expect(statuses.map((s) => s.messages.length)).toEqual([1, 1, 1, 1]);
    const recorded = server.results().get('many')!;
    expect(recorded.map((r) => r.id).sort()).toEqual(SELECTED.map((c) => c.id).sort());
    expect(recorded.map((r) => r.case).sort()).toEqual([1, 2, 3, 4]);
  });

  it('a /runCase that is not a WebSocket upgrade is refused by the engine and recorded as FAILED', async () => {
    const answer = await raw('GET /runCase?case=4&agent=curl HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
    expect((await command('/getCaseStatus?case=4&agent=curl')).messages).toEqual(['{"behavior":"FAILED"}']);
    const [record] = server.results().get('curl')!;
    expect([record!.id, record!.behavior]).toEqual(['7.1.1', 'FAILED']);
    expect(record!.result).toMatch(/^The client's upgrade request was refused: Upgrade header does not contain/);
  });
});

describe('close()', () => {
  it('ends the cases in play and every connection, and resolves', async () => {
    const own = new FuzzingServer({ cases: SELECTED, outdir, port: 0 });
    const ownUrl = await own.listen();
    const closes: number[] = [];
    const open = (target: string) =>
      new Promise<void>((resolve) => {
        const ws = new WebSocket(`${ownUrl}${target}`);
        ws.on('open', () => resolve());
        ws.on('close', (code) => closes.push(code));
        ws.on('error', () => {});
      });
    // A case whose client never echoes (the engine would wait for it), and a TCP connection that sent nothing.
    await open('/runCase?case=1&agent=stuck');
    const idle = net.connect(Number(new URL(ownUrl).port), '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    const idleClosed = new Promise((resolve) => idle.once('close', resolve));
    await own.close();
    await idleClosed;
    await expect.poll(() => closes.length).toBe(1);
    // The dropped case is still recorded, as the engine reports a connection that went away.
    expect(
      own
        .results()
        .get('stuck')
        ?.map((r) => r.id),
    ).toEqual(['1.1.1']);
  });
});

describe('a command socket is bounded in what it takes', () => {
  it('a driver that floods /getCaseStatus while it waits is dropped before the run ends', async () => {
    const frame = Buffer.alloc(60 * 1024);
    let statusClose: { code: number; messages: number } | undefined;
    let runEnded = false;
    const run = new WebSocket(`${url}/runCase?case=1&agent=flood`);
    run.on('error', () => {});
    const runClosed = new Promise<void>((resolve) =>
      run.on('close', () => {
        runEnded = true;
        resolve();
      }),
    );
    await new Promise((resolve) => run.on('open', resolve));
    const status = new WebSocket(`${url}/getCaseStatus?case=1&agent=flood`);
    status.on('error', () => {});
    let messages = 0;
    status.on('message', () => messages++);
    const statusClosed = new Promise<void>((resolve) =>
      status.on('close', (code) => {
        statusClose = { code, messages };
        resolve();
      }),
    );
    status.on('open', () => {
      for (let i = 0; i < 20; i++) status.send(frame);
    });
    await statusClosed;
    // Dropped for its 1.2 MiB, with no answer, while the run it waited for was still in play.
    expect(statusClose).toEqual({ code: 1006, messages: 0 });
    expect(runEnded).toBe(false);
    await runClosed;
  });
});
