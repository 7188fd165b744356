import { describe, expect, it } from 'vitest';
import { InvalidTargetsFileError, loadCommandTargets, parseTargetsJson } from '../src/index.js';

const base = {
  name: 'x',
  implementation: 'x',
  version: { run: ['echo', '1.0.0'] },
  command: ['x', '{port}'],
};

describe('notApplicable in a targets file', () => {
  it('is parsed and carried to the target', () => {
    const [def] = parseTargetsJson(
      { targets: [{ ...base, notApplicable: { cases: ['0.*'], reason: 'harness handshake' } }] },
      't.json',
    );
    expect(def!.notApplicable).toEqual({ cases: ['0.*'], reason: 'harness handshake' });
  });

  it.each([{ cases: '0.*', reason: 'r' }, { cases: ['0.*'] }, { cases: [], reason: 'r' }, 'all'])(
    'rejects %j',
    (notApplicable) => {
      expect(() => parseTargetsJson({ targets: [{ ...base, notApplicable }] }, 't.json')).toThrow(
        InvalidTargetsFileError,
      );
    },
  );

  it('the shipped wslay target leaves group 0 out, because its handshake is our C harness', () => {
    const wslay = loadCommandTargets().find((t) => t.name === 'wslay')!;
    expect(wslay.notApplicable?.cases).toEqual(['0.*']);
    expect(wslay.notApplicable?.reason).toMatch(/harness/);
    const python = loadCommandTargets().find((t) => t.name === 'python-websockets')!;
    expect(python.notApplicable).toBeUndefined();
  });
});
