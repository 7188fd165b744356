/**
 * Spot checks of facts read from the Autobahn testsuite's case/*.py files (several per group).
 */
import { describe, expect, it } from 'vitest';
import {
  INVALID_CLOSE_CODES,
  VALID_CLOSE_CODES,
  allCases,
  autobahnCases,
  caseById,
  messageFrameSizes,
  payloadBytes,
  payloadLength,
  type CaseDef,
  type PayloadSpec,
  type Step,
} from '../src/index.js';
import { caseDef } from '../testing/index.js';

const MiB = 1024 * 1024;

const hexOf = (spec: PayloadSpec | undefined): string => payloadBytes(spec ?? '').toString('hex');
const kinds = (c: CaseDef): string[] => c.steps.map((s) => s.kind);
function frameAt(c: CaseDef, i: number): Extract<Step, { kind: 'frame' }> {
  const s = c.steps[i];
  if (s?.kind !== 'frame') throw new Error(`${c.id} step ${i} is not a frame`);
  return s;
}
// Autobahn's facts: our groups 0 and 14 are not among them.
const ids = (pred: (c: CaseDef) => boolean): string[] => autobahnCases.filter(pred).map((c) => c.id);

describe('group 1 (framing)', () => {
  it('1.1.1 sends one empty text frame then kills after 1 s', () => {
    const c = caseDef('1.1.1');
    expect(c.steps).toEqual([
      { kind: 'frame', frame: { opcode: 1, payload: { repeat: '*', length: 0 } } },
      { kind: 'killAfter', ms: 1000 },
    ]);
    expect(c.expected).toEqual({ OK: [{ type: 'message', payload: { repeat: '*', length: 0 }, binary: false }] });
    expect(c.expectedClose).toEqual({ closedByMe: true, closeCode: [1000], requireClean: true });
  });

  it('uses Autobahn sizes, fillers, chops and kill timers', () => {
    const sizes = [0, 125, 126, 127, 128, 65535, 65536, 65536];
    const kills = [1000, 1000, 1000, 1000, 1000, 10000, 10000, 10000];
    for (const sub of [1, 2]) {
      sizes.forEach((len, i) => {
        const c = caseDef(`1.${sub}.${i + 1}`);
        const f = frameAt(c, 0);
        expect(f.frame.opcode).toBe(sub === 1 ? 1 : 2);
        expect(payloadLength(f.frame.payload!)).toBe(len);
        if (len > 0) expect(payloadBytes(f.frame.payload!)[len - 1]).toBe(sub === 1 ? 0x2a : 0xfe);
        expect(f.chop).toBe(i === 7 ? 997 : undefined);
        expect(c.steps[1]).toEqual({ kind: 'killAfter', ms: kills[i] });
      });
    }
  });
});

describe('group 2 (pings/pongs)', () => {
  it('2.3 pings with 8 binary octets', () => {
    expect(hexOf(frameAt(caseDef('2.3'), 0).frame.payload)).toBe('00fffefdfcfb00ff');
  });

  it('2.5 sends a 126-octet Ping and expects the server to fail with 1002', () => {
    const c = caseDef('2.5');
    expect(frameAt(c, 0).frame.opcode).toBe(9);
    expect(payloadLength(frameAt(c, 0).frame.payload!)).toBe(126);
    expect(c.expected).toEqual({ OK: [] });
    expect(c.expectedClose).toEqual({ closedByMe: false, closeCode: [1002], requireClean: false });
    expect(c.steps.at(-1)).toEqual({ kind: 'killAfter', ms: 1000 });
  });

  it('2.6 trickles the Ping octet by octet and waits 2 s', () => {
    const c = caseDef('2.6');
    expect(frameAt(c, 0).chop).toBe(1);
    expect(c.steps.at(-1)).toEqual({ kind: 'closeAfter', ms: 2000 });
  });

  it('2.7 and 2.8 send a Pong, then a Close with 1000, then closeAfter 1 s', () => {
    for (const id of ['2.7', '2.8']) {
      const c = caseDef(id);
      expect(kinds(c)).toEqual(['frame', 'close', 'closeAfter']);
      expect(frameAt(c, 0).frame.opcode).toBe(10);
      expect(c.steps[1]).toEqual({ kind: 'close', code: 1000 });
      expect(c.expected).toEqual({ OK: [] });
    }
    expect(frameAt(caseDef('2.8'), 0).frame.payload).toBe('unsolicited pong payload');
  });

  it('2.10 sends 10 pings then closeAfter 3 s; 2.11 the same octet-wise', () => {
    for (const [id, chop] of [
      ['2.10', undefined],
      ['2.11', 1],
    ] as const) {
      const c = caseDef(id);
      expect(kinds(c)).toEqual([...new Array(10).fill('frame'), 'closeAfter']);
      expect(c.steps[10]).toEqual({ kind: 'closeAfter', ms: 3000 });
      for (let i = 0; i < 10; i++) {
        const f = frameAt(c, i);
        expect(f.frame.opcode).toBe(9);
        expect(f.frame.payload).toBe(`payload-${i}`);
        expect(f.chop).toBe(chop);
      }
      expect(c.expected.OK).toEqual(Array.from({ length: 10 }, (_, i) => ({ type: 'pong', payload: `payload-${i}` })));
    }
  });
});

