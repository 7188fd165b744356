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

/** The closing fields in Autobahn's order with what each means (explained once, in glossary.html). */
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

/** A record's fields as key/value rows, values as JSON (so the string "null" and null differ), in monospace by CSS. */
function keyValueTable(entries: [string, unknown][], attributes: Record<string, string>): string {
  const json = (v: unknown) => {
    const { shown, more } = truncateText(JSON.stringify(v) ?? 'null', PAYLOAD_CHARS);
    return esc(shown) + (more > 0 ? ` <span class="more">… ${more} more characters</span>` : '');
  };
  return `<table${attrs(attributes)}><tbody>${entries.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${json(v)}</td></tr>`).join('')}</tbody></table>`;
}

export function renderClosing(r: CaseResult, glossaryHref: string): string {
  const rows = CLOSING_FIELDS.map(([key]) => [key, (r as unknown as Record<string, unknown>)[key]] as [string, unknown]);
  const out = [
    `<p class="note">Autobahn's closing record; <a href="${esc(glossaryHref)}#closing">what each field means</a>.</p>`,
    keyValueTable(rows, { class: 'closing kv', id: 'closing-table' }),
  ];
  const ec = r.expectedClose as unknown as Record<string, unknown> | undefined;
  if (ec && typeof ec === 'object') {
    out.push('<h3>Expected close</h3>');
    out.push(keyValueTable(Object.entries(ec), { class: 'expected-close kv' }));
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

/** "206 × 1 · 2 × 1 (208 octets in 2 pieces)": octets by chop size, as Autobahn counts them. */
function octetLine(stats: unknown): string {
  const entries = numericEntries(stats);
  if (entries.length === 0) return '<span class="note">none</span>';
  const total = entries.reduce((s, [size, count]) => s + size * count, 0);
  const pieces = entries.reduce((s, [, count]) => s + count, 0);
  return `${entries.map(([size, count]) => `${size} × ${count}`).join(' · ')} <span class="note">(${total} octets in ${pieces} piece${pieces === 1 ? '' : 's'})</span>`;
}

/** "TEXT × 1 · CLOSE × 1 (2 frames)": frames by opcode. */
function frameLine(stats: unknown): string {
  const entries = numericEntries(stats);
  if (entries.length === 0) return '<span class="note">none</span>';
  const frames = entries.reduce((s, [, c]) => s + c, 0);
  return `${entries.map(([op, count]) => `${esc(opcodeName(op))} × ${count}`).join(' · ')} <span class="note">(${frames} frame${frames === 1 ? '' : 's'})</span>`;
}

export function renderWireStatistics(r: CaseResult): string {
  const rows: [string, string, string][] = [
    ['rx-octets', 'Octets received (chop size × count)', octetLine(r.rxOctetStats)],
    ['tx-octets', 'Octets transmitted (chop size × count)', octetLine(r.txOctetStats)],
    ['rx-frames', 'Frames received (opcode × count)', frameLine(r.rxFrameStats)],
    ['tx-frames', 'Frames transmitted (opcode × count)', frameLine(r.txFrameStats)],
  ];
  return `<table class="stats kv" id="wire-stats"><tbody>${rows.map(([id, label, line]) => `<tr><th>${label}</th><td id="${id}">${line}</td></tr>`).join('')}</tbody></table>`;
}
