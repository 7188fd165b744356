import { describe, expect, it } from 'vitest';
import { agentCaseExcluded, autobahnCaseIds, compareCaseIds, selectCaseIds } from '../src/index.js';

// Autobahn's ids: the pattern rules are checked against its catalogue (group 0 has its own test).
const ids = [...autobahnCaseIds];

describe('compareCaseIds', () => {
  it('compares numerically, component by component', () => {
    expect(compareCaseIds('1.1.2', '1.1.10')).toBeLessThan(0);
    expect(compareCaseIds('9.8.6', '10.1.1')).toBeLessThan(0);
    expect(compareCaseIds('7.13.1', '7.9.9')).toBeGreaterThan(0);
    expect(compareCaseIds('2.1', '2.1')).toBe(0);
    expect(compareCaseIds('2', '2.1')).toBeLessThan(0);
    expect(['10.1.1', '2.10', '2.9', '1.2.1', '1.1.8'].sort(compareCaseIds)).toEqual([
      '1.1.8',
      '1.2.1',
      '2.9',
      '2.10',
      '10.1.1',
    ]);
  });

  it('rejects non-numeric ids', () => {
    expect(() => compareCaseIds('1.x', '1.1')).toThrow(/dotted list of numbers/);
  });
});

describe('selectCaseIds', () => {
  it('"*" selects everything, sorted', () => {
    expect(selectCaseIds(ids, ['*'], [])).toEqual(ids);
  });

  it('"1.*" matches group 1 but not group 10 (start-anchored, dot literal)', () => {
    const one = selectCaseIds(ids, ['1.*'], []);
    expect(one).toHaveLength(16);
    expect(one.every((id) => id.startsWith('1.'))).toBe(true);
    expect(selectCaseIds(ids, ['10.*'], [])).toEqual(['10.1.1']);
  });

  it('"1*" (no dot) matches 1.x, 10.x, 12.x and 13.x, as re.match does', () => {
    expect(selectCaseIds(ids, ['1*'], [])).toHaveLength(17 + 90 + 126);
    expect(selectCaseIds(ids, ['12.*', '13.*'], [])).toHaveLength(216);
  });

  it('matches only at the start: "*.1" is everything (.* then .1 somewhere), "1.1.*" only 1.1.x', () => {
    expect(selectCaseIds(ids, ['1.1.*'], [])).toEqual([
      '1.1.1',
      '1.1.2',
      '1.1.3',
      '1.1.4',
      '1.1.5',
      '1.1.6',
      '1.1.7',
      '1.1.8',
    ]);
    // "6.1*" also matches 6.10.x-6.19.x (no end anchor)
    const s = selectCaseIds(ids, ['6.1*'], []);
    expect(s).toContain('6.1.1');
    expect(s).toContain('6.19.5');
    expect(s).not.toContain('6.2.1');
  });

  it('takes literals literally and dedupes', () => {
    expect(selectCaseIds(ids, ['2.10', '1.1.1', '2.10'], [])).toEqual(['1.1.1', '2.10']);
  });

  it('throws a clear error on an unknown literal id in the include list', () => {
    expect(() => selectCaseIds(ids, ['1.1.1', '11.1.1'], [])).toThrow(/unknown case id "11\.1\.1"/);
    expect(() => selectCaseIds(ids, ['8.1'], [])).toThrow(/unknown case id/);
  });

  it('a pattern matching nothing is not an error', () => {
    expect(selectCaseIds(ids, ['11.*'], [])).toEqual([]);
    expect(selectCaseIds(ids, ['8.*'], [])).toEqual([]);
  });

  it('subtracts excluded patterns and literals; unknown excluded literals are ignored', () => {
    const r = selectCaseIds(ids, ['*'], ['9.*', '12.*', '13.*', '6.4.3', '99.1']);
    expect(r).toHaveLength(301 - 54 - 1);
    expect(r).not.toContain('6.4.3');
    expect(r).toContain('6.4.4');
    expect(r).toContain('10.1.1');
    expect(selectCaseIds(ids, ['1.*', '2.*'], ['1.*'])).toEqual(ids.filter((id) => id.startsWith('2.')));
    expect(selectCaseIds(ids, ['6.4.1'], ['6.4.*'])).toEqual([]);
  });

  it('does not treat other regex characters as regex', () => {
    expect(selectCaseIds(ids, ['1.1.[1-3]*'], [])).toEqual([]);
  });
});

describe('agentCaseExcluded', () => {
  const spec = {
    'ws*': ['6.4.*', '9.7.1'],
    uWebSockets: ['*'],
    'Agent+1.0': ['2.1'],
  };

  it('anchors agent patterns at both ends', () => {
    expect(agentCaseExcluded(spec, 'ws', '9.7.1')).toBe(true);
    expect(agentCaseExcluded(spec, 'ws/8.18', '9.7.1')).toBe(true);
    expect(agentCaseExcluded(spec, 'node-ws', '9.7.1')).toBe(false);
    expect(agentCaseExcluded(spec, 'uWebSockets', '1.1.1')).toBe(true);
    expect(agentCaseExcluded(spec, 'uWebSockets2', '1.1.1')).toBe(false);
  });

  it('anchors case patterns at both ends', () => {
    expect(agentCaseExcluded(spec, 'ws', '6.4.1')).toBe(true);
    expect(agentCaseExcluded(spec, 'ws', '9.7.10')).toBe(false);
    expect(agentCaseExcluded(spec, 'ws', '9.7.1.1')).toBe(false);
    expect(agentCaseExcluded(spec, 'ws', '6.5.1')).toBe(false);
  });

  it('treats "." literally and other characters literally', () => {
    expect(agentCaseExcluded({ 'a.b': ['1.1.1'] }, 'axb', '1.1.1')).toBe(false);
    expect(agentCaseExcluded({ 'a.b': ['1.1.1'] }, 'a.b', '1x1.1')).toBe(false);
    expect(agentCaseExcluded(spec, 'Agent+1.0', '2.1')).toBe(true);
    expect(agentCaseExcluded(spec, 'Agentt1.0', '2.1')).toBe(false);
  });

  it('is false with no rules', () => {
    expect(agentCaseExcluded({}, 'any', '1.1.1')).toBe(false);
  });
});
