/** The programmatic run(): the selected cases played against a real ws server, Autobahn files written. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { run } from '../src/index.js';

describe('run()', () => {
  let server: WebSocketServer;
  let url: string;
  let outDir: string;
  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (s) => s.on('message', (data, isBinary) => s.send(data, { binary: isBinary })));
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    outDir = await mkdtemp(join(tmpdir(), 'wsmatrix-api-'));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(outDir, { recursive: true, force: true });
  });

  it('plays the cases the patterns select, less the excluded ones, and writes index.json', async () => {
    const result = await run({ url, agent: 'echo', cases: ['1.1.*'], excludeCases: ['1.1.8'], outDir });
    expect(result.unreachable).toBeNull();
    expect(result.results.map((r) => r.id)).toEqual(['1.1.1', '1.1.2', '1.1.3', '1.1.4', '1.1.5', '1.1.6', '1.1.7']);
    expect(result.results.every((r) => r.behavior === 'OK')).toBe(true);
    const index = JSON.parse(await readFile(join(outDir, 'index.json'), 'utf8')) as Record<string, object>;
    expect(Object.keys(index)).toEqual(['echo']);
    expect(Object.keys(index.echo!)).toHaveLength(7);
  });
  it('names the agent by host:port when not told, and throws on a pattern that selects nothing', async () => {
    const result = await run({ url, cases: ['1.1.1'] });
    expect(result.agent).toBe(new URL(url).host);
    await expect(run({ url, cases: ['99.*'] })).rejects.toThrow('no case matches ["99.*"]');
  });
});