describe('group 3 (reserved bits)', () => {
  it('uses RSV 1..7 in order on the offending frame', () => {
    const offending = [0, 1, 1, 1, 0, 0, 0];
    for (const [i, idx] of offending.entries()) expect(frameAt(caseDef(`3.${i + 1}`), idx).frame.rsv).toBe(i + 1);
  });

  it('3.3 is frame-wise sync, 3.4 octet-wise chop, both with an echo-or-nothing verdict', () => {
    const c33 = caseDef('3.3');
    const c34 = caseDef('3.4');
    for (let i = 0; i < 3; i++) {
      expect(frameAt(c33, i).sync).toBe(true);
      expect(frameAt(c33, i).chop).toBeUndefined();
      expect(frameAt(c34, i).chop).toBe(1);
      expect(frameAt(c34, i).sync).toBeUndefined();
    }
    expect(c34.expected).toEqual({
      OK: [{ type: 'message', payload: 'Hello, world!', binary: false }],
      'NON-STRICT': [],
    });
  });

  it('3.6 sends opcode 2 (binary) despite its "Ping" title; 3.7 a raw Close frame', () => {
    expect(frameAt(caseDef('3.6'), 0).frame).toEqual({ opcode: 2, payload: 'Hello, world!', rsv: 6 });
    expect(frameAt(caseDef('3.7'), 0).frame).toEqual({ opcode: 8, rsv: 7 });
    expect(hexOf(frameAt(caseDef('3.5'), 0).frame.payload)).toBe('00fffefdfcfb00ff');
  });
});

describe('group 4 (opcodes)', () => {
  it('uses reserved opcodes 3-7 and 11-15', () => {
    const expected: Record<string, number> = {
      '4.1.1': 3,
      '4.1.2': 4,
      '4.1.3': 5,
      '4.1.4': 6,
      '4.1.5': 7,
      '4.2.1': 11,
      '4.2.2': 12,
      '4.2.3': 13,
      '4.2.4': 14,
      '4.2.5': 15,
    };
    for (const [id, op] of Object.entries(expected)) {
      const c = caseDef(id);
      const idx = id.endsWith('.1') || id.endsWith('.2') ? 0 : 1;
      expect(frameAt(c, idx).frame.opcode, id).toBe(op);
      expect(c.expectedClose.closeCode).toEqual([1002]);
    }
    expect(frameAt(caseDef('4.1.2'), 0).frame.payload).toBe('reserved opcode payload');
    expect(frameAt(caseDef('4.2.3'), 1).frame.payload).toBeUndefined();
    expect(frameAt(caseDef('4.2.4'), 1).frame.payload).toBe('Hello, world!');
  });

  it('4.1.5 and 4.2.5 are octet-wise chops', () => {
    for (const id of ['4.1.5', '4.2.5']) {
      const c = caseDef(id);
      for (let i = 0; i < 3; i++) expect(frameAt(c, i).chop).toBe(1);
    }
    for (let i = 0; i < 3; i++) expect(frameAt(caseDef('4.1.4'), i).chop).toBeUndefined();
  });
});

