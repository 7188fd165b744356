/**
 * R1-R10 (docs/limits.md#runner-self-defence): the runner against hostile servers, all at once in a child Node with a
 * 128 MiB heap (`--max-old-space-size=128`). Each fixture must end in its specific verdict within its
 * own mechanism (the timer, limit or guard named in its verdict text or flags), not by a wall-clock bound:
 * the child's hard timeout is the only safety net.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Row } from './fixtures/r-suite.js';

interface SuiteOutput {
  rows: Row[];
  wallMs: number;
  heapUsed: number;
  rss: number;
  arrayBuffers: number;
}

let out: SuiteOutput;
const by = (name: string): Row => {
  const row = out.rows.find((r) => r.name === name);
  if (!row) throw new Error(`no row ${name}`);
  return row;
};

beforeAll(() => {
  const script = fileURLToPath(new URL('./fixtures/r-suite.ts', import.meta.url));
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=128', '--conditions=@wsmatrix/source', '--import', 'tsx', script],
    {
      encoding: 'utf8',
      timeout: 30_000,
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  );
  if (child.status !== 0) throw new Error(`R-suite exited with ${child.status} ${child.signal ?? ''}: ${child.stderr}`);
  out = JSON.parse(child.stdout) as SuiteOutput;
}, 40_000);

describe('the runner survives hostile servers in a 128 MiB heap', () => {
  it('finishes every fixture, with a small heap', () => {
    expect(out.rows).toHaveLength(17);
    expect(out.heapUsed).toBeLessThan(96 * 1024 * 1024);
  });

  it('R1 silent server → opening handshake timeout at 5 s', () => {
    const r = by('R1 silent server');
    expect(r.connectFailure).toMatch(/^handshake-timeout/);
    expect(r.flags.wasOpenHandshakeTimeout).toBe(true);
    // A timer does not fire before its delay (give or take the clock's rounding).
    expect(r.ms).toBeGreaterThanOrEqual(4900);
  });

  it('R2 endless header → refused at 16 KiB; a trickled header → the handshake timeout', () => {
    expect(by('R2 endless header').connectFailure).toMatch(/handshake-rejected: .*head exceeds 16384 bytes/);
    expect(by('R2 header trickle').flags.wasOpenHandshakeTimeout).toBe(true);
  });

  it('R3 endless frames → "flooded" at the per-case cap, bounded wire log', () => {
    const r = by('R3 endless frames');
    expect([r.behavior, r.result]).toEqual(['FAILED', expect.stringMatching(/server flooded the connection/)]);
    expect(r.flags.wirelog).toBeLessThanOrEqual(4001);
  });

  it('R4 a 2^62-octet frame → the runner fails it with 1009 at once', () => {
    const r = by('R4 2^62 frame');
    expect([r.behavior, r.flags.localCloseCode]).toEqual(['FAILED', 1009]);
  });

  it('R5 a deflate bomb → inflation capped, 1009', () => {
    const r = by('R5 deflate bomb');
    expect([r.behavior, r.flags.localCloseCode]).toEqual(['FAILED', 1009]);
  });

  it(
    'R6 no Close reply → close handshake timeout; ' + 'no TCP drop → the runner drops it; data after Close is ignored',
    () => {
      expect([by('R6 no Close reply').behaviorClose, by('R6 no Close reply').flags.wasCloseHandshakeTimeout]).toEqual([
        'UNCLEAN',
        true,
      ]);
      const drop = by('R6 no TCP drop');
      expect([drop.behaviorClose, drop.flags.droppedByMe]).toEqual(['FAILED BY CLIENT', true]);
      expect([by('R6 data after Close').behavior, by('R6 data after Close').behaviorClose]).toEqual(['OK', 'OK']);
    },
  );

  it('R7 RST mid-case → a verdict from the bytes seen, with the reset as the reason', () => {
    const r = by('R7 RST mid-case');
    expect(r.behavior).toBe('FAILED');
    expect(r.result).toMatch(/ECONNRESET/);
  });

  it('R8 a target that goes away → the rest are "not run: target down" without waiting', () => {
    const r = by('R8 exits mid-run');
    expect(r.flags.unreachable).toMatch(/ECONNREFUSED/);
    // The first case met the server; the second was refused; the last three were not tried.
    expect(r.flags.notRun).toBe(4);
  });

  it('R9 a server that never reads → the drain deadline fires', () => {
    const r = by('R9 never reads');
    expect([r.behavior, r.result]).toEqual([
      'FAILED',
      expect.stringMatching(/server stopped reading: a write waited more than 1000 ms/),
    ]);
  });

  it('R10 bad accept, unoffered extension or subprotocol, 200, garbage → handshake failure verdicts', () => {
    expect(by('R10 bad accept').connectFailure).toMatch(/handshake-rejected: server sent Sec-WebSocket-Accept/);
    expect(by('R10 unoffered extension').connectFailure).toMatch(
      /handshake-rejected: server selected extension x-never-offered/,
    );
    expect(by('R10 unoffered subprotocol').connectFailure).toMatch(
      /handshake-rejected: server selected subprotocol chat/,
    );
    expect(by('R10 200 OK').connectFailure).toMatch(/handshake-rejected: server answered 200/);
    for (const name of [
      'R10 bad accept',
      'R10 unoffered extension',
      'R10 unoffered subprotocol',
      'R10 200 OK',
      'R10 random bytes',
    ]) {
      expect([by(name).behavior, by(name).behaviorClose], name).toEqual(['FAILED', 'FAILED']);
    }
  });
});
