import { describe, expect, it } from 'vitest';
import { fitWidth, Progress } from '../src/progress.js';

const CLEAR = '\r\x1b[2K';

/** A progress line on a fake terminal of `columns` with a clock the test moves. */
function setup(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  let now = 1_000_000;
  const progress = new Progress(
    { write: (t) => void writes.push(t), isTTY, columns: () => columns },
    { now: () => now, plainEveryMs: 10_000, liveEveryMs: 100 },
  );
  return {
    progress,
    writes,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const TEN_TARGETS = [
  'core',
  'ws',
  'ws7',
  'uws',
  'core+deflate',
  'ws+deflate',
  'uws+deflate',
  'uws+deflate-dedicated',
  'wslay',
  'python-websockets',
];

describe('progress line on a terminal', () => {
  it('ten targets on 100 columns: every redraw fits the width and rewrites the same line', () => {
    const { progress, writes, advance } = setup(true, 100);
    for (const t of TEN_TARGETS) progress.expect(t, 414);
    // As the matrix plays them: one target after the other; nine done, the tenth 50 cases in.
    for (const t of TEN_TARGETS) {
      for (let i = 0; i < (t === 'python-websockets' ? 50 : 414); i++) {
        advance(150);
        progress.caseDone(t, i % 7 === 0 ? 'failed' : 'passed');
      }
    }
    expect(writes.length).toBeGreaterThan(100);
    for (const w of writes) {
      expect(w.startsWith(CLEAR)).toBe(true);
      expect(w).not.toContain('\n');
      expect(w.slice(CLEAR.length).length).toBeLessThanOrEqual(99);
    }
    // Cut to fit, it still says how far the run is and which target is playing.
    expect(writes.at(-1)).toMatch(
      new RegExp(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the live line starts with a terminal escape
        /^\r\x1b\[2K\[\d+ s\] 3776\/4140 cases · /.source +
          /python-websockets 50\/414 \(8 failed\) · 9 of 10 targets done · ETA \d+ s$/.source,
      ),
    );
  });

  it('keeps every target when they fit', () => {
    const { progress, writes, advance } = setup(true, 200);
    progress.expect('core', 2);
    progress.expect('ws', 2);
    advance(1000);
    progress.caseDone('core', 'passed');
    expect(writes).toEqual([`${CLEAR}[1 s] core 1/2 · ws 0/2 · ETA 3 s`]);
  });

  it('redraws at most once per period, and always for the last case', () => {
    const { progress, writes, advance } = setup(true);
    progress.expect('core', 3);
    progress.caseDone('core', 'passed');
    advance(50);
    progress.caseDone('core', 'passed');
    expect(writes).toHaveLength(1);
    advance(10);
    progress.caseDone('core', 'failed');
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(`${CLEAR}[0 s] core 3/3 (1 failed)`);
  });

  it('a status message goes above the line: clear, message, the line again', () => {
    const { progress, writes } = setup(true);
    const stdout: string[] = [];
    progress.expect('core', 2);
    progress.caseDone('core', 'passed');
    progress.above((t) => void stdout.push(t), 'wslay: unavailable');
    expect(stdout).toEqual(['wslay: unavailable\n']);
    expect(writes).toEqual([`${CLEAR}[0 s] core 1/2 · ETA 0 s`, CLEAR, `${CLEAR}[0 s] core 1/2 · ETA 0 s`]);
    progress.finish();
    expect(writes.at(-1)).toBe('\n');
  });

  it('before any line is drawn, a message is just written', () => {
    const { progress, writes } = setup(true);
    const out: string[] = [];
    progress.above((t) => void out.push(t), 'started core\n');
    expect(out).toEqual(['started core\n']);
    expect(writes).toEqual([]);
  });

  it('an unknown width falls back to 80 columns', () => {
    const writes: string[] = [];
    const progress = new Progress(
      { write: (t) => void writes.push(t), isTTY: true, columns: () => undefined },
      { now: () => 0 },
    );
    for (const t of TEN_TARGETS) progress.expect(t, 414);
    progress.caseDone('core', 'passed');
    expect(writes[0]!.slice(CLEAR.length).length).toBeLessThanOrEqual(79);
  });
});

describe('progress counts', () => {
  it('rows of a dead server count as target down, not as failed', () => {
    const { progress, writes } = setup(false);
    progress.expect('Dead', 2);
    progress.caseDone('Dead', 'target down');
    progress.caseDone('Dead', 'target down');
    expect(writes.at(-1)).toBe('[0 s] Dead 2/2 (2 target down)\n');
  });
});

describe('progress without a terminal', () => {
  it('plain lines: at the first case, then once per period, and at the end', () => {
    const { progress, writes, advance } = setup(false);
    progress.expect('core', 5);
    progress.caseDone('core', 'passed');
    advance(9_999);
    progress.caseDone('core', 'passed');
    advance(1);
    progress.caseDone('core', 'passed');
    progress.caseDone('core', 'passed');
    progress.caseDone('core', 'passed');
    expect(writes).toEqual(['[0 s] core 1/5 · ETA 0 s\n', '[10 s] core 3/5 · ETA 7 s\n', '[10 s] core 5/5\n']);
  });
});

describe('fitWidth', () => {
  it('cuts with an ellipsis, never past the width', () => {
    expect(fitWidth('abcdef', 6)).toBe('abcdef');
    expect(fitWidth('abcdef', 4)).toBe('abc…');
    expect(fitWidth('abcdef', 1)).toBe('a');
    expect(fitWidth('abcdef', 0)).toBe('');
  });
});
