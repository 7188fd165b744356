import type { Behavior, BehaviorClose, CaseDef, ExpectedClose } from '@wsmatrix/cases';
import type { ClosingRecord } from './closing-record.js';

/** An observed event in Autobahn's shape: ["message", payload, binary] | ["pong", payload] | ["timeout", marker]. */
export type ObservedEvent =
  | { type: 'message'; payload: Buffer; binary: boolean }
  | { type: 'ping'; payload: Buffer }
  | { type: 'pong'; payload: Buffer }
  | { type: 'timeout'; marker: string };

/** Expected sequences, already expanded to bytes. */
export type ExpectedSequences = Partial<Record<'OK' | 'NON-STRICT', ObservedEvent[]>>;

export interface Verdict {
  behavior: Behavior;
  behaviorClose: BehaviorClose;
  result: string;
  resultClose: string;
}

export function eventsEqual(a: readonly ObservedEvent[], b: readonly ObservedEvent[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.type !== y.type) return false;
    if (x.type === 'timeout') {
      if (x.marker !== (y as typeof x).marker) return false;
      continue;
    }
    if (x.type === 'message' && x.binary !== (y as typeof x).binary) return false;
    if (!x.payload.equals((y as { payload: Buffer }).payload)) return false;
  }
  return true;
}

/** What an engine that judges the events itself (groups 9, 12, 13, 14) decided while the case ran. */
export interface EchoOutcome {
  behavior: Behavior;
  result: string;
  /** The close rule that applies to how the case ended, in place of the case's own (group 14). */
  expectedClose?: ExpectedClose;
}

export interface VerdictInput {
  def: CaseDef;
  expected: ExpectedSequences;
  received: readonly ObservedEvent[];
  connectionWasOpen: boolean;
  record: ClosingRecord;
  /** For cases whose engine judges the events (echo timing, compressed echo, deflate edge). */
  echoOutcome?: EchoOutcome | undefined;
  /** For cases that check the runner's own transmitted frames (10.1.1). */
  txFrameStats: Record<number, number>;
}

/**
 * Autobahn's verdict (case.py onConnectionLost and the cases' overrides), as a pure function of what was
 * observed, for either role (`record.isServer`): the first expected sequence equal to the received events
 * gives `behavior`; the close checks run in Autobahn's order (never opened, wrong endpoint, unclean, wrong
 * code, and in the client role only: client had to drop).
 */
export function computeVerdict(input: VerdictInput): Verdict {
  const { def, record } = input;
  let behavior: Behavior = 'FAILED';
  let result = 'Actual events differ from any expected.';
  if (input.echoOutcome) {
    behavior = input.echoOutcome.behavior;
    result = input.echoOutcome.result;
  } else {
    for (const outcome of ['OK', 'NON-STRICT'] as const) {
      const sequence = input.expected[outcome];
      if (sequence && eventsEqual(input.received, sequence)) {
        behavior = outcome;
        result = 'Actual events match at least one expected.';
        break;
      }
    }
  }

  let behaviorClose: BehaviorClose;
  let resultClose: string;
  const expectedClose = input.echoOutcome?.expectedClose ?? def.expectedClose;
  if (!input.connectionWasOpen) {
    behaviorClose = 'FAILED';
    resultClose = 'The WebSocket opening handshake was never completed!';
  } else {
    if (expectedClose.closedByMe !== record.closedByMe) {
      behaviorClose = 'FAILED';
      resultClose = 'The connection was failed by the wrong endpoint';
    } else if (expectedClose.requireClean && !record.wasClean) {
      behaviorClose = 'UNCLEAN';
      resultClose = 'The spec requires the connection to be failed cleanly here';
    } else if (record.remoteCloseCode !== null && !expectedClose.closeCode.includes(record.remoteCloseCode)) {
      behaviorClose = 'WRONG CODE';
      resultClose = `The close code should have been ${expectedClose.closeCode.join(',')} or empty`;
    } else if (!record.isServer && record.droppedByMe) {
      // Only the client role prefers the peer to drop TCP: a server drops it itself (case.py).
      behaviorClose = 'FAILED BY CLIENT';
      resultClose = 'It is preferred that the server close the TCP connection';
    } else {
      behaviorClose = 'OK';
      resultClose = 'Connection was properly closed';
    }
    // UTF-8 cases: if we had to close, the server never noticed the invalid text.
    if (expectedClose.closedByWrongEndpointIsFatal && expectedClose.closedByMe !== record.closedByMe) {
      behavior = 'FAILED';
    }
  }

  if (def.wrongCodeFails && behaviorClose === 'WRONG CODE') {
    behavior = 'FAILED';
    result = resultClose;
  }

  if (def.expectTxFrames) {
    if (!input.connectionWasOpen) {
      behavior = 'FAILED';
      result = 'WebSocket connection was never open';
    } else {
      const got: Record<number, number> = {};
      let same = true;
      for (const [opcode, count] of Object.entries(def.expectTxFrames)) {
        const sent = input.txFrameStats[Number(opcode)] ?? 0;
        got[Number(opcode)] = sent;
        if (sent !== count) same = false;
      }
      if (!same) {
        behavior = 'FAILED';
        result =
          `Frames transmitted ${JSON.stringify(got)} does not match ` +
          `what we expected ${JSON.stringify(def.expectTxFrames)}.`;
      }
    }
  }

  if (def.informational) {
    // Keep what the normal evaluation found as the explanation, then report INFORMATIONAL either way.
    const peer = record.isServer ? 'client' : 'server';
    if (!def.expected['NON-STRICT']) result = `What the ${peer} does here is not defined by the spec.`;
    else if (behavior === 'OK') result = 'The message was echoed before the close was processed.';
    else if (behavior === 'NON-STRICT') result = 'The close was processed before the message could be echoed.';
    behavior = 'INFORMATIONAL';
    behaviorClose = 'INFORMATIONAL';
  }

  // A connection that never opened tested nothing. Autobahn would still match the empty event list
  // against a case that expects no events (5.1: the server must fail the connection, so nothing comes
  // back) and read OK; here such a case is FAILED on both counts, in Autobahn's vocabulary.
  if (!input.connectionWasOpen) {
    behavior = 'FAILED';
    behaviorClose = 'FAILED';
    result = 'The WebSocket connection never opened, so nothing was tested.';
  }
  return { behavior, behaviorClose, result, resultClose };
}
