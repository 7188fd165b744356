import { payloadBytes, type CaseDef, type ExpectedEvent } from '@wsmatrix/cases';
import type { ExpectedSequences, ObservedEvent } from './verdict.js';
import { textPreview } from './wire-log.js';

function expandEvent(event: ExpectedEvent): ObservedEvent {
  switch (event.type) {
    case 'message':
      return { type: 'message', payload: payloadBytes(event.payload), binary: event.binary };
    case 'ping':
      return { type: 'ping', payload: payloadBytes(event.payload) };
    case 'pong':
      return { type: 'pong', payload: payloadBytes(event.payload) };
    case 'timeout':
      return { type: 'timeout', marker: event.marker };
  }
}

/** The case's expected event sequences with their payloads expanded to bytes. */
export function expandExpected(def: CaseDef): ExpectedSequences {
  const out: ExpectedSequences = {};
  for (const outcome of ['OK', 'NON-STRICT'] as const) {
    const sequence = def.expected[outcome];
    if (sequence) out[outcome] = sequence.map(expandEvent);
  }
  return out;
}

/** An event as Autobahn writes it into the case report: ["message", preview, binary], ["pong", preview]... */
export function eventToJson(event: ObservedEvent): unknown[] {
  if (event.type === 'timeout') return ['timeout', event.marker];
  const preview = textPreview(event.payload);
  return event.type === 'message' ? ['message', preview, event.binary] : [event.type, preview];
}
