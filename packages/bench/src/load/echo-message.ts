/**
 * The bytes an echo job sends, built once per share: the workload's message as masked frames, plain or
 * pre-compressed for deflate jobs, and a batch of copies so k messages go out as one write.
 */
import { buildCompressiblePayload } from '../compressible-payload.js';
import { buildMaskedMessage, buildPayload, deflateMessagePayload } from '../frames.js';
import type { EchoWorkload } from '../workloads.js';

/** Messages are copied into one batch buffer up to this size; bigger ones are written one by one (corked). */
const BATCH_LIMIT = 64 * 1024;

export interface EchoMessage {
  /** One message's masked frames. */
  unit: Buffer;
  /** `inFlight` copies of unit back to back, or undefined when too big to batch. */
  batch: Buffer | undefined;
  /** Payload bytes of one message on the wire: its size, or its compressed size. */
  wireBytes: number;
}

/**
 * Deflate jobs send compressible log records, compressed once, then framed (`fragmentSize` cuts the
 * compressed bytes; RSV1 on the first frame only, RFC 7692 §6.1); the others the workload's own payload.
 */
export function buildEchoMessage(workload: EchoWorkload, deflate: boolean): EchoMessage {
  const { opcode, size, fragmentSize, inFlight } = workload;
  const payload = deflate ? deflateMessagePayload(buildCompressiblePayload(size)) : buildPayload(opcode, size);
  const unit = buildMaskedMessage(opcode, payload, fragmentSize, deflate);
  const batch = unit.length * inFlight <= BATCH_LIMIT ? Buffer.concat(Array<Buffer>(inFlight).fill(unit)) : undefined;
  return { unit, batch, wireBytes: payload.length };
}
