/** Messages between the coordinator of a load job and its shares (threads). */
import type { Workload } from '../workloads.js';
import type { WireProtocol } from './client-connection.js';

/** What one measurement does against one server. */
export interface LoadJob {
  workload: Workload;
  host: string;
  port: number;
  protocol: WireProtocol;
  /**
   * Measure over permessage-deflate: offer it, fail any connection whose server declines, send
   * pre-compressed messages of compressible data and require compressed replies. Set by the driver for
   * targets named `…+deflate`; absent means false.
   */
  deflate?: boolean;
}

/** What a deflate echo job saw of compression, over the whole job (warm-up and drain included). */
export interface DeflateTally {
  /** Size of the message sent, uncompressed, and its payload bytes on the wire (pre-compressed once). */
  messageBytes: number;
  messageWireBytes: number;
  /** Replies received, and how many of them were compressed (RSV1 on their first frame). */
  replies: number;
  compressedReplies: number;
  /** Payload bytes of all replies as they came over the wire (compressed, frame headers excluded). */
  replyWireBytes: number;
}

/** Absolute times (ms since the epoch, sub-ms precision): traffic counts only between start and end. */
export interface MeasureWindow {
  start: number;
  /** The planned end. */
  end: number;
  /**
   * Holds the window open past `end` until this share counted `completed` events in it, never past
   * `latest`: a window then holds enough events however slow the machine is (see WindowGate).
   */
  extend?: { completed: number; latest: number };
}

/** What one share (one thread's connections or loops) measured. */
export interface ShareResult {
  /** Messages (echo) or connections (handshake) completed inside the window. */
  completed: number;
  /** When the window closed (absNow()): its planned end, or later when it was held open. */
  windowEnd: number;
  /** Payload bytes of the replies completed inside the window. */
  payloadBytes: number;
  /** Messages sent and replies received over the whole job, warm-up and drain included. */
  sent: number;
  received: number;
  /** Latency histogram of the window, sparse [bucket, count] pairs, microseconds. */
  latency: [number, number][];
  errorCount: number;
  /** The first few error messages. */
  errors: string[];
  /** Deflate echo jobs only. */
  deflate?: DeflateTally;
}

/** A share's load: prepare() opens what must exist before timing, run() drives traffic. */
export interface LoadShare {
  prepare(): Promise<void>;
  /** Starts traffic now (warm-up runs until window.start) and resolves once closed down. */
  run(window: MeasureWindow): Promise<ShareResult>;
}

/** Wall clock with sub-millisecond precision, comparable across worker threads. */
export function absNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves at `time` (absNow()), at once when it has passed. */
export function sleepUntil(time: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - absNow())));
}