describe('group 5 (fragmentation)', () => {
  it('5.1 fragments a Ping', () => {
    const c = caseDef('5.1');
    expect(frameAt(c, 0).frame).toEqual({ opcode: 9, payload: 'fragment1', fin: false });
    expect(frameAt(c, 1).frame).toEqual({ opcode: 0, payload: 'fragment2', fin: true });
  });

  it('5.6-5.8 expect the Pong before the message', () => {
    for (const id of ['5.6', '5.7', '5.8']) {
      expect(caseDef(id).expected.OK).toEqual([
        { type: 'pong', payload: 'ping payload' },
        { type: 'message', payload: 'fragment1fragment2', binary: false },
      ]);
    }
    expect(frameAt(caseDef('5.7'), 1).sync).toBe(true);
    expect(frameAt(caseDef('5.8'), 2).chop).toBe(1);
  });

  it('5.16 repeats its three frames twice; 5.17 with a FIN continuation first', () => {
    const c16 = caseDef('5.16');
    const c17 = caseDef('5.17');
    expect(kinds(c16)).toEqual(['frame', 'frame', 'frame', 'frame', 'frame', 'frame', 'killAfter']);
    expect(frameAt(c16, 3).frame).toEqual({ opcode: 0, payload: 'fragment1', fin: false });
    expect(frameAt(c17, 3).frame).toEqual({ opcode: 0, payload: 'fragment1', fin: true });
  });

  it('5.19 pauses 1 s (no marker) mid-message; 5.20 is identical with sync on every frame', () => {
    const c19 = caseDef('5.19');
    const c20 = caseDef('5.20');
    expect(kinds(c19)).toEqual(['frame', 'frame', 'frame', 'wait', 'frame', 'frame', 'frame', 'frame', 'closeAfter']);
    expect(c19.steps[3]).toEqual({ kind: 'wait', ms: 1000 });
    expect(c19.steps[8]).toEqual({ kind: 'closeAfter', ms: 1000 });
    expect(frameAt(c19, 2).frame).toEqual({ opcode: 9, payload: 'pongme 1!', fin: true });
    expect(frameAt(c19, 6).frame).toEqual({ opcode: 9, payload: 'pongme 2!', fin: true });
    expect(c19.expected.OK).toEqual([
      { type: 'pong', payload: 'pongme 1!' },
      { type: 'pong', payload: 'pongme 2!' },
      { type: 'message', payload: 'fragment1fragment2fragment3fragment4fragment5', binary: false },
    ]);
    c20.steps.forEach((s, i) => {
      if (s.kind === 'frame') {
        expect(s.sync).toBe(true);
        expect(s.frame).toEqual(frameAt(c19, i).frame);
      } else {
        expect(s).toEqual(c19.steps[i]);
      }
    });
    for (const s of c19.steps) if (s.kind === 'frame') expect(s.sync).toBeUndefined();
  });
});

