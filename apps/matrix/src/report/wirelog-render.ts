/**
 * The wire log table of a case page. Entries use Autobahn's tuple shapes (see the runner's wire-log.ts):
 *   ["RO", [len, hex]], ["TO", [len, hex], sync],
 *   ["RF", [len, text], opcode, fin, rsv, masked, maskHex],
 *   ["TF", [len, text], opcode, fin, rsv, maskHex, repeatLength, chop, sync],
 *   ["CT", delay, tag] / ["CTE", tag], ["KL", delay] / ["KLE"], ["TI", delay] / ["TIE"], ["WLM", on], ["SKIP", n].
 * Rendering is defensive: any other shape is shown as JSON rather than breaking the page.
 */
import type { WireLogEntry } from '@wsmatrix/runner';
import { esc, truncateText } from './html.js';

/**
 * Octets shown per hex preview; a "…" marks that more followed (the row states the total length). Enough for any frame
 * header (at most 14 octets) and the start of its payload; the decoded frame rows show the payload itself, and the
 * report stays small enough to keep for every case.
 */
export const HEX_PREVIEW_OCTETS = 16;
const TEXT_PREVIEW_CHARS = 160;

const OPCODES: Record<number, string> = {
  0: 'CONTINUATION',
  1: 'TEXT',
  2: 'BINARY',
  8: 'CLOSE',
  9: 'PING',
  10: 'PONG',
};

export function opcodeName(op: unknown): string {
  return typeof op === 'number' ? (OPCODES[op] ?? `RESERVED ${op}`) : `? ${String(op)}`;
}

/** Autobahn's rsv integer (4 = RSV1, 2 = RSV2, 1 = RSV3) as text. */
function rsvText(rsv: unknown): string {
  if (typeof rsv !== 'number') return esc(String(rsv ?? '?'));
  if (rsv === 0) return '0';
  const bits = [rsv & 4 ? 'RSV1' : '', rsv & 2 ? 'RSV2' : '', rsv & 1 ? 'RSV3' : ''].filter(Boolean);
  return `${rsv} (${bits.join('+')})`;
}

