/**
 * Which cases a spec file selects: its "*" is Autobahn's catalogue (517 cases for servers and for clients),
 * and our own groups 0 and 14 run only when a pattern names them, from the list of the spec's role.
 */
import { allCaseIds, autobahnCaseIds, clientCaseIds, isAutobahnCaseId } from '@wsmatrix/cases';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/args.js';
import { clientSpecCaseIds, specCaseIds } from '../src/spec-file.js';

const spec = (cases: string[], excludeCases: string[] = []) => ({ cases, excludeCases });
const inGroup = (ids: readonly string[], group: string) => ids.filter((id) => id.startsWith(`${group}.`));

describe.each([
  ['fuzzingclient (servers)', specCaseIds, allCaseIds],
  ['fuzzingserver (clients)', clientSpecCaseIds, clientCaseIds],
] as const)('a %s spec', (_role, select, catalogue) => {
  const group0 = inGroup(catalogue, '0');
  const group14 = inGroup(catalogue, '14');

  it('"*" is Autobahn\'s 517 cases, without groups 0 and 14', () => {
    expect(group0.length).toBeGreaterThan(0);
    expect(group14).toHaveLength(26);
    expect(select(spec(['*']))).toEqual(autobahnCaseIds);
    expect(autobahnCaseIds).toHaveLength(517);
    // A pattern that only happens to match 14.x ids does not name the group.
    expect(select(spec(['1*'])).some((id) => id.startsWith('14.'))).toBe(false);
  });

  it('"14.*" selects group 14, as "0.*" selects group 0, each alone or beside "*"', () => {
    expect(select(spec(['14.*']))).toEqual(group14);
    expect(select(spec(['0.*']))).toEqual(group0);
    expect(select(spec(['*', '14.*']))).toEqual([...autobahnCaseIds, ...group14]);
    // Every group in numeric id order, as the catalogue lists them.
    expect(select(spec(['*', '14.*', '0.*']))).toEqual(catalogue);
    expect(select(spec(['14.2.*']))).toEqual(inGroup(catalogue, '14.2'));
  });

  it('a literal group 14 id selects that case; exclusions apply to it', () => {
    expect(select(spec(['14.1.1']))).toEqual(['14.1.1']);
    expect(select(spec(['1.1.1', '14.5.4']))).toEqual(['1.1.1', '14.5.4']);
    expect(select(spec(['14.*'], ['14.1.*', '14.5.4']))).toEqual(
      group14.filter((id) => !id.startsWith('14.1.') && id !== '14.5.4'),
    );
    expect(select(spec(['*', '14.*'], ['14.*'])).every(isAutobahnCaseId)).toBe(true);
  });

  it('an unknown literal id is a usage error naming it', () => {
    expect(() => select(spec(['14.9.9']))).toThrow(UsageError);
    expect(() => select(spec(['14.9.9']))).toThrow(/unknown case id "14\.9\.9"/);
  });
});