describe('group 6 (UTF-8)', () => {
  it('6.4.1 sends three frames cebae1bdb9cf83cebcceb5 | f4908080 | 656469746564 with marked waits', () => {
    const c = caseDef('6.4.1');
    expect(kinds(c)).toEqual(['frame', 'wait', 'frame', 'wait', 'frame', 'killAfter']);
    expect(hexOf(frameAt(c, 0).frame.payload)).toBe('cebae1bdb9cf83cebcceb5');
    expect(hexOf(frameAt(c, 2).frame.payload)).toBe('f4908080');
    expect(hexOf(frameAt(c, 4).frame.payload)).toBe('656469746564');
    expect([frameAt(c, 0), frameAt(c, 2), frameAt(c, 4)].map((f) => [f.frame.opcode, f.frame.fin])).toEqual([
      [1, false],
      [0, false],
      [0, true],
    ]);
    expect(c.steps[1]).toEqual({ kind: 'wait', ms: 1000, marker: 'A', requireOpen: true });
    expect(c.steps[3]).toEqual({ kind: 'wait', ms: 1000, marker: 'B', requireOpen: true });
    expect(c.steps[5]).toEqual({ kind: 'killAfter', ms: 1000 });
    expect(c.expected).toEqual({
      OK: [{ type: 'timeout', marker: 'A' }],
      'NON-STRICT': [
        { type: 'timeout', marker: 'A' },
        { type: 'timeout', marker: 'B' },
      ],
    });
    expect(c.expectedClose).toEqual({
      closedByMe: false,
      closeCode: [1007],
      requireClean: false,
      closedByWrongEndpointIsFatal: true,
    });
  });

  it('6.4.2 splits right after f4: ...f4 | 90 | 8080656469746564', () => {
    const c = caseDef('6.4.2');
    expect(hexOf(frameAt(c, 0).frame.payload)).toBe('cebae1bdb9cf83cebcceb5f4');
    expect(hexOf(frameAt(c, 2).frame.payload)).toBe('90');
    expect(hexOf(frameAt(c, 4).frame.payload)).toBe('8080656469746564');
  });

  it('6.4.3 / 6.4.4 write ONE frame in three parts, then end the message with an empty FIN continuation', () => {
    for (const [id, parts] of [
      ['6.4.3', [11, 4, 6]],
      ['6.4.4', [12, 1, 8]],
    ] as const) {
      const c = caseDef(id);
      expect(kinds(c)).toEqual(['frameParts', 'frame', 'killAfter']);
      const fp = c.steps[0] as Extract<Step, { kind: 'frameParts' }>;
      expect(fp.frame.opcode).toBe(1);
      expect(fp.frame.fin).toBe(false);
      expect(hexOf(fp.frame.payload)).toBe('cebae1bdb9cf83cebcceb5f4908080656469746564');
      expect(fp.parts).toEqual(parts);
      expect(fp.waits).toEqual([
        { ms: 1000, marker: 'A', requireOpen: true },
        { ms: 1000, marker: 'B', requireOpen: true },
      ]);
      expect(frameAt(c, 1).frame).toEqual({ opcode: 0, fin: true });
      expect(c.expected).toEqual(caseDef('6.4.1').expected);
    }
  });

  it('6.2.x and 6.3.x use the library message path with 1-octet fragments where Autobahn does', () => {
    expect(caseDef('6.2.1').steps[0]).toEqual({
      kind: 'message',
      binary: false,
      payload: { hex: '48656c6c6f2dc2b540c39fc3b6c3a4c3bcc3a0c3a12d5554462d382121' },
    });
    expect(payloadBytes((caseDef('6.2.1').steps[0] as { payload: PayloadSpec }).payload).toString('utf8')).toBe(
      'Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!',
    );
    for (const id of ['6.2.3', '6.2.4', '6.3.2'])
      expect((caseDef(id).steps[0] as { fragmentSize?: number }).fragmentSize).toBe(1);
    for (const id of ['6.2.1', '6.3.1'])
      expect((caseDef(id).steps[0] as { fragmentSize?: number }).fragmentSize).toBeUndefined();
    expect(hexOf((caseDef('6.3.1').steps[0] as { payload: PayloadSpec }).payload)).toBe(
      'cebae1bdb9cf83cebcceb5eda080656469746564',
    );
    expect(caseDef('6.3.1').steps[1]).toEqual({ kind: 'killAfter', ms: 1000 });
    expect(caseDef('6.2.2').steps.map((s) => (s.kind === 'frame' ? hexOf(s.frame.payload) : s.kind))).toEqual([
      '48656c6c6f2dc2b540c39fc3b6c3a4',
      'c3bcc3a0c3a12d5554462d382121',
      'closeAfter',
    ]);
  });

  it('every invalid-UTF-8 case expects 1007 from the server with closedByWrongEndpointIsFatal', () => {
    const invalid = ids((c) => c.expectedClose.closeCode.includes(1007) && !c.expectedClose.closedByMe);
    const fatal = ids((c) => c.expectedClose.closedByWrongEndpointIsFatal === true);
    expect(fatal).toEqual(invalid);
    for (const id of fatal) {
      const c = caseDef(id);
      expect(id.startsWith('6.')).toBe(true);
      expect(c.expectedClose).toEqual({
        closedByMe: false,
        closeCode: [1007],
        requireClean: false,
        closedByWrongEndpointIsFatal: true,
      });
    }
    // 6.3.1, 6.3.2, 6.4.1-6.4.4 plus the invalid generated sequences
    expect(fatal.filter((id) => /^6\.[34]\./.test(id))).toEqual(['6.3.1', '6.3.2', '6.4.1', '6.4.2', '6.4.3', '6.4.4']);
    expect(fatal.length).toBe(6 + 69);
  });

  it('generated 6.5-6.23 cases send one text message and kill after 500 ms', () => {
    const gen = allCases.filter((c) => /^6\.(\d+)\./.test(c.id) && Number(c.id.split('.')[1]) >= 5);
    expect(gen).toHaveLength(132);
    for (const c of gen) {
      expect(kinds(c)).toEqual(['message', 'killAfter']);
      expect(c.steps[1]).toEqual({ kind: 'killAfter', ms: 500 });
      const m = c.steps[0] as Extract<Step, { kind: 'message' }>;
      expect(m.binary).toBe(false);
      expect(m.fragmentSize).toBeUndefined();
      if (c.expectedClose.closedByMe) {
        expect(c.expected.OK).toEqual([{ type: 'message', payload: m.payload, binary: false }]);
        expect(c.expectedClose).toEqual({ closedByMe: true, closeCode: [1000], requireClean: true });
      } else {
        expect(c.expected.OK).toEqual([]);
      }
    }
  });
});

