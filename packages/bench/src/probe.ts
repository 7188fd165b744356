/**
 * The machine-speed probe: a fixed, deterministic unit of work timed on a pinned CPU right before a
 * measured window, while nothing else of ours runs. On a shared VM the CPU's speed moves by tens of
 * percent within minutes for reasons outside our code; the probe's time says how fast the CPU was then,
 * so a figure can be scaled to a reference speed (`normalize`).
 *
 * The work has two parts, both the same on every call:
 * - compute: integer mixing in plain JS plus unmasking (XOR) a fixed 16 KiB buffer, as the servers'
 *   framing loops do;
 * - kernel: a few hundred 32-byte round trips over a loopback TCP connection inside the probe's own
 *   process (write, softirq, wake-up, read on both ends), as the workloads do per message.
 * Each part runs REPEATS times and its fastest repeat counts, so a single interruption does not.
 */
import net from 'node:net';

/** Probe time (ms) at the reference speed (about the quiet 2-vCPU VM it was tuned on); `normalize` scales figures to it. */
export const PROBE_REFERENCE_MS = 10;

export interface ProbeWork {
  /** Iterations of the integer mixing loop. */
  mixIterations: number;
  /** Passes of XOR-unmasking over the fixed buffer. */
  unmaskPasses: number;
  unmaskBytes: number;
  /** Loopback TCP round trips of ROUND_TRIP_BYTES each. */
  roundTrips: number;
  /** Repeats of each part; the fastest counts. */
  repeats: number;
}

/** The unit of work of every probe (about 10–30 ms on the 2-vCPU VM this was tuned on). */
export const PROBE_WORK: Readonly<ProbeWork> = Object.freeze({
  mixIterations: 800_000,
  unmaskPasses: 80,
  unmaskBytes: 16 * 1024,
  roundTrips: 250,
  repeats: 3,
});

const ROUND_TRIP_BYTES = 32;

/** The unit of work in words, for the result's settings and the progress lines. */
export function describeProbeWork(work: ProbeWork = PROBE_WORK): string {
  return `${work.mixIterations} integer mixes + ${work.unmaskPasses} × ${work.unmaskBytes / 1024} KiB unmasked, then ` +
    `${work.roundTrips} loopback TCP round trips of ${ROUND_TRIP_BYTES} B; fastest of ${work.repeats} each`;
}

export interface ProbeTiming {
  /** Fastest repeat of the compute part plus fastest repeat of the kernel part, in ms. */
  ms: number;
  computeMs: number;
  kernelMs: number;
  /** A digest of what the compute part produced: equal on every call with the same work. */
  checksum: number;
}

/** The compute part: returns a checksum of everything it computed (same work → same checksum). */
export function computeWork(work: ProbeWork = PROBE_WORK): number {
  let h = 0x9e3779b9 | 0;
  for (let i = 0; i < work.mixIterations; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i;
    h = (h ^ (h >>> 12)) | 0;
  }
  const data = Buffer.alloc(work.unmaskBytes);
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131) & 0xff;
  for (let pass = 0; pass < work.unmaskPasses; pass++) {
    for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ mask[(i + pass) & 3]!;
  }
  let sum = h;
  for (let i = 0; i < data.length; i += 64) sum = (Math.imul(sum, 31) + data[i]!) | 0;
  return sum >>> 0;
}

/** The kernel part: `roundTrips` 32-byte ping-pongs over one loopback TCP connection; resolves to the ms taken by the exchange. */
export async function loopbackRoundTrips(roundTrips: number): Promise<number> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    // Echo: every byte back as it came.
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, '127.0.0.1');
  client.setNoDelay(true);
  try {
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    const message = Buffer.alloc(ROUND_TRIP_BYTES, 0x61);
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      let left = roundTrips;
      let pending = ROUND_TRIP_BYTES;
      client.on('error', reject);
      client.on('data', (chunk: Buffer) => {
        pending -= chunk.length;
        while (pending <= 0) {
          left--;
          if (left === 0) return resolve();
          pending += ROUND_TRIP_BYTES;
          client.write(message);
        }
      });
      client.write(message);
    });
    return performance.now() - started;
  } finally {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** One probe: each part REPEATS times, the fastest of each counted. */
export async function runProbe(work: ProbeWork = PROBE_WORK): Promise<ProbeTiming> {
  let computeMs = Infinity;
  let checksum = 0;
  for (let r = 0; r < work.repeats; r++) {
    const started = performance.now();
    checksum = computeWork(work);
    computeMs = Math.min(computeMs, performance.now() - started);
  }
  let kernelMs = Infinity;
  for (let r = 0; r < work.repeats; r++) kernelMs = Math.min(kernelMs, await loopbackRoundTrips(work.roundTrips));
  return { ms: computeMs + kernelMs, computeMs, kernelMs, checksum };
}

/**
 * A figure at the reference speed: value × probeMs / PROBE_REFERENCE_MS. A probe slower than the
 * reference (the CPU was slow) scales the figure up, a faster one down; null without a probe.
 */
export function normalize(value: number, probeMs: number | null | undefined, referenceMs = PROBE_REFERENCE_MS): number | null {
  if (probeMs === null || probeMs === undefined || !(probeMs > 0) || !Number.isFinite(value)) return null;
  return (value * probeMs) / referenceMs;
}
