/**
 * The client role's upgrade requests: the standard one every Autobahn case sends (with its
 * permessage-deflate offers), and a group 0 request built from its spec (packages/cases
 * handshake-case.ts): the valid request, then the case's edits. Group 0 bytes are deliberately not
 * validated: malformed is the point.
 */
import { rawText, type HandshakeRequestSpec, type RawHeader } from '@wsmatrix/cases';
import {
  PERMESSAGE_DEFLATE,
  buildUpgradeRequest,
  deflateOfferElement,
  encodeFrame,
  formatExtensions,
  type DeflateOffer,
} from '@wsmatrix/protocol';

/** What the client role writes to open a connection, and what the 101 is checked against. */
export interface OpeningRequest {
  /** Everything written, in one write: head, then the body or the pipelined frame. */
  bytes: Buffer;
  /** The head as text, for the report. */
  head: string;
  /** The key the Sec-WebSocket-Accept must be computed from (the first key line, OWS trimmed). */
  key: string;
  offeredProtocols: string[];
  offeredExtensions: string[];
}

export interface RequestContext {
  /** host:port as in the URL. */
  host: string;
  /** Path and query of the URL. */
  path: string;
  /** A fresh Sec-WebSocket-Key. */
  key: string;
  userAgent: string;
}

/** Header names are ASCII tokens here, so ASCII lower case is enough. */
const asciiLowerCase = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

function fill(text: string, ctx: RequestContext): string {
  return text.replaceAll('{host}', ctx.host).replaceAll('{path}', ctx.path).replaceAll('{key}', ctx.key);
}

/** Comma-separated list elements of every line, trimmed of spaces and tabs, empty ones dropped. */
function listElements(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/** The upgrade request of every Autobahn case: a valid one, offering `deflateOffers` when there are any. */
export function standardRequest(ctx: RequestContext, deflateOffers: readonly DeflateOffer[]): OpeningRequest {
  const extensions =
    deflateOffers.length === 0 ? undefined : formatExtensions(deflateOffers.map((o) => deflateOfferElement(o)));
  const head = buildUpgradeRequest({
    host: ctx.host,
    path: ctx.path,
    key: ctx.key,
    userAgent: ctx.userAgent,
    ...(extensions === undefined ? {} : { extensions }),
  });
  return {
    bytes: Buffer.from(head, 'latin1'),
    head,
    key: ctx.key,
    offeredProtocols: [],
    offeredExtensions: deflateOffers.length === 0 ? [] : [PERMESSAGE_DEFLATE],
  };
}

export function buildHandshakeRequest(spec: HandshakeRequestSpec, ctx: RequestContext): OpeningRequest {
  const standard: Array<[string, string]> = [
    ['Host', ctx.host],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', ctx.key],
    ['Sec-WebSocket-Version', '13'],
    ['User-Agent', ctx.userAgent],
  ];
  const removed = new Set((spec.remove ?? []).map(asciiLowerCase));
  const replaced = new Map((spec.replace ?? []).map((h: RawHeader) => [asciiLowerCase(h.name), h] as const));
  const lines: Array<[string, string]> = [];
  if (spec.fillBefore) {
    const { count, prefix, value } = spec.fillBefore;
    for (let i = 1; i <= count; i++) lines.push([`${prefix}${i}`, value]);
  }
  for (const [name, value] of standard) {
    const lower = asciiLowerCase(name);
    if (removed.has(lower)) continue;
    const replacement = replaced.get(lower);
    lines.push(replacement ? [replacement.name, fill(rawText(replacement.value), ctx)] : [name, value]);
  }
  for (const h of spec.extra ?? []) lines.push([h.name, fill(rawText(h.value), ctx)]);

  const target = spec.target === undefined ? ctx.path : fill(rawText(spec.target), ctx);
  const requestLine = `${spec.method ?? 'GET'} ${target} ${spec.httpVersion ?? 'HTTP/1.1'}\r\n`;
  const head = `${requestLine}${lines.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const parts: Buffer[] = [Buffer.from(head, 'latin1')];
  if (spec.body !== undefined) parts.push(Buffer.from(rawText(spec.body), 'latin1'));
  if (spec.pipelinedText !== undefined) {
    parts.push(encodeFrame({ opcode: 1, payload: Buffer.from(spec.pipelinedText, 'utf8'), fin: true, mask: true }));
  }

  const valuesOf = (name: string) => lines.filter(([n]) => asciiLowerCase(n) === name).map(([, v]) => v);
  return {
    bytes: Buffer.concat(parts),
    head,
    key: (valuesOf('sec-websocket-key')[0] ?? '').trim(),
    offeredProtocols: listElements(valuesOf('sec-websocket-protocol')),
    offeredExtensions: listElements(valuesOf('sec-websocket-extensions')).map((e) => e.split(';')[0]!.trim()),
  };
}
