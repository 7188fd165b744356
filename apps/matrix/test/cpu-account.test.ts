import { describe, expect, it } from 'vitest';
import { describeCpu, startCpuAccount } from '../src/cpu-account.js';

/** A clock, a runner CPU and a server CPU the test moves by hand. */
function fakes() {
  const t = { now: 0, runner: 0, server: 0 as number | null };
  return {
    t,
    clock: () => t.now,
    runner: () => t.runner,
    server: { cpuTime: () => t.server },
  };
}

describe('the CPU account of a run', () => {
  it('counts the interval between start and stop, for the runner and the server', () => {
    const f = fakes();
    f.t.now = 100;
    f.t.runner = 50;
    f.t.server = 400;
    const account = startCpuAccount(f.server, f.clock, f.runner);
    f.t.now = 10_100;
    f.t.runner = 3_050;
    f.t.server = 9_400;
    account.stop();
    f.t.now = 99_999;
    const a = account.result();
    expect(a).toMatchObject({ wallMs: 10_000, runnerCpuMs: 3_000, serverCpuMs: 9_000 });
    const text = describeCpu({ ...a, cores: 2 });
    expect(text).toBe('CPU: runner 3.0 s, server 9.0 s, idle or other 8.0 s of 2 cores × 10.0 s; runner share 25 %');
  });

  it('says the server was not measured when it cannot say its CPU time', () => {
    const f = fakes();
    f.t.server = null;
    const account = startCpuAccount([f.server, {}], f.clock, f.runner);
    f.t.now = 4_000;
    f.t.runner = 1_000;
    const a = account.result();
    expect(a.serverCpuMs).toBeNull();
    expect(describeCpu(a)).toBe('CPU: runner 1.0 s (25 % of one core), server not measured');
  });

  it('sums the servers of a run', () => {
    const f = fakes();
    const other = { cpuTime: () => f.t.runner * 2 };
    const account = startCpuAccount([f.server, other], f.clock, f.runner);
    f.t.server = 1_000;
    f.t.runner = 500;
    expect(account.result().serverCpuMs).toBe(2_000);
  });
});
