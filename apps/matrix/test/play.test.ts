import { caseById } from '@wsmatrix/cases';
import { runSuite } from '@wsmatrix/runner';
import { getTarget, type RunningTarget } from '@wsmatrix/targets';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { playServer } from '../src/play.js';

const cases = ['1.1.1', '1.1.2', '1.1.3', '1.1.4', '1.1.5'].map((id) => caseById(id)!);

/** A ws echo server that counts the connections it accepted. */
async function countingEcho(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  let connections = 0;
  server.on('connection', (ws) => {
    connections++;
    ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    connections: () => connections,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('an interrupt stops the cases from starting', () => {
  let running: { close: () => Promise<void> } | undefined;
  afterEach(async () => running?.close());

  it('runSuite with a signal: no case starts once it is aborted, and only the played ones are returned', async () => {
    const server = await countingEcho();
    running = server;
    const controller = new AbortController();
    const suite = await runSuite({
      url: server.url,
      agent: 'echo',
      cases,
      concurrency: 1,
      userAgent: 'test',
      signal: controller.signal,
      onResult: () => controller.abort('SIGINT'),
    });
    expect(suite.results.map((r) => r.id)).toEqual(['1.1.1']);
    expect(server.connections()).toBe(1);
  }, 30_000);

  it('playServer: the cases finished before the interrupt are kept, the rest listed as interrupted', async () => {
    const target: RunningTarget = await getTarget('core').start();
    running = target;
    const controller = new AbortController();
    const finished: string[] = [];
    const outcome = await playServer({
      agent: 'core',
      url: target.url,
      cases,
      concurrency: 1,
      userAgent: 'test',
      signal: controller.signal,
      onResult: (r) => {
        finished.push(r.id);
        if (finished.length === 2) controller.abort('SIGTERM');
      },
    });
    expect(outcome.results.map((r) => r.id)).toEqual(['1.1.1', '1.1.2']);
    expect(outcome.interrupted).toEqual(['1.1.3', '1.1.4', '1.1.5']);
    expect(outcome.unreachable).toBeNull();
  }, 30_000);

  it('playServer: a server already down before the interrupt is still reported unreachable', async () => {
    const controller = new AbortController();
    const outcome = await playServer({
      agent: 'dead',
      url: 'ws://127.0.0.1:1/',
      cases,
      concurrency: 1,
      userAgent: 'test',
      signal: controller.signal,
      onResult: () => controller.abort('SIGINT'),
    });
    expect(outcome.results.length).toBeGreaterThan(0);
    expect(outcome.unreachable).toMatch(/ECONNREFUSED/);
  }, 30_000);

  it('playServer after the interrupt plays nothing', async () => {
    const controller = new AbortController();
    controller.abort('SIGHUP');
    const outcome = await playServer({
      agent: 'x',
      url: 'ws://127.0.0.1:1/',
      cases,
      userAgent: 'test',
      signal: controller.signal,
    });
    expect(outcome).toEqual({ results: [], interrupted: cases.map((c) => c.id), unreachable: null });
  });
});
