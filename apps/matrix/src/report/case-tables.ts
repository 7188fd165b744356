/** Parts of a case page: event tables, the expected event lists, JSON values, the wire statistics as text. */
import type { CaseResult } from '@wsmatrix/runner';
import { attrs, esc, table, truncateText } from './html.js';
import { verdictClass } from './verdicts.js';
import { opcodeName } from './wirelog-render.js';

const MAX_EVENTS = 200;
const PAYLOAD_CHARS = 240;

/** A value as shown in tables: strings escaped and bounded, everything else as JSON. */
function renderValue(v: unknown, max = PAYLOAD_CHARS): string {
  if (v === null || v === undefined) return '<code>null</code>';
  if (typeof v === 'boolean' || typeof v === 'number') return `<code>${esc(String(v))}</code>`;
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  const { shown, more } = truncateText(text, max);
  return esc(shown) + (more > 0 ? ` <span class="more">… ${more} more characters</span>` : '');
}

/** An event list (["message", payload, binary], ["pong", payload], ["timeout", "A"], ...) as a table. */
export function renderEvents(events: unknown, attributes: Record<string, string>): string {
  const list = Array.isArray(events) ? events : [];
  if (list.length === 0) return `<p${attrs({ ...attributes, class: `${attributes.class ?? ''} note` })}>No events.</p>`;
  const rows = list.slice(0, MAX_EVENTS).map((ev, i) => {
    const e = Array.isArray(ev) ? ev : [ev];
    const type = esc(String(e[0] ?? '?'));
    const payload = e.length > 1 ? renderValue(e[1]) : '';
    const extra =
      e[0] === 'message' && e.length > 2
        ? e[2] === true
          ? 'binary'
          : e[2] === false
            ? 'text'
            : renderValue(e[2])
        : e
            .slice(2)
            .map((x) => renderValue(x))
            .join(', ');
    return [String(i + 1), type, payload, extra];
  });
  if (list.length > MAX_EVENTS)
    rows.push(['', '', `<span class="more">… ${list.length - MAX_EVENTS} more events</span>`, '']);
  return table(['#', 'Event', 'Payload', 'Kind'], rows, attributes);
}

/** The case's expected event lists, once, each with the implementations whose behavior it matched. */
export function renderExpected(expected: unknown, results: readonly { label: string; behavior: string }[]): string {
  const lists = expected && typeof expected === 'object' ? Object.entries(expected as Record<string, unknown>) : [];
  if (lists.length === 0)
    return '<p class="note">This case has no expected event list (its verdict is decided otherwise).</p>';
  const parts: string[] = [];
  for (const [outcome, events] of lists) {
    const matchedBy = results.filter((r) => r.behavior === outcome).map((r) => esc(r.label));
    const matched = matchedBy.length ? ` <span class="note">matched by ${matchedBy.join(', ')}</span>` : '';
    parts.push(`<h3>Expected for <span class="v b-${verdictClass(outcome)}">${esc(outcome)}</span>${matched}</h3>`);
    parts.push(renderEvents(events, { class: 'events expected', 'data-outcome': outcome }));
  }
  return parts.join('\n');
}

/** A field's value as JSON (so the string "null" and null differ), escaped and bounded. */
export function jsonValue(v: unknown): string {
  const { shown, more } = truncateText(JSON.stringify(v) ?? 'null', PAYLOAD_CHARS);
  return esc(shown) + (more > 0 ? ` <span class="more">… ${more} more characters</span>` : '');
}

/** The closing fields in Autobahn's order with what each means (explained once, in glossary.html). */
export const CLOSING_FIELDS: readonly [keyof CaseResult & string, string][] = [
  ['isServer', 'True when the fuzzer is the server and the peer a client (false here: we test servers).'],
  ['closedByMe', 'True when the fuzzer started the closing handshake (sent the first Close).'],
  [
    'failedByMe',
    'True when the fuzzer failed the WebSocket connection (protocol error), by a Close or by dropping TCP.',
  ],
  ['droppedByMe', 'True when the fuzzer dropped the TCP connection.'],
  ['wasClean', 'True when the full closing handshake happened (Close sent and received) and the server dropped TCP.'],
  ['wasNotCleanReason', 'When not clean: what happened.'],
  [
    'wasServerConnectionDropTimeout',
    'True when the server should have dropped TCP after the closing handshake but did not in time.',
  ],
  ['wasOpenHandshakeTimeout', 'True when the opening handshake did not finish in time.'],
  [
    'wasCloseHandshakeTimeout',
    'True when the fuzzer started the closing handshake and the server did not answer in time.',
  ],
  ['localCloseCode', 'The close code the fuzzer sent (if any).'],
  ['localCloseReason', 'The close reason the fuzzer sent (if any).'],
  ['remoteCloseCode', 'The close code the server sent (if any).'],
  ['remoteCloseReason', 'The close reason the server sent (if any).'],
];

function numericEntries(stats: unknown): [number, number][] {
  if (!stats || typeof stats !== 'object') return [];
  return Object.entries(stats as Record<string, unknown>)
    .map(([k, v]) => [Number(k), Number(v)] as [number, number])
    .filter(([k, v]) => Number.isFinite(k) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
}

/** "206 × 1 · 2 × 1 (208 octets in 2 pieces)": octets by chop size, as Autobahn counts them. */
function octetLine(stats: unknown): string {
  const entries = numericEntries(stats);
  if (entries.length === 0) return '<span class="note">none</span>';
  const total = entries.reduce((s, [size, count]) => s + size * count, 0);
  const pieces = entries.reduce((s, [, count]) => s + count, 0);
  return (
    `${entries.map(([size, count]) => `${size} × ${count}`).join(' · ')} ` +
    `<small>(${total} octets in ${pieces} piece${pieces === 1 ? '' : 's'})</small>`
  );
}

/** "TEXT × 1 · CLOSE × 1 (2 frames)": frames by opcode. */
function frameLine(stats: unknown): string {
  const entries = numericEntries(stats);
  if (entries.length === 0) return '<span class="note">none</span>';
  const frames = entries.reduce((s, [, c]) => s + c, 0);
  return (
    `${entries.map(([op, count]) => `${esc(opcodeName(op))} × ${count}`).join(' · ')} ` +
    `<small>(${frames} frame${frames === 1 ? '' : 's'})</small>`
  );
}

/** The four wire statistics of a result as lines of text. */
export function statsLines(r: CaseResult): { rxOctets: string; txOctets: string; rxFrames: string; txFrames: string } {
  return {
    rxOctets: octetLine(r.rxOctetStats),
    txOctets: octetLine(r.txOctetStats),
    rxFrames: frameLine(r.rxFrameStats),
    txFrames: frameLine(r.txFrameStats),
  };
}
