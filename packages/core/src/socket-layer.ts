/**
 * Which socket layer own-server mode runs on, and the proof an opt-in layer must give first.
 *
 * - 'net' (the default): net.Server's own sockets and their 'data' events, public API only (no `_handle`,
 *   no process.binding); node allocates each read.
 * - 'shared-reads' (opt-in): accepted handles wrapped in net.Socket, reading into the server's shared
 *   buffer through net.Socket's documented `onread` option. Getting the handles means taking over the
 *   listening handle's accept callback (takeOverAccepts), a Node internal.
 * - 'bare' (opt-in): RawSocket on the libuv handle (process.binding, DEP0111; a read's return value picks
 *   where the next read lands), on taken-over accepts as well.
 *
 * An opt-in layer is used only after a loopback pair on it has shown, by the bytes seen, that the takeover
 * delivers the accepted handle, that reads carry the bytes sent intact and land exactly where they were
 * directed with nothing stale, and that bytes written arrive; otherwise the server runs on 'net' and
 * says why.
 */
import { connect, createServer, type Socket } from 'node:net';
import { isTcpHandle, loadLibuvStreamsOrReason, type LibuvStreams } from './libuv-stream.js';
import type { ServerSocket } from './server-socket.js';
import { ReadRoute } from './read-route.js';
import { socketOnAcceptedHandle, takeOverAccepts } from './shared-reads.js';

export type SocketLayer = 'net' | 'shared-reads' | 'bare';
export const SOCKET_LAYERS: readonly SocketLayer[] = ['net', 'shared-reads', 'bare'];

/** The layer a server will use: what was asked for, or what it fell back to and why. */
export interface SocketLayerChoice {
  layer: SocketLayer;
  /** Why the layer in effect is not the one asked for; null when it is. */
  fallbackReason: string | null;
  /** Set for 'bare'. */
  streams: LibuvStreams | null;
}

/** How long a loopback proof may take before its layer is declared unproven: a safety net only. */
const PROOF_DEADLINE_MS = 10_000;

/**
 * Each opt-in layer's proof outcome, once per process (the internals are process-wide, so is their
 * behaviour): two single values, not state that grows per server.
 */
let sharedReadsProof: Promise<string | null> | null = null;
let bareProof: Promise<string | null> | null = null;

function publicLayer(fallbackReason: string | null): SocketLayerChoice {
  return { layer: 'net', fallbackReason, streams: null };
}

export async function chooseSocketLayer(requested: SocketLayer): Promise<SocketLayerChoice> {
  switch (requested) {
    case 'net':
      return publicLayer(null);
    case 'shared-reads': {
      sharedReadsProof ??= proveSharedReads(null);
      const failure = await sharedReadsProof;
      if (failure !== null) return publicLayer(`shared reads failed their loopback check: ${failure}`);
      return { layer: 'shared-reads', fallbackReason: null, streams: null };
    }
    case 'bare': {
      const streams = loadLibuvStreamsOrReason();
      if (typeof streams === 'string') return publicLayer(streams);
      bareProof ??= proveSharedReads(streams);
      const failure = await bareProof;
      if (failure !== null) return publicLayer(`bare handles failed their loopback check: ${failure}`);
      return { layer: 'bare', fallbackReason: null, streams };
    }
  }
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
 * Proves an opt-in layer over a loopback pair: a net.Server whose accepting is taken over, one client, and
 * the socket the server would build on the accepted handle (socketOnAcceptedHandle: a RawSocket when
 * `streams` is given, the 'bare' proof; a net.Socket reading into a shared buffer when null, the
 * 'shared-reads' proof). Checks, by the bytes seen: the accepted handle reaches the taken-over callback
 * (not a plain 'connection' event); each read delivers exactly what the peer sent (never stale bytes of an
 * earlier read); reads land at the start of the shared buffer, or in `route.direct` when the previous read
 * set it, and back in the shared buffer when it is cleared; bytes written reach the peer intact. Null when
 * all held, else what went wrong.
 */
export async function proveSharedReads(streams: LibuvStreams | null): Promise<string | null> {
  const server = createServer({ allowHalfOpen: true });
  let client: Socket | null = null;
  let subject: ServerSocket | null = null;
  let deadline: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const accepted = new Promise<{ handle: unknown } | string>((resolve) => {
      if (!takeOverAccepts(server, (handle) => resolve({ handle }))) {
        resolve('the listening handle has no accept callback to take over');
        return;
      }
      server.once('connection', (socket: Socket) => {
        socket.destroy();
        resolve('this Node does not call the taken-over accept callback');
      });
    });
    const port = (server.address() as { port: number }).port;
    const peer = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    client = peer;
    peer.on('error', () => {});
    const timedOut = new Promise<string>((resolve) => {
      deadline = setTimeout(() => resolve(`no result within ${PROOF_DEADLINE_MS} ms`), PROOF_DEADLINE_MS);
      deadline.unref();
    });
    return await Promise.race([timedOut, runProof(streams, peer, accepted, (s) => (subject = s))]);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(deadline);
    (subject as ServerSocket | null)?.destroy();
    client?.destroy();
    server.close();
  }
}

async function runProof(
  streams: LibuvStreams | null,
  peer: Socket,
  accepted: Promise<{ handle: unknown } | string>,
  keep: (socket: ServerSocket) => void,
): Promise<string | null> {
  const taken = await accepted;
  if (typeof taken === 'string') return taken;
  const { handle } = taken;
  if (streams !== null && !isTcpHandle(handle)) return 'an accepted handle lacks a method RawSocket calls';
  const shared = Buffer.alloc(64 * 1024);
  const route = new ReadRoute();
  const socket = socketOnAcceptedHandle(handle, route, shared, streams);
  keep(socket);
  socket.on('error', () => {});
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
        if (chunk.buffer !== where.buffer || chunk.byteOffset !== at)
          misplaced ??= 'a read landed somewhere other than where it was directed';
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
    socket.write(reply);
  });
  if (!Buffer.concat(echoed).equals(reply)) return 'the bytes written differ from the bytes the peer received';
  return null;
}

/** The layer asked for by the environment (WSMATRIX_CORE_SOCKETS), else 'net'. */
export function socketLayerFromEnv(): SocketLayer {
  const fromEnv = process.env.WSMATRIX_CORE_SOCKETS;
  if (fromEnv === undefined || fromEnv === '') return 'net';
  if ((SOCKET_LAYERS as readonly string[]).includes(fromEnv)) return fromEnv as SocketLayer;
  throw new RangeError(
    `WSMATRIX_CORE_SOCKETS must be one of ${SOCKET_LAYERS.join(', ')}, got ${JSON.stringify(fromEnv)}`,
  );
}
