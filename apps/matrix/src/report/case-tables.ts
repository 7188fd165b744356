/** Tables of a case page: expected vs observed events, the closing behaviour, the wire statistics. */
import type { CaseResult } from '@wsmatrix/runner';
import { attrs, esc, table, truncateText } from './html.js';
import { verdictClass } from './verdicts.js';
import { opcodeName } from './wirelog-render.js';

const MAX_EVENTS = 200;
const PAYLOAD_CHARS = 240;

/** A value as shown in tables: strings escaped and bounded, everything else as JSON. */
export function renderValue(v: unknown, max = PAYLOAD_CHARS): string {
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
    const extra = e[0] === 'message' && e.length > 2 ? (e[2] === true ? 'binary' : e[2] === false ? 'text' : renderValue(e[2])) : e.slice(2).map((x) => renderValue(x)).join(', ');
    return [String(i + 1), type, payload, extra];
  });
  if (list.length > MAX_EVENTS) rows.push(['', '', `<span class="more">… ${list.length - MAX_EVENTS} more events</span>`, '']);
  return table(['#', 'Event', 'Payload', 'Kind'], rows, attributes);
}

export function renderExpectedVsObserved(r: CaseResult): string {
  const expected = r.expected && typeof r.expected === 'object' ? r.expected : {};
  const parts: string[] = [];
  for (const [outcome, events] of Object.entries(expected)) {
    const matched = outcome === r.behavior ? ' <span class="v b-ok">matched</span>' : '';
    parts.push(`<h3>Expected for <span class="v b-${verdictClass(outcome)}">${esc(outcome)}</span>${matched}</h3>`);
    parts.push(renderEvents(events, { class: `events expected${outcome === r.behavior ? ' matched' : ''}`, 'data-outcome': outcome }));
  }
  if (parts.length === 0) parts.push('<p class="note">This case has no expected event list (its verdict is decided otherwise).</p>');
  parts.push('<h3>Observed</h3>');
  parts.push(renderEvents(r.received, { class: 'events observed', id: 'observed-events' }));
  return parts.join('\n');
}

/** The closing fields in Autobahn's order with what each means. */
export const CLOSING_FIELDS: readonly [keyof CaseResult & string, string][] = [
  ['isServer', 'True when the fuzzer is the server and the peer a client (false here: we test servers).'],
  ['closedByMe', 'True when the fuzzer started the closing handshake (sent the first Close).'],
  ['failedByMe', 'True when the fuzzer failed the WebSocket connection (protocol error), by a Close or by dropping TCP.'],
  ['droppedByMe', 'True when the fuzzer dropped the TCP connection.'],
  ['wasClean', 'True when the full closing handshake happened (Close sent and received) and the server dropped TCP.'],
  ['wasNotCleanReason', 'When not clean: what happened.'],
  ['wasServerConnectionDropTimeout', 'True when the server should have dropped TCP after the closing handshake but did not in time.'],
  ['wasOpenHandshakeTimeout', 'True when the opening handshake did not finish in time.'],
  ['wasCloseHandshakeTimeout', 'True when the fuzzer started the closing handshake and the server did not answer in time.'],
  ['localCloseCode', 'The close code the fuzzer sent (if any).'],
  ['localCloseReason', 'The close reason the fuzzer sent (if any).'],
  ['remoteCloseCode', 'The close code the server sent (if any).'],
  ['remoteCloseReason', 'The close reason the server sent (if any).'],
];

export function renderClosing(r: CaseResult): string {
  const rows = CLOSING_FIELDS.map(([key, why]) => [`<code>${esc(key)}</code>`, renderValue((r as unknown as Record<string, unknown>)[key]), esc(why)]);
  const out = [table(['Key', 'Value', 'Description'], rows, { class: 'closing', id: 'closing-table' })];
  const ec = r.expectedClose as unknown as Record<string, unknown> | undefined;
  if (ec && typeof ec === 'object') {
    out.push('<h3>Expected close</h3>');
    out.push(table(['Key', 'Value'], Object.entries(ec).map(([k, v]) => [`<code>${esc(k)}</code>`, renderValue(v)]), { class: 'expected-close' }));
  }
  if (r.connectFailure) out.push(`<p class="note">Connection failure: <code>${esc(r.connectFailure.kind)}</code> ${esc(r.connectFailure.message)}</p>`);
  return out.join('\n');
}

function numericEntries(stats: unknown): [number, number][] {
  if (!stats || typeof stats !== 'object') return [];
  return Object.entries(stats as Record<string, unknown>)
    .map(([k, v]) => [Number(k), Number(v)] as [number, number])
    .filter(([k, v]) => Number.isFinite(k) && Number.isFinite(v))
    .sort((a, b) => a[0] - b[0]);
}

function octetTable(stats: unknown, id: string): string {
  const entries = numericEntries(stats);
  const rows = entries.map(([size, count]) => [`<span class="num">${size}</span>`, String(count), String(size * count)]);
  const total = entries.reduce((s, [size, count]) => s + size * count, 0);
  const writes = entries.reduce((s, [, count]) => s + count, 0);
  rows.push(['<strong>Total</strong>', `<strong>${writes}</strong>`, `<strong>${total}</strong>`]);
  return table(['Chop size', 'Count', 'Octets'], rows, { class: 'stats', id });
}

function frameTable(stats: unknown, id: string): string {
  const entries = numericEntries(stats);
  const rows = entries.map(([op, count]) => [String(op), esc(opcodeName(op)), String(count)]);
  rows.push(['<strong>Total</strong>', '', `<strong>${entries.reduce((s, [, c]) => s + c, 0)}</strong>`]);
  return table(['Opcode', 'Name', 'Count'], rows, { class: 'stats', id });
}

export function renderWireStatistics(r: CaseResult): string {
  return [
    '<h3>Octets received by chop size</h3>',
    octetTable(r.rxOctetStats, 'rx-octets'),
    '<h3>Octets transmitted by chop size</h3>',
    octetTable(r.txOctetStats, 'tx-octets'),
    '<h3>Frames received by opcode</h3>',
    frameTable(r.rxFrameStats, 'rx-frames'),
    '<h3>Frames transmitted by opcode</h3>',
    frameTable(r.txFrameStats, 'tx-frames'),
  ].join('\n');
}