describe('group 7 (close handling)', () => {
  it('7.7.x send the valid codes and accept 1000 or the echo, clean', () => {
    expect([...VALID_CLOSE_CODES]).toEqual([
      1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
    ]);
    VALID_CLOSE_CODES.forEach((code, i) => {
      const c = caseDef(`7.7.${i + 1}`);
      expect(c.steps).toEqual([
        { kind: 'close', code },
        { kind: 'killAfter', ms: 1000 },
      ]);
      expect(c.expectedClose).toEqual({ closedByMe: true, closeCode: [1000, code], requireClean: true });
      expect(c.wrongCodeFails).toBe(true);
      expect(c.suppressClose).toBeUndefined();
    });
    expect(caseById('7.7.14')).toBeUndefined();
  });

  it('7.9.x send the invalid codes and expect 1002, clean not required', () => {
    expect([...INVALID_CLOSE_CODES]).toEqual([0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]);
    INVALID_CLOSE_CODES.forEach((code, i) => {
      const c = caseDef(`7.9.${i + 1}`);
      expect(c.steps).toEqual([
        { kind: 'close', code },
        { kind: 'killAfter', ms: 1000 },
      ]);
      expect(c.expectedClose).toEqual({ closedByMe: true, closeCode: [1002], requireClean: false });
      expect(c.wrongCodeFails).toBe(true);
    });
    expect(caseById('7.9.10')).toBeUndefined();
  });

  it('flags WRONG CODE => FAILED, suppressClose and INFORMATIONAL exactly where Autobahn does', () => {
    const wrong = ids((c) => c.wrongCodeFails === true);
    expect(wrong).toEqual([
      '7.1.1',
      '7.1.2',
      '7.1.3',
      '7.1.4',
      '7.1.5',
      '7.3.1',
      '7.3.2',
      '7.3.3',
      '7.3.4',
      '7.3.5',
      '7.3.6',
      '7.5.1',
      ...VALID_CLOSE_CODES.map((_, i) => `7.7.${i + 1}`),
      ...INVALID_CLOSE_CODES.map((_, i) => `7.9.${i + 1}`),
    ]);
    expect(ids((c) => c.suppressClose === true)).toEqual([
      '7.1.2',
      '7.1.3',
      '7.1.4',
      '7.1.5',
      '7.1.6',
      '7.3.1',
      '7.3.2',
      '7.3.3',
      '7.3.4',
      '7.3.5',
      '7.3.6',
      '7.5.1',
      '7.13.1',
      '7.13.2',
    ]);
    expect(ids((c) => c.informational === true)).toEqual(['7.1.6', '7.13.1', '7.13.2']);
  });

  it('7.1.2-7.1.5 keep sending raw frames after their Close', () => {
    expect(caseDef('7.1.2').steps).toEqual([
      { kind: 'close', code: 1000 },
      { kind: 'frame', frame: { opcode: 8 } },
      { kind: 'killAfter', ms: 1000 },
    ]);
    expect(caseDef('7.1.3').steps[1]).toEqual({ kind: 'frame', frame: { opcode: 9 } });
    expect(caseDef('7.1.4').steps[1]).toEqual({ kind: 'frame', frame: { opcode: 1, payload: 'Hello World!' } });
    expect(kinds(caseDef('7.1.5'))).toEqual(['frame', 'close', 'frame', 'killAfter']);
  });

  it('7.1.6 sends 256 KiB of "BAsd7&jh23", "Hello World!", Close 1000, Ping', () => {
    const c = caseDef('7.1.6');
    expect(kinds(c)).toEqual(['frame', 'frame', 'close', 'frame', 'killAfter']);
    const big = payloadBytes(frameAt(c, 0).frame.payload!);
    expect(big.length).toBe(262144);
    expect(big.subarray(0, 20).toString()).toBe('BAsd7&jh23BAsd7&jh23');
    expect(big.subarray(262140).toString()).toBe('BAsd'); // 262144 = 26214 * 10 + 4
    expect(c.expected).toEqual({ OK: [{ type: 'message', payload: 'Hello World!', binary: false }], 'NON-STRICT': [] });
  });

  it('7.3.x close payload lengths 0, 1, 2, 14, 125, 126', () => {
    const lens = ['7.3.1', '7.3.2', '7.3.3', '7.3.4', '7.3.5', '7.3.6'].map((id) => {
      const s = caseDef(id).steps[0] as Extract<Step, { kind: 'close' }>;
      return (s.code === undefined ? 0 : 2) + (s.reason === undefined ? 0 : payloadLength(s.reason));
    });
    expect(lens).toEqual([0, 1, 2, 14, 125, 126]);
    expect(caseDef('7.3.2').steps[0]).toEqual({ kind: 'close', reason: 'a' });
    expect(caseDef('7.3.2').expectedClose).toEqual({ closedByMe: true, closeCode: [1002], requireClean: false });
    expect(caseDef('7.3.6').expectedClose.requireClean).toBe(false);
    expect(caseDef('7.3.5').expectedClose.requireClean).toBe(true);
  });

  it('7.5.1 sends an invalid UTF-8 reason and accepts 1002 or 1007', () => {
    const c = caseDef('7.5.1');
    const s = c.steps[0] as Extract<Step, { kind: 'close' }>;
    expect(s.code).toBe(1000);
    expect(hexOf(s.reason)).toBe('cebae1bdb9cf83cebcceb5eda080656469746564');
    expect(c.expectedClose.closeCode).toEqual([1002, 1007]);
  });

  it('7.13.1 / 7.13.2 send 5000 / 65535', () => {
    expect(caseDef('7.13.1').steps[0]).toEqual({ kind: 'close', code: 5000 });
    expect(caseDef('7.13.2').steps[0]).toEqual({ kind: 'close', code: 65535 });
    expect(caseDef('7.13.2').expectedClose.closeCode).toEqual([1000, 65535, 1002]);
  });
});

