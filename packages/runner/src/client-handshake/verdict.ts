/**
 * The verdict of a client handshake case from what the client sent back, with the rules stated in
 * packages/cases client-handshake-case.ts. Pure: the observation in, the verdict out. The vocabulary is
 * the server group 0's (handshake-verdict.ts): OK / NON-STRICT / INFORMATIONAL / FAILED, and OK or
 * INFORMATIONAL for the way the connection ended.
 */
import type { ClientRequirement } from '@wsmatrix/cases';
import type { Verdict } from '../verdict.js';

/** The client's first decisive answer to our response and probe. */
export type ClientReply =
  /** Not a byte. */
  | { kind: 'none' }
  /**
   * Bytes that start a new HTTP request: the client read our response as HTTP. `served`: the fuzzingserver
   * took the request as one of its own (a pooled connection's next request), else the runner ended TCP.
   */
  | { kind: 'http-request'; preview: string; served: boolean }
  /** A Close frame before any data frame. */
  | { kind: 'close'; code: number | null }
  /** A masked text message with exactly the probe's bytes. */
  | { kind: 'echo' }
  /** A data message that is not the probe. */
  | { kind: 'other-message'; detail: string }
  /** Bytes that are not a valid client frame. */
  | { kind: 'invalid'; message: string };

export interface ClientObservation {
  reply: ClientReply;
  /** Pings and Pongs the client sent before its reply (a client that sends them took the connection). */
  controlFrames: number;
  /** The runner sent its Close and received the client's (in either order). */
  closeHandshake: boolean;
  /** The runner had to destroy the connection at a deadline (the client neither closed nor answered). */
  droppedByRunner: boolean;
  /** The window the client had, for the texts. */
  windowMs: number;
}

/** The client used the connection as a WebSocket: any frame other than a lone Close. */
function tookConnection(obs: ClientObservation): boolean {
  const k = obs.reply.kind;
  return k === 'echo' || k === 'other-message' || k === 'invalid' || obs.controlFrames > 0;
}

function whatItSent(obs: ClientObservation): string {
  const r = obs.reply;
  switch (r.kind) {
    case 'none':
      return obs.controlFrames > 0
        ? `sent ${obs.controlFrames} Ping/Pong frame(s) and no message`
        : obs.droppedByRunner
          ? `sent nothing within ${obs.windowMs} ms and kept the connection open`
          : 'closed the connection without sending a frame';
    case 'http-request':
      return `sent a new HTTP request on the connection ("${r.preview}") instead of a frame`;
    case 'close':
      return `sent a Close frame${r.code === null ? ' without a code' : ` with code ${r.code}`} and no data`;
    case 'echo':
      return 'echoed the probe';
    case 'other-message':
      return `sent a message that is not the probe's echo (${r.detail})`;
    case 'invalid':
      return `sent bytes that are not a valid client frame (${r.message})`;
  }
}

function behaviorOf(req: ClientRequirement, obs: ClientObservation): Pick<Verdict, 'behavior' | 'result'> {
  const sent = `The client ${whatItSent(obs)}`;
  if (req.kind === 'refuse') {
    if (tookConnection(obs)) return { behavior: req.onAccept, result: `${sent}: it took a connection it must fail.` };
    if (obs.reply.kind === 'close')
      return {
        behavior: 'NON-STRICT',
        result: `${sent}: it failed the connection, but with a Close frame, as if the connection had been established.`,
      };
    return { behavior: 'OK', result: `${sent}: it failed the connection, as required.` };
  }
  switch (obs.reply.kind) {
    case 'echo':
      return { behavior: 'OK', result: `${sent}: it took the connection, as required.` };
    case 'other-message':
    case 'invalid':
      return { behavior: 'FAILED', result: `${sent}.` };
    default:
      return { behavior: req.onRefuse, result: `${sent}: it refused a response it must take.` };
  }
}

function closeOf(obs: ClientObservation): Pick<Verdict, 'behaviorClose' | 'resultClose'> {
  if (tookConnection(obs)) {
    return obs.closeHandshake
      ? { behaviorClose: 'OK', resultClose: 'The WebSocket close handshake completed and the connection ended.' }
      : {
          behaviorClose: 'INFORMATIONAL',
          resultClose: obs.droppedByRunner
            ? 'The client did not complete the close handshake in time; the runner dropped the connection.'
            : 'The client ended TCP without completing the close handshake.',
        };
  }
  if (obs.reply.kind === 'http-request')
    return {
      behaviorClose: 'OK',
      resultClose: obs.reply.served
        ? 'The fuzzingserver served the new HTTP request as a request of its own, on this connection.'
        : 'The runner ended the connection after the new HTTP request.',
    };
  return obs.droppedByRunner
    ? {
        behaviorClose: 'INFORMATIONAL',
        resultClose: 'The client left the connection open; the runner dropped it.',
      }
    : { behaviorClose: 'OK', resultClose: 'The client ended the connection.' };
}

export function clientHandshakeVerdict(requirement: ClientRequirement, obs: ClientObservation): Verdict {
  return { ...behaviorOf(requirement, obs), ...closeOf(obs) };
}
