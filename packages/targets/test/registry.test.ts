import { describe, expect, test } from 'vitest';
import { MAX_MESSAGE_SIZE, UnknownTargetError, findPackage, getTarget, targetNames } from '../src/index.js';
import { expectedUwsBuild } from './uws-expected.js';

describe('registry', () => {
  test('lists core, ws, ws7, uws and the compressed variants in report order', () => {
    expect(targetNames).toEqual([
      'core',
      'ws',
      'ws7',
      'uws',
      'core+deflate',
      'ws+deflate',
      'uws+deflate',
      'uws+deflate-dedicated',
    ]);
    expect(Object.isFrozen(targetNames)).toBe(true);
  });

  test('an unknown name throws UnknownTargetError listing the valid names', () => {
    expect(() => getTarget('foo')).toThrow(UnknownTargetError);
    expect(() => getTarget('foo')).toThrow(
      'unknown target "foo" (expected one of: ' +
        'core, ws, ws7, uws, core+deflate, ws+deflate, uws+deflate, uws+deflate-dedicated)',
    );
    expect(() => getTarget('toString')).toThrow(UnknownTargetError);
    try {
      getTarget('foo');
    } catch (err) {
      expect(err).toMatchObject({
        target: 'foo',
        validNames: ['core', 'ws', 'ws7', 'uws', 'core+deflate', 'ws+deflate', 'uws+deflate', 'uws+deflate-dedicated'],
      });
    }
  });

  test('every target describes itself without starting (core need not be importable yet)', () => {
    for (const name of targetNames) {
      const t = getTarget(name);
      expect(t.name).toBe(name);
      // uws where no native build runs on this Node: no version, its reason in the uws tests.
      const runs = !name.startsWith('uws') || expectedUwsBuild() !== undefined;
      expect(t.version).toMatch(runs ? /^\d+\.\d+\.\d+/ : /^unavailable$/);
      expect(typeof t.start).toBe('function');
    }
  });

  test("versions come from each implementation's own package.json", () => {
    expect(getTarget('ws').version).toBe(findPackage('ws').version);
    expect(getTarget('ws').version).toMatch(/^8\./);
    expect(getTarget('uws').version).toBe(expectedUwsBuild()?.uwsVersion ?? 'unavailable');
    expect(findPackage('uWebSockets.js').name).toBe('@trufflesuite/uws-js-unofficial');
    expect(findPackage('uws-binaries').name).toBe('@based/uws');
    expect(getTarget('core').version).toBe(findPackage('@wsmatrix/core').version);
    expect(getTarget('core').implementation).toBe('@wsmatrix/core');
  });

  test('findPackage names a missing package clearly', () => {
    expect(() => findPackage('@wsmatrix/no-such-package')).toThrow(/"@wsmatrix\/no-such-package" is not installed/);
  });

  test('options: 32 MiB limit, no compression, every limit that can cut a message is recorded', () => {
    expect(MAX_MESSAGE_SIZE).toBe(32 * 1024 * 1024);
    expect(getTarget('ws').options).toMatchObject({
      maxPayload: MAX_MESSAGE_SIZE,
      maxFragments: MAX_MESSAGE_SIZE,
      maxBufferedChunks: MAX_MESSAGE_SIZE,
      perMessageDeflate: false,
    });
    expect(getTarget('uws').options).toMatchObject({
      maxPayloadLength: MAX_MESSAGE_SIZE,
      compression: 'DISABLED',
      idleTimeout: 0,
      maxBackpressure: 2 * MAX_MESSAGE_SIZE,
    });
    expect(getTarget('core').options).toEqual({ maxMessageSize: MAX_MESSAGE_SIZE });
  });

  test('compressed variants: same implementations with permessage-deflate on', () => {
    expect(getTarget('core+deflate').options).toEqual({ maxMessageSize: MAX_MESSAGE_SIZE, perMessageDeflate: true });
    expect(getTarget('ws+deflate').options).toMatchObject({ maxPayload: MAX_MESSAGE_SIZE, perMessageDeflate: true });
    expect(getTarget('ws+deflate').version).toBe(getTarget('ws').version);
    expect(getTarget('uws+deflate').options).toMatchObject({ compression: 'SHARED_COMPRESSOR | SHARED_DECOMPRESSOR' });
    expect(getTarget('uws+deflate-dedicated').options).toMatchObject({
      compression: 'DEDICATED_COMPRESSOR_256KB | DEDICATED_DECOMPRESSOR',
    });
  });

  test('each call returns a fresh target object', () => {
    expect(getTarget('ws')).not.toBe(getTarget('ws'));
  });
});