describe('group 9 (limits/performance)', () => {
  const echo = (id: string) => {
    const e = caseDef(id).echoTiming;
    if (!e) throw new Error(`${id} has no echoTiming`);
    return e;
  };

  it('9.1.x / 9.2.x sizes and waits', () => {
    const sizes = [64 * 1024, 256 * 1024, MiB, 4 * MiB, 8 * MiB, 16 * MiB];
    expect(sizes.map((_, i) => payloadLength(echo(`9.1.${i + 1}`).payload))).toEqual(sizes);
    expect(sizes.map((_, i) => payloadLength(echo(`9.2.${i + 1}`).payload))).toEqual(sizes);
    expect(sizes.map((_, i) => echo(`9.1.${i + 1}`).timeoutMs)).toEqual([10e3, 10e3, 100e3, 100e3, 100e3, 100e3]);
    expect(sizes.map((_, i) => echo(`9.2.${i + 1}`).timeoutMs)).toEqual([10e3, 10e3, 10e3, 10e3, 100e3, 100e3]);
    const e916 = echo('9.1.6');
    expect(e916).toMatchObject({ binary: false, count: 1, timeoutMs: 100_000 });
    expect(payloadLength(e916.payload)).toBe(16 * MiB);
    expect(payloadBytes(echo('9.1.1').payload).subarray(0, 10).toString()).toBe('BAsd7&jh23');
    expect(payloadBytes(echo('9.2.1').payload).subarray(0, 6).toString('hex')).toBe('00fe23faf000');
    expect(echo('9.2.1').binary).toBe(true);
  });

  it('9.3.x / 9.4.x fragment 4 MiB messages with increasing fragment sizes', () => {
    const frags = [64, 256, 1024, 4096, 16384, 65536, 262144, MiB, 4 * MiB];
    frags.forEach((fs, i) => {
      for (const sub of [3, 4]) {
        const e = echo(`9.${sub}.${i + 1}`);
        expect(e.fragmentSize).toBe(fs);
        expect(e.chop).toBeUndefined();
        expect(e.binary).toBe(sub === 4);
        expect(payloadLength(e.payload)).toBe(4 * MiB);
        expect(e.timeoutMs).toBe(100_000);
      }
    });
    expect(payloadBytes(echo('9.4.1').payload)[0]).toBe(0xfe);
    expect(payloadBytes(echo('9.4.2').payload)[0]).toBe(0x2a);
  });

  it('9.5.x / 9.6.x chop 1 MiB single frames with a 1000 s wait', () => {
    [64, 128, 256, 512, 1024, 2048].forEach((chop, i) => {
      for (const sub of [5, 6]) {
        const e = echo(`9.${sub}.${i + 1}`);
        expect(e).toMatchObject({ chop, count: 1, timeoutMs: 1_000_000, binary: sub === 6 });
        expect(e.fragmentSize).toBeUndefined();
        expect(payloadLength(e.payload)).toBe(MiB);
      }
    });
  });

  it('9.7.x / 9.8.x send 1000 messages each with per-size timeouts', () => {
    const sizes = [0, 16, 64, 256, 1024, 4096];
    const secs = [60, 60, 60, 120, 240, 480];
    sizes.forEach((len, i) => {
      for (const sub of [7, 8]) {
        const e = echo(`9.${sub}.${i + 1}`);
        expect(e.count).toBe(1000);
        expect(e.timeoutMs).toBe(secs[i]! * 1000);
        expect(e.binary).toBe(sub === 8);
        expect(payloadLength(e.payload)).toBe(len);
        if (len > 0) expect(payloadBytes(e.payload)[0]).toBe(sub === 8 ? 0xfe : 0x2a);
      }
    });
  });

  it('every 9.x case expects a clean 1000 close started by the runner', () => {
    for (const c of allCases.filter((x) => x.id.startsWith('9.'))) {
      expect(c.expectedClose).toEqual({ closedByMe: true, closeCode: [1000], requireClean: true });
    }
  });
});

