/**
 * Which socket layer own-server mode runs on, and the proof a requested 'bare' layer must give first.
 *
 * - 'net' (the default): accepted handles wrapped in net.Socket, reading into the server's shared buffer
 *   through net.Socket's documented `onread` option. Accepting goes through the listening handle's accept
 *   callback (takeOverAccepts); where that is missing, or a Node ignores it (a plain 'connection' event
 *   arrives instead), the server runs on 'connection'.
 * - 'bare': RawSocket on the libuv handle (process.binding, DEP0111; a read's return value picks where
 *   the next read lands). Opt-in only, and used only after a loopback pair on it has carried known bytes
 *   intact, reads have landed exactly where they were directed, and bytes written have arrived; otherwise
 *   'net', with the reason.
 * - 'connection': net.Server's own sockets and 'data' events, public API only; what CI runs as the last
 *   fallback.
 */
import { connect, createServer, type Socket } from 'node:net';
import { isTcpHandle, loadLibuvStreamsOrReason, type LibuvStreams } from './libuv-stream.js';
import { RawSocket } from './raw-socket.js';
import { ReadRoute, takeOverAccepts } from './shared-reads.js';

export type SocketLayer = 'bare' | 'net' | 'connection';
export const SOCKET_LAYERS: readonly SocketLayer[] = ['net', 'bare', 'connection'];

/** The layer a server will use: what was asked for, or what it fell back to and why. */
export interface SocketLayerChoice {
  layer: SocketLayer;
  /** Why the layer in effect is not the one asked for; null when it is. */
  fallbackReason: string | null;
  /** Set for 'bare'. */
  streams: LibuvStreams | null;
}

/** How long the loopback proof may take before the bare layer is declared unproven: a safety net only. */
const PROOF_DEADLINE_MS = 10_000;

/**
 * The proof's outcome, once per process (the bindings are process-wide, so is their behaviour): a
 * single value, not state that grows per server.
 */
let bareProof: Promise<string | null> | null = null;

export async function chooseSocketLayer(requested: SocketLayer): Promise<SocketLayerChoice> {
  if (requested !== 'bare') return { layer: requested, fallbackReason: null, streams: null };
  const streams = loadLibuvStreamsOrReason();
  if (typeof streams === 'string') return { layer: 'net', fallbackReason: streams, streams: null };
  bareProof ??= proveBareLayer(streams);
  const failure = await bareProof;
  if (failure !== null) return { layer: 'net', fallbackReason: `bare handles failed their loopback check: ${failure}`, streams: null };
  return { layer: 'bare', fallbackReason: null, streams };
}

/** Deterministic test bytes: every proof sends the same, so a failure is reproducible. */
function pattern(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * Runs a RawSocket over a loopback pair and checks, by the bytes seen: each read delivers exactly what
 * the peer sent (never stale bytes of an earlier read); reads land at the start of the shared buffer, or
 * in `route.direct` when the previous read set it, and back in the shared buffer when it is cleared;
 * bytes written reach the peer intact. Null when all held, else what went wrong.
 */
export async function proveBareLayer(streams: LibuvStreams): Promise<string | null> {
  const server = createServer({ allowHalfOpen: true });
  let client: Socket | null = null;
  let raw: RawSocket | null = null;
  let deadline: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const accepted = new Promise<unknown>((resolve) => {
      if (!takeOverAccepts(server, resolve)) resolve(null);
    });
    const port = (server.address() as { port: number }).port;
    const peer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    client = peer;
    peer.on('error', () => {});
    const timedOut = new Promise<string>((resolve) => {
      deadline = setTimeout(() => resolve(`no result within ${PROOF_DEADLINE_MS} ms`), PROOF_DEADLINE_MS);
      deadline.unref();
    });
    return await Promise.race([timedOut, runProof(streams, peer, accepted, (s) => (raw = s))]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(deadline);
    (raw as RawSocket | null)?.destroy();
    client?.destroy();
    server.close();
  }
}

async function runProof(
  streams: LibuvStreams,
  peer: Socket,
  accepted: Promise<unknown>,
  keep: (raw: RawSocket) => void,
): Promise<string | null> {
  const handle = await accepted;
  if (handle === null) return 'the listening handle has no accept callback to take over';
  if (!isTcpHandle(handle)) return 'an accepted handle lacks a method RawSocket calls';
  const shared = Buffer.alloc(64 * 1024);
  const route = new ReadRoute();
  const raw = new RawSocket(streams, handle, route, shared);
  keep(raw);
  raw.on('error', () => {});

  // Three messages, each sent only after the previous one arrived in full, so each lands in its own reads:
  // the first in the shared buffer, the second in a block set as route.direct, the third in the shared
  // buffer again. After every read the buffer read into is scribbled over, as the server's reuse does.
  const block = Buffer.alloc(16 * 1024);
  const steps = [
    { bytes: pattern(3000, 1), into: shared, direct: block as Buffer | null },
    { bytes: pattern(5000, 2), into: block, direct: null },
    { bytes: pattern(7000, 3), into: shared, direct: null },
  ];
  for (const step of steps) {
    const got: Buffer[] = [];
    let have = 0;
    let misplaced: string | null = null;
    await new Promise<void>((resolve) => {
      route.listener = (chunk) => {
        const where = step.into;
        const at = have === 0 || where === shared ? where.byteOffset : where.byteOffset + have;
        if (chunk.buffer !== where.buffer || chunk.byteOffset !== at) misplaced ??= 'a read landed somewhere other than where it was directed';
        got.push(Buffer.from(chunk));
        have += chunk.length;
        chunk.fill(0xee);
        if (have >= step.bytes.length) {
          route.direct = step.direct;
          resolve();
        } else if (where === block) {
          route.direct = block.subarray(have);
        }
      };
      peer.write(step.bytes);
    });
    if (misplaced !== null) return misplaced;
    if (!Buffer.concat(got).equals(step.bytes)) return 'the bytes read differ from the bytes sent';
  }
  route.listener = null;

  const reply = pattern(20_000, 4);
  const echoed: Buffer[] = [];
  let echoedBytes = 0;
  await new Promise<void>((resolve) => {
    peer.on('data', (d: Buffer) => {
      echoed.push(d);
      echoedBytes += d.length;
      if (echoedBytes >= reply.length) resolve();
    });
    raw.write(reply);
  });
  if (!Buffer.concat(echoed).equals(reply)) return 'the bytes written differ from the bytes the peer received';
  return null;
}

/** The layer asked for by the environment (WSMATRIX_CORE_SOCKETS), else 'net'. */
export function socketLayerFromEnv(): SocketLayer {
  const fromEnv = process.env['WSMATRIX_CORE_SOCKETS'];
  if (fromEnv === undefined || fromEnv === '') return 'net';
  if ((SOCKET_LAYERS as readonly string[]).includes(fromEnv)) return fromEnv as SocketLayer;
  throw new RangeError(`WSMATRIX_CORE_SOCKETS must be one of ${SOCKET_LAYERS.join(', ')}, got ${JSON.stringify(fromEnv)}`);
}
