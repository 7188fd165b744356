/**
 * Small constructors used by the group modules to keep the case data terse. They only build plain
 * objects of the schema in types.ts.
 */
import type { CaseDef, ExpectedClose, ExpectedEvent, FrameStep, PayloadSpec, Step } from './types.js';

export const CLOSE_NORMAL = 1000;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_INVALID_PAYLOAD = 1007;

/** `n` copies of a text pattern ("*" x 125). */
export const rep = (pattern: string | { hex: string }, length: number): PayloadSpec => ({ repeat: pattern, length });
/** `n` copies of one byte given in hex (0xfe x 125). */
export const repHex = (byteHex: string, length: number): PayloadSpec => ({ repeat: { hex: byteHex }, length });
export const hex = (h: string): PayloadSpec => ({ hex: h });

type FrameOpts = { fin?: boolean; rsv?: number; chop?: number; sync?: boolean };

/** A `frame` step. Only the options given are set, so the data stays minimal. */
export function frame(opcode: number, payload?: PayloadSpec, opts: FrameOpts = {}): Step {
  const f: FrameStep = { opcode };
  if (payload !== undefined) f.payload = payload;
  if (opts.fin !== undefined) f.fin = opts.fin;
  if (opts.rsv !== undefined) f.rsv = opts.rsv;
  const step: Extract<Step, { kind: 'frame' }> = { kind: 'frame', frame: f };
  if (opts.chop !== undefined) step.chop = opts.chop;
  if (opts.sync !== undefined) step.sync = opts.sync;
  return step;
}

export function message(binary: boolean, payload: PayloadSpec, fragmentSize?: number): Step {
  return fragmentSize === undefined
    ? { kind: 'message', binary, payload }
    : { kind: 'message', binary, payload, fragmentSize };
}

export function close(code?: number, reason?: PayloadSpec): Step {
  const s: Extract<Step, { kind: 'close' }> = { kind: 'close' };
  if (code !== undefined) s.code = code;
  if (reason !== undefined) s.reason = reason;
  return s;
}

export const killAfter = (ms: number): Step => ({ kind: 'killAfter', ms });
export const closeAfter = (ms: number): Step => ({ kind: 'closeAfter', ms });

export const msgEvent = (payload: PayloadSpec, binary = false): ExpectedEvent => ({ type: 'message', payload, binary });
export const textEvent = (payload: PayloadSpec): ExpectedEvent => msgEvent(payload, false);
export const binaryEvent = (payload: PayloadSpec): ExpectedEvent => msgEvent(payload, true);
export const pongEvent = (payload: PayloadSpec): ExpectedEvent => ({ type: 'pong', payload });
export const timeoutEvent = (marker: string): ExpectedEvent => ({ type: 'timeout', marker });

/** The runner closes with 1000 once the expected events are in; the close must be clean. */
export const normalCloseByMe = (): ExpectedClose => ({
  closedByMe: true,
  closeCode: [CLOSE_NORMAL],
  requireClean: true,
});

/** The server must fail the connection (close code `code`, default 1002); a clean close is not required. */
export const serverFails = (code = CLOSE_PROTOCOL_ERROR): ExpectedClose => ({
  closedByMe: false,
  closeCode: [code],
  requireClean: false,
});

/** Invalid UTF-8: the server must fail with 1007; if the runner had to close instead, behavior is FAILED. */
export const serverFailsUtf8 = (): ExpectedClose => ({
  closedByMe: false,
  closeCode: [CLOSE_INVALID_PAYLOAD],
  requireClean: false,
  closedByWrongEndpointIsFatal: true,
});

/**
 * Milliseconds after open at which the last scheduled action of a step list fires: waits accumulate,
 * each timer ends at (time it was armed + its delay).
 */
export function scheduledSpanMs(steps: readonly Step[]): number {
  let t = 0;
  let end = 0;
  for (const s of steps) {
    switch (s.kind) {
      case 'wait':
        t += s.ms;
        break;
      case 'frameParts':
        for (const w of s.waits) t += w.ms;
        break;
      case 'killAfter':
      case 'closeAfter':
        end = Math.max(end, t + s.ms);
        break;
      default:
        break;
    }
  }
  return Math.max(end, t);
}

/** Fills `timeLimitMs` from the steps or the echo timeout. */
export function withTimeLimit(c: CaseDef): CaseDef {
  const limit = c.echoTiming
    ? c.echoTiming.timeoutMs
    : c.compressedEcho
      ? c.compressedEcho.timeoutMs
      : scheduledSpanMs(c.steps);
  return { ...c, timeLimitMs: limit };
}