describe('group 10 (auto-fragmentation)', () => {
  it('10.1.1 sends 64 KiB in 1300-octet fragments and checks its own frame counts', () => {
    const c = caseDef('10.1.1');
    expect(c.steps).toEqual([
      { kind: 'message', binary: false, payload: { repeat: '*', length: 65536 }, fragmentSize: 1300 },
      { kind: 'killAfter', ms: 10000 },
    ]);
    expect(c.expectTxFrames).toEqual({ 0: 50, 1: 1 });
    const sizes = messageFrameSizes(65536, 1300);
    expect(sizes).toHaveLength(51);
    expect(sizes.at(-1)).toBe(536);
    // first frame is the text frame, the rest continuations: the counts the case expects
    expect({ 0: sizes.length - 1, 1: 1 }).toEqual(c.expectTxFrames);
  });
});

describe('messageFrameSizes (sendMessage fragmentation)', () => {
  it('sends one frame when unfragmented or when the payload fits', () => {
    expect(messageFrameSizes(29)).toEqual([29]);
    expect(messageFrameSizes(0, 1)).toEqual([0]);
    expect(messageFrameSizes(4 * MiB, 4 * MiB)).toEqual([4 * MiB]);
  });

  it('ends with an empty FIN frame when the fragment size divides the length', () => {
    expect(messageFrameSizes(3, 1)).toEqual([1, 1, 1, 0]);
    const s = messageFrameSizes(4 * MiB, MiB);
    expect(s).toEqual([MiB, MiB, MiB, MiB, 0]);
    expect(messageFrameSizes(4 * MiB, 64)).toHaveLength(65537);
  });

  it('rejects a fragment size below 1', () => {
    expect(() => messageFrameSizes(10, 0)).toThrow(/at least 1/);
  });
});
