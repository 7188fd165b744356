import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createUrlTarget, InvalidTargetsFileError, parseTargetsJson, UrlTargetDownError } from '../src/index.js';

/** A TCP listener on a free port, and a function that stops it. */
async function listener(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { port, close: () => new Promise((r) => server.close(() => r())) };
}

describe('createUrlTarget', () => {
  it('starts nothing: start() gives back the URL once it accepts connections; version as given', async () => {
    const l = await listener();
    try {
      const target = createUrlTarget({ name: 'mine', url: `ws://127.0.0.1:${l.port}/`, version: '1.0' });
      expect(target).toMatchObject({ name: 'mine', implementation: 'mine', version: '1.0' });
      const running = await target.start();
      expect(running).toMatchObject({ url: `ws://127.0.0.1:${l.port}/`, host: '127.0.0.1', port: l.port });
      await running.close();
    } finally {
      await l.close();
    }
  });

  it('is "unversioned" when no version is given, and says a URL that does not accept connections is down', async () => {
    const l = await listener();
    await l.close();
    const target = createUrlTarget({ name: 'gone', url: `ws://127.0.0.1:${l.port}/` });
    expect(target.version).toBe('unversioned');
    await expect(target.start()).rejects.toThrow(UrlTargetDownError);
    await expect(target.start()).rejects.toThrow(`gone: ws://127.0.0.1:${l.port}/ does not accept connections`);
  });
});

describe('parseTargetsJson: every bad entry', () => {
  it('names the first problem of each bad entry, one line each, and a repeated name', () => {
    const entry = (name: string, command: string[]) => ({
      name,
      implementation: 'x',
      version: { run: ['v'] },
      command,
    });
    const json = {
      targets: [entry('a', ['srv']), entry('b', ['srv', '{port}']), { name: 'c' }, entry('b', ['srv', '{port}'])],
    };
    let error: unknown;
    try {
      parseTargetsJson(json, 'my.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidTargetsFileError);
    expect((error as InvalidTargetsFileError).lines).toEqual([
      'my.json: targets[0].command must pass the port ({port})',
      'my.json: targets[2].version must be { run: [...], match?: "regex" } or { npm: true }',
      'my.json: target name "b" appears twice',
    ]);
  });
});
