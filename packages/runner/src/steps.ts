import { payloadBytes, type PartWait, type PayloadSpec, type Step } from '@wsmatrix/cases';
import type { FuzzingConnection } from './fuzzing-connection.js';
import type { ObservedEvent } from './verdict.js';

/** What the step player needs from the case run besides the steps. */
export interface StepContext {
  connection: FuzzingConnection;
  /** Observed events; `wait` markers are appended here. */
  received: ObservedEvent[];
  /** Timers armed by the steps, cleared when the case ends. */
  timers: NodeJS.Timeout[];
}

function isRepeat(spec: PayloadSpec | undefined): boolean {
  return typeof spec === 'object' && spec !== null && 'repeat' in spec;
}

/**
 * Plays a case's steps in order, with the semantics documented on `Step` in @wsmatrix/cases: frames go
 * out in any state but closed, messages and closes only while open, waits stop the case once the
 * connection is closed (or, with requireOpen, no longer open), timers fire later without blocking.
 */
export async function playSteps(steps: readonly Step[], ctx: StepContext): Promise<void> {
  const { connection } = ctx;
  for (const step of steps) {
    if (connection.state === 'closed') return;
    switch (step.kind) {
      case 'frame': {
        const payload = payloadBytes(step.frame.payload ?? '');
        const sending = connection.sendFrame(
          {
            opcode: step.frame.opcode,
            payload,
            fin: step.frame.fin ?? true,
            rsv: step.frame.rsv ?? 0,
            repeatLength: isRepeat(step.frame.payload) ? payload.length : null,
          },
          step.chop ?? 0,
          step.sync ?? false,
        );
        // Chopped and sync writes finish before the next step, as Autobahn's are flushed in order.
        if (step.chop || step.sync) await sending;
        break;
      }
      case 'message':
        await connection.sendMessage(payloadBytes(step.payload), step.binary, step.fragmentSize ?? 0);
        break;
      case 'close':
        connection.sendCloseFrame(
          step.code ?? null,
          step.reason === undefined ? null : payloadBytes(step.reason),
          false,
        );
        break;
      case 'wait':
        if (!(await pause(step, ctx))) return;
        break;
      case 'frameParts':
        if (!(await sendFrameParts(step, ctx))) return;
        break;
      case 'killAfter':
        // Autobahn's killAfter: fail the connection (a Close 1001 while open, a drop while closing).
        armTimer(ctx, step.ms, 'KL', 'KLE', () => connection.failConnection());
        break;
      case 'closeAfter':
        // Autobahn's closeAfter: a Close with no code, unless a close is already under way.
        armTimer(ctx, step.ms, 'TI', 'TIE', () => connection.sendCloseFrame(null, null, false));
        break;
      default:
        throw new Error(`unknown step ${JSON.stringify(step satisfies never)}`);
    }
  }
}

/** A timer that does not block the steps; it logs when armed and when it fires, and is moot once closed. */
function armTimer(ctx: StepContext, ms: number, armedTag: string, firedTag: string, action: () => void): void {
  ctx.connection.wirelog.add([armedTag, ms / 1000]);
  ctx.timers.push(
    setTimeout(() => {
      if (ctx.connection.state === 'closed') return;
      ctx.connection.wirelog.add([firedTag]);
      action();
    }, ms),
  );
}

/** Autobahn's continueLater: false when the rest of the case must be skipped. */
async function pause(wait: PartWait, ctx: StepContext): Promise<boolean> {
  const { connection } = ctx;
  const tag = wait.marker ?? null;
  connection.wirelog.add(['CT', wait.ms / 1000, tag]);
  await new Promise<void>((resolve) => ctx.timers.push(setTimeout(resolve, wait.ms)));
  if (connection.state === 'closed') return false;
  if (wait.requireOpen && connection.state !== 'open') return false;
  connection.wirelog.add(['CTE', tag]);
  if (wait.marker !== undefined) ctx.received.push({ type: 'timeout', marker: wait.marker });
  return true;
}

/**
 * One frame whose bytes go out in several writes with pauses between (6.4.3 / 6.4.4, Autobahn's
 * beginMessageFrame + sendMessageFrameData): the header with the first part, then after each pause the
 * next part. The frame is encoded (and, by a client, masked) once, so the mask continues across parts.
 */
async function sendFrameParts(step: Extract<Step, { kind: 'frameParts' }>, ctx: StepContext): Promise<boolean> {
  const { connection } = ctx;
  if (connection.state !== 'open') return true;
  const payload = payloadBytes(step.frame.payload ?? '');
  const bytes = connection.encodeForParts({
    opcode: step.frame.opcode,
    payload,
    fin: step.frame.fin ?? true,
    rsv: step.frame.rsv ?? 0,
  });
  let offset = 0;
  let end = bytes.length - payload.length;
  for (let i = 0; i < step.parts.length; i++) {
    if (i > 0) {
      const wait = step.waits[i - 1];
      if (wait && !(await pause(wait, ctx))) return false;
    }
    end += step.parts[i]!;
    if (connection.state === 'open') await connection.writeRaw(bytes.subarray(offset, end));
    offset = end;
  }
  return true;
}
