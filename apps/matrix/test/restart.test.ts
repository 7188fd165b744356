import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './cli-harness.js';
import { tempDir } from './temp-dir.js';

type Index = Record<string, Record<string, { behavior: string; behaviorClose: string }>>;

/**
 * A ws echo server that dies (an uncaught exception, as ws 2-4 do on a request without Upgrade) on its
 * `dieAt`-th connection, as many times as `deaths` says: each process counts from one, and a marker file per
 * death makes the next process die only while deaths are left.
 */
async function dyingServerFile(dir: string, deaths: number, dieAt: number | 'binary'): Promise<string> {
  const onConnection = dieAt === 'binary' ? 'false' : `++connections === ${dieAt}`;
  const wsModule = createRequire(import.meta.url).resolve('ws');
  await writeFile(
    path.join(dir, 'dying.cjs'),
    `const fs = require('node:fs');\n` +
      `const { WebSocketServer } = require(${JSON.stringify(wsModule)});\n` +
      `const marker = (n) => require('node:path').join(__dirname, 'died-' + n);\n` +
      `let died = 0; while (fs.existsSync(marker(died + 1))) died++;\n` +
      "const s = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });\n" +
      'let connections = 0;\n' +
      'const die = (why) => {\n' +
      `  if (died >= ${deaths}) return false;\n` +
      "  fs.writeFileSync(marker(died + 1), '');\n" +
      '  setImmediate(() => { throw new TypeError(why); });\n' +
      '  return true;\n' +
      '};\n' +
      "s.on('connection', (ws) => {\n" +
      `  if (${onConnection}) die('odd request ' + connections);\n` +
      "  ws.on('message', (d, b) => {\n" +
      `    if (${dieAt === 'binary'} && b && die('odd binary message')) return;\n` +
      '    ws.send(d, { binary: b });\n' +
      '  });\n' +
      '});\n',
  );
  const file = path.join(dir, 'targets.json');
  await writeFile(
    file,
    JSON.stringify({
      targets: [
        {
          name: 'dying',
          implementation: 'dying',
          version: { run: [process.execPath, '-p', '"1.0.0"'] },
          command: [process.execPath, 'dying.cjs', '{port}'],
          options: {},
        },
      ],
    }),
  );
  return file;
}

const CASES = '1.1.1,1.1.2,1.1.3,1.1.4,1.1.5,1.1.6,1.1.7,1.1.8';

async function matrixAgainst(dir: string, file: string, cases = CASES, concurrency = '1') {
  const results = path.join(dir, 'results');
  const r = await runMain([
    'matrix',
    '--targets',
    'none',
    '--targets-file',
    file,
    '--cases',
    cases,
    '--concurrency',
    concurrency,
    '--results',
    results,
    '--report',
    path.join(dir, 'report'),
    '--json',
  ]);
  const index = JSON.parse(await readFile(path.join(results, 'dying', '1.0.0', 'index.json'), 'utf8')) as Index;
  return { r, index: index.dying! };
}

describe('matrix: a server that dies during its column', () => {
  it('is started again and plays the cases it had not reached; the column says so', async () => {
    const dir = await tempDir('restart-once');
    const { r, index } = await matrixAgainst(dir, await dyingServerFile(dir, 1, 3));
    expect(existsSync(path.join(dir, 'died-1'))).toBe(true);
    expect(r.stderr).toMatch(/dying stopped answering .*TypeError: odd request 3.*started it again for its \d+ cases/);
    // Every case has a verdict from bytes; none is left "target down".
    expect(Object.keys(index).sort()).toEqual(CASES.split(','));
    const json = JSON.parse(r.stdout) as { columns: Array<{ reason?: string; targetDown?: number }> };
    const column = json.columns[0]!;
    expect(column.reason).toMatch(/the server died during the run: .*started again/);
    expect(Object.values(index).filter((v) => v.behavior === 'OK').length).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it(`is left down after dying more often than it may be restarted`, async () => {
    const dir = await tempDir('restart-many');
    // Dies on the first connection of every process: each death is a case's own, and still the restarts end.
    const { r } = await matrixAgainst(dir, await dyingServerFile(dir, 100, 1));
    const json = JSON.parse(r.stdout) as { columns: Array<{ reason?: string; status?: string }> };
    const reason = json.columns[0]!.reason!;
    const deaths = reason.match(/the server died during the run/g)!.length;
    expect(deaths).toBeGreaterThanOrEqual(3);
    expect(deaths).toBeLessThanOrEqual(10);
    expect(reason).toMatch(/target down: stopped answering/);
    // One process more than restarts died: the last one, which was not started again.
    expect(existsSync(path.join(dir, `died-${deaths + 1}`))).toBe(true);
    expect(existsSync(path.join(dir, `died-${deaths + 2}`))).toBe(false);
  }, 60_000);

  const TEXT_AND_BINARY = `${CASES},1.2.1,1.2.2,1.2.3,1.2.4,1.2.5,1.2.6,1.2.7,1.2.8`;

  it('replays the cases whose connection died with it, one at a time, so they get their own verdicts', async () => {
    const dir = await tempDir('restart-in-flight');
    // Dies on the first binary message it reads, while text cases are in flight beside it; once only.
    const { r, index } = await matrixAgainst(dir, await dyingServerFile(dir, 1, 'binary'), TEXT_AND_BINARY, '8');
    expect(existsSync(path.join(dir, 'died-1'))).toBe(true);
    expect(r.stderr).toMatch(/odd binary message/);
    // The text cases in flight at the death were played again on the new process: each has its own verdict.
    expect(Object.entries(index).filter(([, v]) => v.behavior !== 'OK')).toEqual([]);
  }, 60_000);

  it('names the case that killed the server when a replay alone kills it again', async () => {
    const dir = await tempDir('restart-culprit');
    const { r, index } = await matrixAgainst(dir, await dyingServerFile(dir, 2, 'binary'), TEXT_AND_BINARY, '8');
    const json = JSON.parse(r.stdout) as { columns: Array<{ reason?: string }> };
    expect(json.columns[0]!.reason).toMatch(/while it played 1\.2\.\d alone/);
    const culprit = /while it played (1\.2\.\d) alone/.exec(json.columns[0]!.reason!)![1]!;
    expect(index[culprit]!.behavior).not.toBe('OK');
    const others = Object.entries(index).filter(([id]) => id !== culprit);
    expect(others.filter(([, v]) => v.behavior !== 'OK')).toEqual([]);
  }, 60_000);
});
