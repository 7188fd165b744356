import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DATA_SETS, DATA_SET_ORDER, DataSetCursor, caseById, dataSetBytes, allCases } from '../src/index.js';

/** These tests expand whole payloads and data sets: a safety net for a busy machine, not a figure they check. */
const EXPANDING_TEST_TIMEOUT_MS = 30_000;

describe('groups 12 and 13 (permessage-deflate)', { timeout: EXPANDING_TEST_TIMEOUT_MS }, () => {
  it('12.j.i: data set per sub-group, Autobahn sizes, counts, timeouts and fragment sizes', () => {
    expect(DATA_SET_ORDER.map((_, j) => caseById(`12.${j + 1}.1`)!.compressedEcho!.dataSet)).toEqual([
      'json',
      'bmp',
      'faust',
      'html',
      'pdf',
    ]);
    const sizes = Array.from({ length: 18 }, (_, i) => caseById(`12.1.${i + 1}`)!.compressedEcho!);
    expect(sizes.map((s) => s.messageLength)).toEqual([
      16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072, 8192, 16384, 32768, 65536, 131072, 131072, 131072,
      131072,
    ]);
    expect(sizes.map((s) => s.autoFragmentSize)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 256, 256, 256, 256, 256, 1024, 4096, 32768,
    ]);
    expect(sizes.map((s) => s.timeoutMs / 1000)).toEqual([60, 60, 120, 240, ...new Array(14).fill(480)]);
    expect(sizes.every((s) => s.count === 1000)).toBe(true);
    for (const c of allCases.filter((x) => x.compressedEcho)) {
      expect(c.expectedClose, c.id).toEqual({ closedByMe: true, closeCode: [1000], requireClean: true });
      expect(c.reportCompressionRatio && c.reportTime, c.id).toBe(true);
      expect(c.compressedEcho!.binary, c.id).toBe(DATA_SETS[c.compressedEcho!.dataSet].binary);
    }
  });

  it('13.x: the json data set with the seven offer lists of Autobahn', () => {
    const offers = Array.from({ length: 7 }, (_, j) =>
      caseById(`13.${j + 1}.5`)!.deflateOffers!.map((o) => [o.requestNoContextTakeover, o.requestMaxWindowBits]),
    );
    expect(offers).toEqual([
      [[false, 0]],
      [[true, 0]],
      [[false, 9]],
      [[false, 15]],
      [[true, 9]],
      [[true, 15]],
      [
        [true, 9],
        [true, 0],
        [false, 0],
      ],
    ]);
    expect(caseById('13.7.18')!.compressedEcho!.dataSet).toBe('json');
    expect(caseById('12.3.1')!.deflateOffers).toEqual([{ requestNoContextTakeover: false, requestMaxWindowBits: 0 }]);
  });

  it(
    'data sets have the sizes and kinds of Autobahn files; text sets are valid UTF-8, ' +
      'compressibility differs by kind',
    () => {
      const ratio = (b: Buffer) => deflateRawSync(b).length / b.length;
      for (const name of DATA_SET_ORDER) expect(dataSetBytes(name).length, name).toBe(DATA_SETS[name].size);
      const json = dataSetBytes('json').toString();
      expect(JSON.parse(json.slice(2, json.indexOf('\n},') + 2))).toMatchObject({ id: 1 });
      expect(new TextDecoder('utf-8', { fatal: true }).decode(dataSetBytes('html'))).toMatch(/^<!DOCTYPE html>/);
      expect(dataSetBytes('bmp').subarray(0, 2).toString('latin1')).toBe('BM');
      expect(dataSetBytes('pdf').subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(dataSetBytes('faust').toString('utf8')).toMatch(/[äöüß]/);
      expect(ratio(dataSetBytes('json'))).toBeLessThan(0.35);
      expect(ratio(dataSetBytes('pdf'))).toBeGreaterThan(0.8);
      expect(ratio(dataSetBytes('bmp'))).toBeGreaterThan(0.5);
    },
  );

  it('the cursor cuts consecutive windows, wrapping around; text by characters', () => {
    const bin = new DataSetCursor('bmp', 131072);
    const all = dataSetBytes('bmp');
    const a = bin.next();
    const b = bin.next();
    const c = bin.next();
    expect(a.equals(all.subarray(0, 131072))).toBe(true);
    expect(b.equals(all.subarray(131072, 262144))).toBe(true);
    expect(c.equals(Buffer.concat([all.subarray(262144), all.subarray(0, 131072 - (all.length - 262144))]))).toBe(true);
    const text = new DataSetCursor('html', 4096);
    for (let i = 0; i < 200; i++) {
      const m = text.next().toString('utf8');
      expect([...m]).toHaveLength(4096);
    }
  });
});
