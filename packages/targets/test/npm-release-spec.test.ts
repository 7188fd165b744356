import { describe, expect, test } from 'vitest';
import { InvalidReleaseSpecError, isReleaseSpec, parseReleaseSpec } from '../src/index.js';
import { compareVersions, newestVersion } from '../src/npm-release/versions.js';

describe('NAME@VERSION: what parses and what is one clear error', () => {
  const accepted: Array<[string, { name: string; version: string; exact: boolean }]> = [
    ['ws@6.2.2', { name: 'ws', version: '6.2.2', exact: true }],
    ['ws@1.1.5', { name: 'ws', version: '1.1.5', exact: true }],
    ['bun@1.2.0-canary.3', { name: 'bun', version: '1.2.0-canary.3', exact: true }],
    ['ws+deflate@8.0.0', { name: 'ws+deflate', version: '8.0.0', exact: true }],
    ['faye-websocket@0.11.4', { name: 'faye-websocket', version: '0.11.4', exact: true }],
    ['@scope/lib@2.0.1', { name: '@scope/lib', version: '2.0.1', exact: true }],
    ['ws@6', { name: 'ws', version: '6', exact: false }],
    ['ws@6.x', { name: 'ws', version: '6.x', exact: false }],
    ['ws@^7.4', { name: 'ws', version: '^7.4', exact: false }],
    ['ws@~1.1.0', { name: 'ws', version: '~1.1.0', exact: false }],
    ['ws@>=8 <8.1', { name: 'ws', version: '>=8 <8.1', exact: false }],
    ['ws@6 || 7', { name: 'ws', version: '6 || 7', exact: false }],
    ['ws@*', { name: 'ws', version: '*', exact: false }],
    ['bun@latest', { name: 'bun', version: 'latest', exact: false }],
    ['deno@next', { name: 'deno', version: 'next', exact: false }],
  ];
  for (const [spec, want] of accepted) {
    test(`${spec} → ${want.name} ${want.version}${want.exact ? ' (exact)' : ' (npm resolves it)'}`, () => {
      expect(isReleaseSpec(spec)).toBe(true);
      expect(parseReleaseSpec(spec)).toEqual({ spec, ...want });
    });
  }

  const rejected: Array<[string, string]> = [
    ['ws@', 'invalid release "ws@": no version after the @ (e.g. ws@1.2.3)'],
    [
      'ws@not a version',
      'invalid release "ws@not a version": "not a version" is not a version, a range or a dist-tag ' +
        '(e.g. ws@1.2.3, ws@1, ws@latest)',
    ],
    [
      'ws@6..2',
      'invalid release "ws@6..2": "6..2" is not a version, a range or a dist-tag (e.g. ws@1.2.3, ws@1, ws@latest)',
    ],
    ['ws@<', 'invalid release "ws@<": "<" is not a version, a range or a dist-tag (e.g. ws@1.2.3, ws@1, ws@latest)'],
    ['WS@1.0.0', 'invalid release "WS@1.0.0": "WS" is not a target or npm package name'],
    ['w s@1.0.0', 'invalid release "w s@1.0.0": "w s" is not a target or npm package name'],
    ['ws@@1.0.0', 'invalid release "ws@@1.0.0": "ws@" is not a target or npm package name'],
  ];
  for (const [spec, message] of rejected) {
    test(`${JSON.stringify(spec)} is rejected in one line`, () => {
      expect(() => parseReleaseSpec(spec)).toThrow(InvalidReleaseSpecError);
      expect(() => parseReleaseSpec(spec)).toThrow(message);
      expect(message).not.toContain('\n');
    });
  }

  test('a plain name, or a scope without a version, is not a release', () => {
    for (const name of ['ws', 'ws+deflate', 'python-websockets', '@scope/lib']) expect(isReleaseSpec(name)).toBe(false);
  });
});

describe('versions compare as npm orders them', () => {
  const ordered = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0',
    '1.0.1',
  ];
  test('semver precedence, pre-releases before their release', () => {
    for (let i = 1; i < ordered.length; i++) {
      expect(compareVersions(ordered[i - 1]!, ordered[i]!)).toBeLessThan(0);
      expect(compareVersions(ordered[i]!, ordered[i - 1]!)).toBeGreaterThan(0);
    }
    expect(compareVersions('6.2.2', '6.2.2')).toBe(0);
  });

  test('numerically, not as text, in the order npm view lists them', () => {
    expect(newestVersion(['6.1.4', '6.1.3', '6.2.9', '6.2.10', '6.10.0-rc.1'])).toBe('6.10.0-rc.1');
    expect(newestVersion(['6.1.4', '6.1.3', '6.2.9', '6.2.10'])).toBe('6.2.10');
    expect(newestVersion([])).toBeUndefined();
  });
});
