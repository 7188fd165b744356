/** Backpressure decisions (src/backpressure.ts) without a socket: the queued byte counts are given. */
import { describe, expect, it } from 'vitest';
import { Backpressure, Flow } from '../src/backpressure.js';

describe('Backpressure', () => {
  it('pauses over the high-water mark and resumes only at or below the low one', () => {
    const bp = new Backpressure(1000, 250);
    expect(bp.pauseIfOver(1000)).toBe(false);
    expect(bp.pauseIfOver(1001)).toBe(true);
    expect(bp.flow).toBe(Flow.Paused);
    expect(bp.pauseIfOver(5000)).toBe(false); // already paused: not counted again
    expect(bp.pauses).toBe(1);
    expect(bp.resumeIfDrained(251)).toBe(false);
    expect(bp.paused).toBe(true);
    expect(bp.resumeIfDrained(250)).toBe(true);
    expect(bp.flow).toBe(Flow.Reading);
    expect(bp.resumeIfDrained(0)).toBe(false);
    expect(bp.pauseIfOver(2000)).toBe(true);
    expect(bp.pauses).toBe(2);
  });

  it('release() resumes whatever is queued, and says whether it was paused', () => {
    const bp = new Backpressure(10, 5);
    expect(bp.release()).toBe(false);
    bp.pauseIfOver(11);
    expect(bp.release()).toBe(true);
    expect(bp.paused).toBe(false);
  });

  it('answers pings at once with room; over the mark it owes only the latest pong', () => {
    const bp = new Backpressure(100, 10);
    expect(bp.answerPingNow(100, Buffer.from('a'))).toBe(true);
    expect(bp.pongOwed).toBe(false);
    expect(bp.answerPingNow(101, Buffer.from('b'))).toBe(false);
    expect(bp.answerPingNow(500, Buffer.from('c'))).toBe(false);
    expect(bp.pongsCoalesced).toBe(1);
    expect(bp.takeDeferredPong(101)).toBeNull();
    expect(bp.takeDeferredPong(100)?.toString()).toBe('c');
    expect(bp.takeDeferredPong(0)).toBeNull();
    bp.answerPingNow(101, Buffer.from('d'));
    bp.dropDeferredPong();
    expect(bp.pongOwed).toBe(false);
    expect(bp.takeDeferredPong(0)).toBeNull();
  });
});
