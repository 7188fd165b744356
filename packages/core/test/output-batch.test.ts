/** Output batching (src/output-batch.ts) on a recording target: the bytes written and the calls made. */
import { describe, expect, it } from 'vitest';
import { OutputBatch, frameParts, writeBatch, type BatchTarget } from '../src/output-batch.js';

class RecordingTarget implements BatchTarget {
  destroyed = false;
  writableLength = 0;
  calls: string[] = [];
  chunks: Buffer[] = [];
  write(data: Buffer): boolean {
    this.calls.push(`write ${data.length}`);
    this.chunks.push(Buffer.from(data));
    this.writableLength += data.length;
    return true;
  }
  cork(): void {
    this.calls.push('cork');
  }
  uncork(): void {
    this.calls.push('uncork');
  }
}

const fill = (length: number, byte: number): Buffer => Buffer.alloc(length, byte);

describe('writeBatch', () => {
  it('writes one part as it is, and small batches as one copied buffer', () => {
    const one = new RecordingTarget();
    const part = fill(10, 1);
    expect(writeBatch(one, [part], 10)).toBe(1);
    expect(one.chunks[0]).toEqual(part);

    const small = new RecordingTarget();
    const parts = [fill(2, 1), fill(3, 2), fill(64 * 1024 - 5, 3)];
    expect(writeBatch(small, parts, 64 * 1024)).toBe(1);
    expect(small.calls).toEqual([`write ${64 * 1024}`]);
    expect(Buffer.concat(small.chunks)).toEqual(Buffer.concat(parts));
  });

  it('beyond 64 KiB: corked, large parts by reference, runs of small ones copied together', () => {
    const target = new RecordingTarget();
    const parts = [fill(2, 1), fill(4, 2), fill(70_000, 3), fill(2, 4), fill(100, 5), fill(20_000, 6)];
    const total = parts.reduce((n, p) => n + p.length, 0);
    expect(writeBatch(target, parts, total)).toBe(4);
    expect(target.calls).toEqual(['cork', 'write 6', 'write 70000', 'write 102', 'write 20000', 'uncork']);
    expect(Buffer.concat(target.chunks)).toEqual(Buffer.concat(parts));
  });
});

describe('OutputBatch', () => {
  it('collects frames, writes them on flush, and counts writes and the peak queue', () => {
    const batch = new OutputBatch();
    batch.pushFrame(0x1, Buffer.from('hi'));
    batch.pushFrame(0xa, Buffer.alloc(0));
    expect(batch.bytes).toBe(2 + 2 + 2);
    const target = new RecordingTarget();
    batch.flush(target, false);
    const frames = [...frameParts(0x1, Buffer.from('hi')), ...frameParts(0xa, Buffer.alloc(0))];
    expect(Buffer.concat(target.chunks)).toEqual(Buffer.concat(frames));
    expect(batch.bytes).toBe(0);
    expect(batch.writes).toBe(1);
    expect(batch.peakQueuedBytes).toBe(6);
    batch.flush(target, false); // empty: nothing written
    expect(batch.writes).toBe(1);
  });

  it('discards the batch once nothing may be written (ended or destroyed)', () => {
    const batch = new OutputBatch();
    const target = new RecordingTarget();
    batch.push(Buffer.from('x'));
    batch.flush(target, true);
    target.destroyed = true;
    batch.push(Buffer.from('y'));
    batch.flush(target, false);
    expect(target.calls).toEqual([]);
    expect(batch.bytes).toBe(0);
    expect(batch.writes).toBe(0);
  });
});
