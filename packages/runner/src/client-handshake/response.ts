/**
 * Builds the bytes of a client handshake case: the response (edits to the valid 101, see
 * packages/cases client-handshake-case.ts) with its placeholders filled in, the probe frame, and the
 * writes they go out in. Pure: no socket here.
 */
import { type ClientProbe, type ClientResponseSpec, rawText } from '@wsmatrix/cases';
import { Opcode, encodeFrame } from '@wsmatrix/protocol';

/** What the placeholders stand for, from the client's request. */
export interface ResponseContext {
  /** The right Sec-WebSocket-Accept for the client's key. */
  accept: string;
  /** A valid acceptance of the client's first permessage-deflate offer (or plain permessage-deflate). */
  deflate: string;
}

export interface BuiltResponse {
  /** Interim response, head and body as text (latin1), for the report. */
  text: string;
  /** The probe: one unmasked text frame. */
  probe: Buffer;
  /** The socket writes in order; the probe is in them when it shares the response's write. */
  writes: Buffer[];
  /** Whether the probe goes out in a write of its own once the response is flushed. */
  probeAfter: boolean;
  /** The response names permessage-deflate (the client may then compress its echo). */
  mentionsDeflate: boolean;
}

const STANDARD_LINES: ReadonlyArray<readonly [string, string]> = [
  ['Upgrade', 'websocket'],
  ['Connection', 'Upgrade'],
  ['Sec-WebSocket-Accept', '{accept}'],
];

function swapCase(s: string): string {
  return s.replace(/[A-Za-z]/g, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
}

function fill(text: string, ctx: ResponseContext): string {
  return text
    .replaceAll('{accept:swapcase}', swapCase(ctx.accept))
    .replaceAll('{accept}', ctx.accept)
    .replaceAll('{deflate}', ctx.deflate);
}

function chopped(bytes: Buffer, size: number | undefined): Buffer[] {
  if (size === undefined) return [bytes];
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chop must be a positive integer, got ${size}`);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export function buildClientResponse(spec: ClientResponseSpec, probe: ClientProbe, ctx: ResponseContext): BuiltResponse {
  const removed = new Set((spec.remove ?? []).map((n) => n.toLowerCase()));
  const lines: string[] = [];
  for (const [name, value] of STANDARD_LINES) {
    if (removed.has(name.toLowerCase())) continue;
    const replacement = spec.replace?.find((h) => h.name.toLowerCase() === name.toLowerCase());
    lines.push(replacement ? `${replacement.name}: ${rawText(replacement.value)}` : `${name}: ${value}`);
  }
  for (const h of spec.extra ?? []) lines.push(`${h.name}: ${rawText(h.value)}`);
  const statusLine = spec.statusLine ?? 'HTTP/1.1 101 Switching Protocols';
  const head = fill(`${spec.interim ?? ''}${statusLine}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`, ctx);
  const text = head + (spec.body === undefined ? '' : rawText(spec.body));
  const probeFrame = encodeFrame({ opcode: Opcode.Text, payload: Buffer.from(probe.text, 'utf8'), fin: true });
  const response = Buffer.from(text, 'latin1');
  return {
    text,
    probe: probeFrame,
    writes: chopped(probe.sameWrite ? Buffer.concat([response, probeFrame]) : response, spec.chop),
    probeAfter: !probe.sameWrite,
    mentionsDeflate: /permessage-deflate/i.test(head),
  };
}
