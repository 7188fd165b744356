import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  createCommandTarget,
  loadCommandTargets,
  loadShippedClients,
  type CommandTargetDefinition,
} from '../src/index.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A family folder: an echo program, a helper module in a sub-folder, and an included family of its own. */
function family(program: string, helper = 'helper v1'): string {
  const dir = mkdtempSync(join(tmpdir(), 'wsmatrix-identity-'));
  made.push(dir);
  writeFileSync(join(dir, 'echo.py'), program);
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'helper.py'), helper);
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'targets.json'), '{"targets": []}');
  writeFileSync(join(dir, 'other', 'other-echo.py'), 'another family');
  return dir;
}

const definition: CommandTargetDefinition = {
  name: 'fake',
  implementation: 'fake',
  requires: [],
  version: { run: ['true'] },
  command: ['python3', '{dir}/echo.py', '{port}'],
  options: {},
};

/** Each call reads the folder afresh: identities are computed once per folder and process. */
const identity = (dir: string, def = definition): string | undefined => createCommandTarget(def, { dir }).codeIdentity;

describe('codeIdentity of an external target', () => {
  test('changes with its program, a file of its folder and its definition', () => {
    const base = identity(family('print(1)'));
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(identity(family('print(1)'))).toBe(base);
    expect(identity(family('print(2)'))).not.toBe(base);
    expect(identity(family('print(1)', 'helper v2'))).not.toBe(base);
    expect(identity(family('print(1)'), { ...definition, command: [...definition.command, '--fast'] })).not.toBe(base);
  });

  test("does not change with an included family's files", () => {
    const a = family('print(1)');
    const b = family('print(1)');
    writeFileSync(join(b, 'other', 'other-echo.py'), 'changed');
    expect(identity(b)).toBe(identity(a));
  });

  test('every shipped target and client has one, and the families differ', () => {
    const targets = loadCommandTargets();
    const clients = loadShippedClients();
    for (const t of [...targets, ...clients]) expect(t.codeIdentity).toMatch(/^[0-9a-f]{16}$/);
    const byName = new Map(targets.map((t) => [t.name, t.codeIdentity]));
    expect(byName.get('gorilla')).not.toBe(byName.get('aiohttp'));
    expect(byName.get('gorilla')).not.toBe(byName.get('gorilla+deflate')); // the definitions differ
  });
});
