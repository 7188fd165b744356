/**
 * An arena lives as long as what uses it: 300 cycles of listen, echo one 1 MiB message, close, in one
 * process, leave RSS (after forced GC) less than 48 MiB above where it started. Before arenas were tied to
 * their server each cycle kept a WebAssembly memory alive for good (over 200 MiB for 300 cycles).
 * Measured in a child process (test/fixtures/listen-cycles.ts) so the figures are this workload's alone,
 * on the socket layer the suite runs with (WSMATRIX_CORE_SOCKETS is inherited).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CYCLES = 300;
const MAX_GROWTH = 48 * 1024 * 1024;
const MiB = 1024 * 1024;
const script = fileURLToPath(new URL('./fixtures/listen-cycles.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface Figures {
  cycles: number;
  layer: string | null;
  rssBefore: number;
  rssAfter: number;
}

function runCycles(cycles: number): Promise<Figures> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--conditions=@wsmatrix/source', '--import', 'tsx', script, String(cycles)],
      { cwd: packageDir, timeout: 240_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`listen-cycles failed: ${err.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Figures);
        } catch {
          reject(new Error(`listen-cycles printed no figures: ${stdout}\n${stderr}`));
        }
      },
    );
  });
}

describe('memory: servers that listen, echo and close', () => {
  it(`${CYCLES} cycles of listen, echo 1 MiB, close grow RSS by less than 48 MiB`, async () => {
    const figures = await runCycles(CYCLES);
    const growth = figures.rssAfter - figures.rssBefore;
    console.log(
      `[memory] ${figures.cycles} cycles on the ${figures.layer} layer: ` +
        `RSS ${(figures.rssBefore / MiB).toFixed(1)} → ` +
        `${(figures.rssAfter / MiB).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / MiB).toFixed(1)} MiB)`,
    );
    expect(figures.cycles).toBe(CYCLES);
    expect(growth).toBeLessThan(MAX_GROWTH);
  }, 300_000);
});