/** [len, data] as logged; anything else gives a length of NaN and the value as text. */
function lengthAndData(v: unknown): { length: number; data: string } {
  if (Array.isArray(v))
    return {
      length: typeof v[0] === 'number' ? v[0] : NaN,
      data: typeof v[1] === 'string' ? v[1] : JSON.stringify(v[1] ?? ''),
    };
  return { length: NaN, data: typeof v === 'string' ? v : JSON.stringify(v ?? '') };
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Hex octets, spaced, bounded to HEX_PREVIEW_OCTETS, with "…" when there were more (the row states how many in all).
 */
function renderHex(length: number, hex: string): string {
  // The logged preview is hex digits, possibly followed by " ..."; take leading hex digits only.
  let digits = 0;
  const limit = Math.min(hex.length, HEX_PREVIEW_OCTETS * 2);
  while (digits < limit && isHexDigit(hex.charCodeAt(digits))) digits++;
  const shownOctets = digits >> 1;
  let spaced = '';
  for (let i = 0; i < shownOctets; i++) spaced += (i ? ' ' : '') + hex.slice(2 * i, 2 * i + 2);
  const total = Number.isFinite(length) ? length : shownOctets;
  const more = total - shownOctets;
  const note = more > 0 ? ' <i>…</i>' : '';
  return `<code>${spaced.toLowerCase()}</code>${note}`;
}

/** A frame payload preview: UTF-8 text, or "0x…" hex as the runner logs undecodable payloads. */
function renderPayload(length: number, text: string): string {
  if (/^0x[0-9a-fA-F]*( \.\.\.)?$/.test(text)) return renderHex(length, text.slice(2));
  const cut = text.endsWith(' ...');
  const { shown, more } = truncateText(cut ? text.slice(0, -4) : text, TEXT_PREVIEW_CHARS);
  const rest = Number.isFinite(length) ? length - Buffer.byteLength(shown) : more;
  const note = rest > 0 || cut ? ' <i>…</i>' : '';
  return `<code class="text">${esc(JSON.stringify(shown))}</code>${note}`;
}

function yesNo(v: unknown): string {
  return v === true ? 'yes' : v === false ? 'no' : esc(String(v ?? '—'));
}

interface RowParts {
  dir: 'TX' | 'RX' | '';
  detail: string;
}

function frameRow(e: unknown[], dir: 'TX' | 'RX'): RowParts {
  const { length, data } = lengthAndData(e[1]);
  const [, , opcode, fin, rsv] = e;
  const maskText = dir === 'TX' ? (e[5] ? esc(e[5]) : 'none') : e[5] === true ? `yes ${esc(e[6] ?? '')}` : yesNo(e[5]);
  const extras: string[] = [];
  if (dir === 'TX') {
    if (e[6] !== null && e[6] !== undefined) extras.push(`repeat length ${esc(e[6])}`);
    if (e[7]) extras.push(`chop ${esc(e[7])}`);
    if (e[8] === true) extras.push('sync');
  }
  const detail =
    `<b>${esc(opcodeName(opcode))}</b> frame · FIN ${yesNo(fin)} · RSV ${rsvText(rsv)} · mask ${maskText} · ` +
    `payload ${Number.isFinite(length) ? length : '?'} octets${extras.length ? ` · ${extras.join(' · ')}` : ''}` +
    `<br>${renderPayload(length, data)}`;
  return { dir, detail };
}

function describe(e: unknown[]): RowParts {
  const tag = String(e[0]);
  switch (tag) {
    case 'TO':
    case 'RO': {
      const { length, data } = lengthAndData(e[1]);
      const sync = tag === 'TO' && e[2] === true ? ' · sync' : '';
      return {
        dir: tag === 'TO' ? 'TX' : 'RX',
        detail: `${Number.isFinite(length) ? length : '?'} octets${sync}: ${renderHex(length, data)}`,
      };
    }
    case 'TF':
      return frameRow(e, 'TX');
    case 'RF':
      return frameRow(e, 'RX');
    case 'CT':
      return { dir: '', detail: `continue after ${esc(e[1])} s (${esc(e[2] ?? '')})` };
    case 'CTE':
      return { dir: '', detail: `continue (${esc(e[1] ?? '')})` };
    case 'KL':
      return { dir: '', detail: `kill connection after ${esc(e[1])} s` };
    case 'KLE':
      return { dir: '', detail: 'killing connection' };
    case 'TI':
      return { dir: '', detail: `close after ${esc(e[1])} s` };
    case 'TIE':
      return { dir: '', detail: 'closing' };
    case 'WLM':
      return { dir: '', detail: `wire log ${e[1] ? 'enabled' : 'disabled'}` };
    case 'SKIP':
      return { dir: '', detail: `<i>… ${esc(e[1])} entries not kept</i>` };
    default:
      return { dir: '', detail: `<code>${esc(truncateText(JSON.stringify(e), 400).shown)}</code>` };
  }
}

function formatTime(t: unknown): string {
  return typeof t === 'number' && Number.isFinite(t) ? t.toFixed(3) : '';
}

/**
 * Rows shown of a longer wire log: its start (the handshake and the case's first frames) and its end (how the
 * connection closed). The rows between are counted in a note that links to the full log, so a page with ten
 * implementations side by side stays small.
 */
export const WIRELOG_HEAD_ROWS = 48;
export const WIRELOG_TAIL_ROWS = 16;

/** Where the complete wire log is, for the note that replaces the rows not shown. */
export interface FullWireLog {
  href: string;
  /** What the link says, e.g. the file name and the key within it. */
  text: string;
}

/**
 * `<table class="wirelog">`: one row per entry, in order, with its time in ms as the runner logged it; a log
 * longer than WIRELOG_HEAD_ROWS + WIRELOG_TAIL_ROWS shows its first and last rows with a note between them
 * that counts the others and links to `full`. The row markup is kept short (styled by its data-kind and column
 * position; optional end tags left out) because a case page holds hundreds of rows.
 */
export function renderWireLog(
  entries: readonly WireLogEntry[] | undefined,
  times: readonly number[] | undefined,
  full?: FullWireLog,
): string {
  const list = Array.isArray(entries) ? entries : [];
  const row = (i: number): string => {
    const entry = list[i];
    const e = Array.isArray(entry) ? entry : [entry];
    const p = describe(e);
    return `<tr data-kind="${esc(e[0])}"><td>${i + 1}<td>${formatTime(times?.[i])}<td>${p.dir || '·'}<td>${p.detail}`;
  };
  const cut = list.length > WIRELOG_HEAD_ROWS + WIRELOG_TAIL_ROWS;
  const shown = cut
    ? [
        ...Array(WIRELOG_HEAD_ROWS).keys(),
        ...Array.from({ length: WIRELOG_TAIL_ROWS }, (_, k) => list.length - WIRELOG_TAIL_ROWS + k),
      ]
    : list.map((_, i) => i);
  const rows = shown.map(row);
  if (cut) {
    const hidden = list.length - WIRELOG_HEAD_ROWS - WIRELOG_TAIL_ROWS;
    const where = full ? ` — the full wire log is in <a href="${esc(full.href)}">${esc(full.text)}</a>` : '';
    rows.splice(
      WIRELOG_HEAD_ROWS,
      0,
      `<tr class="cut" data-hidden-rows="${hidden}"><td colspan="4">${hidden} rows not shown${where}`,
    );
  }
  const head = '<thead><tr><th>#<th>Time (ms)<th>Dir<th>Content</thead>';
  return `<table class="wirelog">${head}<tbody>\n${rows.join('\n')}\n</tbody></table>`;
}
