import { describe, expect, it } from 'vitest';
import { caseGroups, groupTitle, groupsOfCase, payloadBytes, payloadLength } from '../src/index.js';

describe('payloadBytes / payloadLength', () => {
  it('expands text as UTF-8', () => {
    expect(payloadBytes('h\u00e9').toString('hex')).toBe('68c3a9');
    expect(payloadLength('h\u00e9')).toBe(3);
    expect(payloadLength('')).toBe(0);
  });

  it('expands hex', () => {
    expect(payloadBytes({ hex: '00FFfe' }).toString('hex')).toBe('00fffe');
    expect(payloadLength({ hex: '00fffe' })).toBe(3);
    expect(() => payloadBytes({ hex: 'abc' })).toThrow(/invalid hex/);
    expect(() => payloadBytes({ hex: 'zz' })).toThrow(/invalid hex/);
    expect(() => payloadLength({ hex: 'abc' })).toThrow(/invalid hex/);
  });

  it('repeats a pattern and cuts the last repetition, like payload_len', () => {
    expect(payloadBytes({ repeat: 'abc', length: 7 }).toString()).toBe('abcabca');
    expect(payloadBytes({ repeat: { hex: '00fe' }, length: 3 }).toString('hex')).toBe('00fe00');
    expect(payloadBytes({ repeat: '*', length: 0 }).length).toBe(0);
    expect(payloadLength({ repeat: 'abc', length: 16 * 1024 * 1024 })).toBe(16 * 1024 * 1024);
    const big = payloadBytes({ repeat: 'BAsd7&jh23', length: 1024 * 1024 + 3 });
    expect(big.length).toBe(1024 * 1024 + 3);
    expect(big.subarray(-3).toString()).toBe('jh2'); // 1048579 = 104857 * 10 + 9
  });

  it('rejects an empty pattern and bad lengths', () => {
    expect(() => payloadBytes({ repeat: '', length: 3 })).toThrow(/empty pattern/);
    expect(() => payloadLength({ repeat: { hex: '' }, length: 3 })).toThrow(/empty pattern/);
    expect(() => payloadBytes({ repeat: 'a', length: -1 })).toThrow(/invalid repeat length/);
    expect(() => payloadBytes({ repeat: 'a', length: 1.5 })).toThrow(/invalid repeat length/);
  });

  it('returns a fresh buffer each call', () => {
    const a = payloadBytes({ repeat: 'x', length: 4 });
    a[0] = 0;
    expect(payloadBytes({ repeat: 'x', length: 4 }).toString()).toBe('xxxx');
  });
});

describe('group titles', () => {
  it('names categories and sub-categories as Autobahn does', () => {
    expect(groupTitle('1')).toBe('Framing');
    expect(groupTitle('1.1')).toBe('Text Messages');
    expect(groupTitle('1.2')).toBe('Binary Messages');
    expect(groupTitle('2')).toBe('Pings/Pongs');
    expect(groupTitle('6')).toBe('UTF-8 Handling');
    expect(groupTitle('6.4')).toBe('Fail-fast on invalid UTF-8');
    expect(groupTitle('6.5')).toBe('Some valid UTF-8 sequences');
    expect(groupTitle('6.23')).toBe('Unicode specials (i.e. replacement char)');
    expect(groupTitle('7.13')).toBe('Informational close information (fuzzer initiated)');
    expect(groupTitle('9')).toBe('Limits/Performance');
    expect(groupTitle('9.8')).toBe('Binary Message Roundtrip Time (fixed number, increasing size)');
    expect(groupTitle('10')).toBe('Misc');
    expect(groupTitle('10.1')).toBe('Auto-Fragmentation');
  });

  it('has no titles for groups without cases', () => {
    for (const id of ['8', '2.1', '7.2', '9.9', '9.10', '11', '12.6', '13.8', '0.12'])
      expect(groupTitle(id)).toBeUndefined();
  });

  it('lists 13 categories and 70 sub-categories (6 + 5 in group 0, 4 + 4 + 19 + 6 + 8 + 1 + 5 + 7, 5 in 14)', () => {
    expect(caseGroups.filter((g) => !g.id.includes('.'))).toHaveLength(13);
    expect(caseGroups.filter((g) => g.id.includes('.'))).toHaveLength(70);
    expect(groupTitle('14')).toBe('permessage-deflate Edge Cases');
    expect(groupTitle('14.1')).toBe('RSV1 on a continuation or control frame');
    expect(groupTitle('12.2')).toBe('Picture, bitmap 512x512 greyscale (binary, 263222 bytes)');
    expect(groupTitle('13.7')).toMatch(/\[\(True, 9\), \(True, 0\), \(False, 0\)\]$/);
  });

  it('finds the groups of a case', () => {
    expect(groupsOfCase('6.4.1')).toEqual([
      { id: '6', title: 'UTF-8 Handling' },
      { id: '6.4', title: 'Fail-fast on invalid UTF-8' },
    ]);
    expect(groupsOfCase('2.10')).toEqual([{ id: '2', title: 'Pings/Pongs' }]);
  });
});
