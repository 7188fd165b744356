import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runMain } from './cli-harness.js';

interface BenchJson {
  targets: Array<{ name: string; version: string; url?: string }>;
  cells: Array<{ target: string; median: number | null; serverCpu: number | null; clientCpu: number | null }>;
}

/** `wsmatrix bench --url`: a server the test runs measured beside an embedded target. */
describe('wsmatrix bench --url', () => {
  let server: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => server.once('listening', () => r()));
    server.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });

  afterAll(
    () =>
      new Promise<void>((r) => {
        for (const c of server.clients) c.terminate();
        server.close(() => r());
      }),
  );

  it('measures the URL server in its own row, its server CPU not measured, and says so', async () => {
    const common = ['--workloads', 'small-c1-f1', '--duration', '0.3', '--runs', '1', '--warmup-round', '0'];
    const flags = [...common, '--quiet-wait', '0', '--runtime', 'tsx', '--quiet', '--no-pin'];
    const argv = ['bench', '--targets', 'core', '--url', `mine@1.2=${url}`, ...flags];
    const json = await runMain([...argv, '--json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as BenchJson;
    expect(result.targets.find((t) => t.name === 'mine')).toMatchObject({ version: '1.2', url });
    const mine = result.cells.find((c) => c.target === 'mine')!;
    expect(mine.median).toBeGreaterThan(0);
    expect(mine.serverCpu).toBeNull();
    // The servers the bench started have their CPU read; only the user's is not.
    expect(result.cells.find((c) => c.target === 'core')!.serverCpu).not.toBeNull();
  }, 120_000);

  it('says in the table why the row has no server CPU', async () => {
    const argv = ['bench', '--targets', 'ws', '--url', `mine=${url}`, '--workloads', 'small-c1-f1'];
    const flags = ['--duration', '0.2', '--runs', '1', '--warmup-round', '0', '--quiet-wait', '0'];
    const r = await runMain([...argv, ...flags, '--runtime', 'tsx', '--quiet', '--no-pin']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}mine: mine unversioned at ws:\/\/127\.0\.0\.1:\d+\/, server CPU not measured/m);
    expect(r.stdout).toMatch(/^ {2}mine .* server CPU not measured \(your server\)$/m);
  }, 120_000);

  it('refuses a path other than "/" and a name already a target: one line, exit 2', async () => {
    const path = await runMain(['bench', '--url', 'mine=ws://127.0.0.1:1/chat']);
    expect(path.code).toBe(2);
    expect(path.stderr).toBe('wsmatrix: --url mine: the bench connects to "/" only, not "/chat"\n');
    const taken = await runMain(['bench', '--url', 'tcp=ws://127.0.0.1:1/']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toBe('wsmatrix: --url tcp: the name "tcp" is already a target\n');
  });
});
