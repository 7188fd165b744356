/** The workload catalogue: what each measurement sends, over how many connections, and its unit. */
import { Opcode } from '@wsmatrix/protocol';

/** Connections opened, upgraded and closed, by `loops` loops each doing one connection at a time. */
export interface HandshakeWorkload {
  kind: 'handshake';
  id: string;
  title: string;
  loops: number;
}

/**
 * Echo round trips: `connections` connections, each keeping `inFlight` messages outstanding and
 * sending as many new ones as replies arrive, in one write.
 */
export interface EchoWorkload {
  kind: 'echo';
  id: string;
  title: string;
  opcode: number;
  size: number;
  /** Fragment payload size; absent: one frame per message. */
  fragmentSize?: number;
  connections: number;
  inFlight: number;
  /** What the headline figure counts. */
  measure: 'messages' | 'bytes';
}

export type Workload = HandshakeWorkload | EchoWorkload;

const KiB = 1024;
const MiB = 1024 * 1024;

function small(connections: number, inFlight: number): EchoWorkload {
  const title = `32 B text, ${connections} conn × ${inFlight} in flight`;
  const id = `small-c${connections}-f${inFlight}`;
  return { kind: 'echo', id, title, opcode: Opcode.Text, size: 32, connections, inFlight, measure: 'messages' };
}

/** Binary messages over one connection, counted in bytes. */
function large(id: string, title: string, size: number, inFlight: number, fragmentSize?: number): EchoWorkload {
  const echo = { kind: 'echo', opcode: Opcode.Binary, connections: 1, measure: 'bytes' } as const;
  return { ...echo, id, title, size, inFlight, ...(fragmentSize ? { fragmentSize } : {}) };
}

/** Every workload, in report order. */
export const WORKLOADS: readonly Workload[] = Object.freeze([
  { kind: 'handshake', id: 'handshake-l1', title: 'handshakes, 1 loop', loops: 1 },
  { kind: 'handshake', id: 'handshake-l16', title: 'handshakes, 16 loops', loops: 16 },
  small(1, 1),
  small(1, 32),
  small(16, 1),
  small(16, 32),
  small(128, 1),
  small(128, 32),
  large('large-64k', '64 KiB binary, 1 conn × 16 in flight', 64 * KiB, 16),
  large('large-1m', '1 MiB binary, 1 conn × 4 in flight', MiB, 4),
  large('fragmented-1m', '1 MiB binary in 4 KiB fragments, 1 conn × 4 in flight', MiB, 4, 4 * KiB),
] satisfies Workload[]);

export const workloadIds: readonly string[] = WORKLOADS.map((w) => w.id);

/** Short names for groups of workloads on the command line. */
export const WORKLOAD_GROUPS: Readonly<Record<string, readonly string[]>> = {
  handshake: workloadIds.filter((id) => id.startsWith('handshake')),
  small: workloadIds.filter((id) => id.startsWith('small')),
  large: workloadIds.filter((id) => id.startsWith('large')),
  fragmented: workloadIds.filter((id) => id.startsWith('fragmented')),
  all: workloadIds,
};

/** Workloads named by ids and group names, in catalogue order, each once. */
export function selectWorkloads(names: readonly string[]): Workload[] {
  const wanted = new Set<string>();
  for (const name of names) {
    const ids = Object.hasOwn(WORKLOAD_GROUPS, name) ? WORKLOAD_GROUPS[name]! : workloadIds.filter((id) => id === name);
    if (ids.length === 0) {
      const known = [...Object.keys(WORKLOAD_GROUPS), ...workloadIds].join(', ');
      throw new Error(`unknown workload "${name}" (expected one of: ${known})`);
    }
    for (const id of ids) wanted.add(id);
  }
  return WORKLOADS.filter((w) => wanted.has(w.id));
}

/** Unit of the headline figure. */
export function unitOf(workload: Workload): string {
  if (workload.kind === 'handshake') return 'conn/s';
  return workload.measure === 'bytes' ? 'MB/s' : 'msg/s';
}
