/** The measure window's decisions, on a clock the test sets. */
import { describe, expect, it } from 'vitest';
import { WindowGate } from '../src/load/window-gate.js';

describe('WindowGate', () => {
  it('counts only between start and the planned end when it is not held open', () => {
    const gate = new WindowGate({ start: 100, end: 200 });
    expect(gate.record(3, 99)).toBe(false);
    expect(gate.record(2, 100)).toBe(true);
    expect(gate.record(1, 199.9)).toBe(true);
    expect(gate.isClosed(199.9)).toBe(false);
    expect(gate.record(5, 200)).toBe(false);
    expect(gate.isClosed(200)).toBe(true);
    expect(gate.completed).toBe(3);
    expect(gate.end).toBe(200);
  });

  it('closes at the planned end when the count was reached in time', () => {
    const gate = new WindowGate({ start: 0, end: 100, extend: { completed: 2, latest: 1000 } });
    gate.record(2, 50);
    expect(gate.isClosed(150)).toBe(true);
    expect(gate.end).toBe(100);
    expect(gate.record(1, 150)).toBe(false);
  });

  it('stays open past the planned end until the count is reached, and closes right behind it', () => {
    const gate = new WindowGate({ start: 0, end: 100, extend: { completed: 5, latest: 1000 } });
    gate.record(1, 50);
    expect(gate.isClosed(400)).toBe(false);
    expect(gate.record(2, 400)).toBe(true);
    expect(gate.isClosed(500)).toBe(false);
    expect(gate.record(2, 600)).toBe(true);
    expect(gate.isClosed(600)).toBe(true);
    expect(gate.record(1, 600)).toBe(false);
    expect(gate.completed).toBe(5);
    expect(gate.end).toBe(600);
  });

  it('closes at its latest end when the count never comes', () => {
    const gate = new WindowGate({ start: 0, end: 100, extend: { completed: 5, latest: 300 } });
    gate.record(1, 50);
    expect(gate.isClosed(299)).toBe(false);
    expect(gate.isClosed(350)).toBe(true);
    expect(gate.end).toBe(300);
    expect(gate.record(1, 350)).toBe(false);
    expect(gate.completed).toBe(1);
  });

  it('whenClosed() wakes when the count is reached, long before the latest end', async () => {
    let clock = 0;
    const gate = new WindowGate({ start: 0, end: 0, extend: { completed: 2, latest: 3_600_000 } });
    const closed = gate.whenClosed(() => clock);
    let woke = false;
    void closed.then(() => {
      woke = true;
    });
    await new Promise((r) => setImmediate(r));
    clock = 10;
    gate.record(1, clock);
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    clock = 20;
    gate.record(1, clock);
    await closed;
    expect(gate.isClosed(20)).toBe(true);
    expect(gate.end).toBe(20);
  });

  it('whenClosed() closes a window not held open at its planned end, even when the timer fires early', async () => {
    const gate = new WindowGate({ start: 0, end: 10 });
    await gate.whenClosed(() => 9.5);
    expect(gate.end).toBe(10);
    // A reply that lands before the end still counts; none after it.
    expect(gate.record(1, 9.6)).toBe(true);
    expect(gate.record(1, 10)).toBe(false);
    expect(gate.completed).toBe(1);
  });

  it('whenClosed() gives up at the latest end', async () => {
    let clock = 0;
    const gate = new WindowGate({ start: 0, end: 0, extend: { completed: 2, latest: 5 } });
    const closed = gate.whenClosed(() => clock);
    clock = 5;
    await closed;
    expect(gate.isClosed(5)).toBe(true);
    expect(gate.end).toBe(5);
    expect(gate.record(1, 5)).toBe(false);
  });
});
