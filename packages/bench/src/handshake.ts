/**
 * The opening handshake, hand-made: one request buffer built per job and written as is for every
 * connection, and a validator for the server's 101 response.
 */
import { createHash, randomBytes } from 'node:crypto';
import { checkExtensionsAnswer, DEFLATE_OFFER_HEADER } from './deflate-offer.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CRLFCRLF = Buffer.from('\r\n\r\n');

/** A fresh Sec-WebSocket-Key (16 random bytes, base64). */
export function randomKey(): string {
  return randomBytes(16).toString('base64');
}

/** Sec-WebSocket-Accept a server must answer to `key` (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export interface UpgradeRequestOptions {
  /** Default '/'. */
  path?: string;
  /** Offer permessage-deflate (see deflate-offer.ts); otherwise no extension is offered. */
  deflate?: boolean;
}

/** GET upgrade request for ws://host:port/path; offers permessage-deflate only when asked to. */
export function buildUpgradeRequest(host: string, port: number, key: string, opts: UpgradeRequestOptions = {}): Buffer {
  const hostHeader = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Buffer.from(
    `GET ${opts.path ?? '/'} HTTP/1.1\r\n` +
      `Host: ${hostHeader}\r\n` +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Key: ${key}\r\n` +
      (opts.deflate ? `Sec-WebSocket-Extensions: ${DEFLATE_OFFER_HEADER}\r\n` : '') +
      'Sec-WebSocket-Version: 13\r\n\r\n',
    'latin1',
  );
}

/** Index just past the blank line ending an HTTP head in `bytes`, or -1 when not there yet. */
/** A server's response head longer than this fails the connection. */
export const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

export function headEnd(bytes: Uint8Array): number {
  const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(CRLFCRLF);
  return at < 0 ? -1 : at + 4;
}

/**
 * Checks a server's response head (status line and headers, without the blank line or with it).
 * Returns null when it is a valid 101 for `key`, else why not. With `deflate` (we offered it) the 101
 * must accept permessage-deflate; without it, it must accept no extension.
 */
export function validateUpgradeResponse(head: string, key: string, opts: { deflate?: boolean } = {}): string | null {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) return `not an HTTP/1.1 status line: ${JSON.stringify(lines[0] ?? '')}`;
  if (status[1] !== '101') return `expected status 101, got ${status[1]}`;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `malformed header line: ${JSON.stringify(line)}`;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  if (!/(^|,)\s*websocket\s*(,|$)/i.test(headers.get('upgrade') ?? '')) return 'missing "Upgrade: websocket"';
  if (!/(^|,)\s*upgrade\s*(,|$)/i.test(headers.get('connection') ?? '')) return 'missing "Connection: Upgrade"';
  const accept = headers.get('sec-websocket-accept');
  if (accept !== acceptFor(key)) return `wrong Sec-WebSocket-Accept ${JSON.stringify(accept ?? null)}`;
  return checkExtensionsAnswer(headers.get('sec-websocket-extensions'), opts.deflate ?? false);
}
