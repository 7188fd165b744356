/**
 * The C allocator settings every benchmark process runs with. With glibc's defaults the figures of
 * Node-based servers on large messages were bimodal from run to run: Node allocates a fresh 64 KiB
 * buffer per socket read and large message buffers, and glibc's sliding mmap threshold and heap
 * trimming decide, run by run, whether those pages are reused or handed back to the kernel and faulted
 * in again. Fixed thresholds take that lottery out; every target, uWS included, gets the same.
 * `--malloc default` measures with glibc's own behaviour instead.
 */
export type MallocMode = 'steady' | 'default';
export const MALLOC_MODES: readonly MallocMode[] = ['steady', 'default'];

const MiB = 1024 * 1024;

/**
 * glibc tunables for 'steady': no trimming below 256 MiB of free heap top, 64 MiB of padding when the
 * heap grows, and the mmap threshold fixed at its largest allowed value (32 MiB on 64-bit), which also
 * turns off the sliding thresholds.
 */
export const STEADY_MALLOC_TUNABLES = [
  `glibc.malloc.trim_threshold=${256 * MiB}`,
  `glibc.malloc.top_pad=${64 * MiB}`,
  `glibc.malloc.mmap_threshold=${32 * MiB}`,
].join(':');

/** The environment of a child process under `mode`: GLIBC_TUNABLES added to whatever was set. */
export function allocatorEnv(mode: MallocMode, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (mode === 'default') return { ...base };
  const existing = base.GLIBC_TUNABLES;
  return { ...base, GLIBC_TUNABLES: existing ? `${existing}:${STEADY_MALLOC_TUNABLES}` : STEADY_MALLOC_TUNABLES };
}

/** One line for the output. */
export function describeMalloc(mode: MallocMode): string {
  return mode === 'steady'
    ? 'glibc malloc with fixed trim/mmap thresholds (--malloc steady)'
    : "glibc malloc's own defaults (--malloc default)";
}
