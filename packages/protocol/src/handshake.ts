/**
 * The RFC 6455 opening handshake for both roles, as pure functions over parsed heads and strings.
 *
 * Every value that reaches a header we emit is checked first (tokens for names and subprotocols,
 * visible ASCII for values) and a violation throws TypeError: a client-supplied subprotocol or
 * extension string with CR/LF must never turn into a header of ours. Error messages quote peer input
 * only through describeForMessage (bounded, control characters escaped).
 */

import { hash, randomBytes } from 'node:crypto';
import { ExtensionHeaderError, parseExtensions, type ExtensionOffer } from './extensions.js';
import { asciiLowerCase, describeForMessage, isToken, type HeaderList, type HttpResponseHead } from './http-head.js';

export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 step 5.4). */
export function computeAcceptKey(key: string): string {
  // One-shot hash: about half the cost of a createHash object per handshake.
  return hash('sha1', key + WEBSOCKET_GUID, 'base64');
}

/** A fresh Sec-WebSocket-Key: 16 bytes from the CSPRNG, base64 (RFC 6455 §4.1 wants it unpredictable). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function asciiFold(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

/**
 * Whether a comma-separated header value (Connection, Upgrade) contains `token`, ASCII
 * case-insensitively, elements trimmed of OWS. One forward pass with indexOf: linear whatever the
 * whitespace (ws CVE-2021-32640 split on a space-star regex around the comma, which backtracked).
 * Non-ASCII never folds, so `websoc\u212Aet` (KELVIN SIGN) does not match `websocket`.
 */
export function headerHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const n = value.length;
  const t = token.length;
  let i = 0;
  while (i <= n) {
    let start = i;
    while (start < n && isOws(value.charCodeAt(start))) start++;
    let end = value.indexOf(',', start);
    if (end === -1) end = n;
    let last = end;
    while (last > start && isOws(value.charCodeAt(last - 1))) last--;
    if (last - start === t) {
      let k = 0;
      while (k < t && asciiFold(value.charCodeAt(start + k)) === asciiFold(token.charCodeAt(k))) k++;
      if (k === t) return true;
    }
    i = end + 1;
  }
  return false;
}

/**
 * `1#token` over one or more header lines (Sec-WebSocket-Protocol): empty elements skipped, at least
 * one token, no duplicates (RFC 6455 §4.1 requires the client's values to be unique). Returns an error
 * message instead of throwing so the caller maps it to its own failure shape.
 */
function parseTokenList(lines: readonly string[], header: string): string[] | { error: string } {
  const out: string[] = [];
  for (const line of lines) {
    const n = line.length;
    let i = 0;
    while (i <= n) {
      let start = i;
      while (start < n && isOws(line.charCodeAt(start))) start++;
      let end = line.indexOf(',', start);
      if (end === -1) end = n;
      let last = end;
      while (last > start && isOws(line.charCodeAt(last - 1))) last--;
      if (last > start) {
        const item = line.slice(start, last);
        if (!isToken(item)) return { error: `${header} element "${describeForMessage(item)}" is not a token` };
        if (out.includes(item)) return { error: `${header} lists "${describeForMessage(item)}" twice` };
        out.push(item);
      }
      i = end + 1;
    }
  }
  if (out.length === 0) return { error: `${header} is empty` };
  return out;
}

export type UpgradeRequestCheck =
  | { ok: true; key: string; protocols: string[]; extensions: ExtensionOffer[]; origin?: string }
  | { ok: false; status: number; message: string; headers: Array<[string, string]> };

/**
 * What validateUpgradeRequest needs; an HttpRequestHead fits, so does a Node request adapted with
 * HeaderList.fromNodeRaw.
 */
export interface UpgradeRequestLike {
  method: string;
  httpVersion: string;
  headers: HeaderList;
}

function reject(status: number, message: string, headers: Array<[string, string]> = []): UpgradeRequestCheck {
  return { ok: false, status, message, headers };
}

/** 1–3 ASCII digits as a number, else -1. */
function smallNumber(s: string): number {
  if (s.length === 0 || s.length > 3) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** `major.minor` ≥ 1.1; anything unparsable counts as too old. */
function versionAtLeast11(v: string): boolean {
  const dot = v.indexOf('.');
  if (dot === -1) return false;
  const major = smallNumber(v.slice(0, dot));
  const minor = smallNumber(v.slice(dot + 1));
  if (major < 0 || minor < 0) return false;
  return major > 1 || (major === 1 && minor >= 1);
}

/** 16 bytes in base64 is exactly 22 alphabet chars + `==` (RFC 6455 §4.2.1 item 5). */
function isValidKey(key: string): boolean {
  if (key.length !== 24 || key.charCodeAt(22) !== 0x3d || key.charCodeAt(23) !== 0x3d) return false;
  for (let i = 0; i < 22; i++) {
    const c = key.charCodeAt(i);
    const alpha =
      (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!alpha) return false;
  }
  return true;
}

const UPGRADE_REQUIRED: Array<[string, string]> = [['Upgrade', 'websocket']];

/**
 * Checks a client's opening handshake (RFC 6455 §4.2.1). Rules in order, the first failure wins:
 *  1. method GET, else 405 + `Allow: GET` (methods are case-sensitive)
 *  2. HTTP version ≥ 1.1, else 505
 *  3. exactly one non-empty Host, else 400 (RFC 7230 §5.4)
 *  4. Upgrade lists `websocket` and Connection lists `upgrade` (all lines of each), else 426 + `Upgrade: websocket`
 *  5. exactly one Sec-WebSocket-Version, exactly `13`, else 426 + `Upgrade: websocket` +
 *     `Sec-WebSocket-Version: 13` (RFC 7231 §6.5.15 wants Upgrade on every 426)
 *  6. exactly one Sec-WebSocket-Key, 22 base64 chars + `==`, else 400. Non-zero padding bits in the
 *     last char are accepted (it still decodes to 16 bytes; ws and python websockets accept it too)
 *  7. no body: at most one Content-Length and it is `0`, no Transfer-Encoding at all, else 400
 *     (Vert.x CVE-2018-12541 buffered the body before upgrading)
 *  8. Sec-WebSocket-Protocol, if present: a non-empty list of unique tokens, else 400
 *  9. Sec-WebSocket-Extensions, if present: parseExtensions succeeds, else 400. Unknown or odd offers
 *     are returned for the caller to accept or decline, never failed here (RFC 7692 §7 declines)
 * 10. at most one Origin, else 400 (an allow-list check must not see one value while something else
 *     reads another)
 */
export function validateUpgradeRequest(req: UpgradeRequestLike): UpgradeRequestCheck {
  const h = req.headers;
  if (req.method !== 'GET') {
    return reject(405, `method ${describeForMessage(req.method)} not allowed for a WebSocket upgrade (GET only)`, [
      ['Allow', 'GET'],
    ]);
  }
  if (!versionAtLeast11(req.httpVersion)) {
    return reject(505, `HTTP/${describeForMessage(req.httpVersion)} cannot upgrade to WebSocket (HTTP/1.1 required)`);
  }
  const hosts = h.getAll('host');
  if (hosts.length !== 1)
    return reject(400, hosts.length === 0 ? 'missing Host header' : `${hosts.length} Host headers`);
  if (hosts[0] === '') return reject(400, 'empty Host header');
  if (!headerHasToken(h.getAll('upgrade').join(','), 'websocket')) {
    return reject(426, 'Upgrade header does not contain "websocket"', [...UPGRADE_REQUIRED]);
  }
  if (!headerHasToken(h.getAll('connection').join(','), 'upgrade')) {
    return reject(426, 'Connection header does not contain "Upgrade"', [...UPGRADE_REQUIRED]);
  }
  const versions = h.getAll('sec-websocket-version');
  if (versions.length !== 1 || versions[0] !== '13') {
    const got =
      versions.length === 0
        ? 'missing Sec-WebSocket-Version'
        : versions.length > 1
          ? `${versions.length} Sec-WebSocket-Version headers`
          : `unsupported Sec-WebSocket-Version "${describeForMessage(versions[0] as string)}"`;
    return reject(426, `${got} (only 13 is supported)`, [...UPGRADE_REQUIRED, ['Sec-WebSocket-Version', '13']]);
  }
  const keys = h.getAll('sec-websocket-key');
  if (keys.length !== 1)
    return reject(400, keys.length === 0 ? 'missing Sec-WebSocket-Key' : `${keys.length} Sec-WebSocket-Key headers`);
  const key = keys[0] as string;
  if (!isValidKey(key)) {
    return reject(400, `Sec-WebSocket-Key "${describeForMessage(key)}" is not the base64 encoding of 16 bytes`);
  }
  const lengths = h.getAll('content-length');
  if (lengths.length > 1 || (lengths.length === 1 && lengths[0] !== '0')) {
    return reject(400, 'an upgrade request must not have a body (Content-Length other than 0)');
  }
  if (h.has('transfer-encoding')) return reject(400, 'an upgrade request must not have a body (Transfer-Encoding)');

  let protocols: string[] = [];
  if (h.has('sec-websocket-protocol')) {
    const parsed = parseTokenList(h.getAll('sec-websocket-protocol'), 'Sec-WebSocket-Protocol');
    if (!Array.isArray(parsed)) return reject(400, parsed.error);
    protocols = parsed;
  }
  let extensions: ExtensionOffer[] = [];
  if (h.has('sec-websocket-extensions')) {
    try {
      extensions = parseExtensions(h.getAll('sec-websocket-extensions'));
    } catch (err) {
      if (err instanceof ExtensionHeaderError) return reject(400, err.message);
      throw err;
    }
  }
  const origins = h.getAll('origin');
  if (origins.length > 1) return reject(400, `${origins.length} Origin headers`);
  const ok: UpgradeRequestCheck = { ok: true, key, protocols, extensions };
  if (origins.length === 1) ok.origin = origins[0] as string;
  return ok;
}

/** VCHAR, SP, HTAB only: no CR/LF/NUL, no obs-text. */
function checkHeaderValue(value: string, what: string): void {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e))) {
      throw new TypeError(
        `${what} contains character 0x${c.toString(16)} (only visible ASCII, SP and HTAB are allowed)`,
      );
    }
  }
}

function checkExtraHeaders(
  headers: ReadonlyArray<readonly [string, string]>,
  reserved: readonly string[],
  builder: string,
): string {
  let out = '';
  for (const [name, value] of headers) {
    if (typeof name !== 'string' || !isToken(name))
      throw new TypeError(`header name "${describeForMessage(String(name))}" is not a token`);
    if (reserved.includes(asciiLowerCase(name))) throw new TypeError(`header ${name} is set by ${builder}`);
    checkHeaderValue(value, `value of header ${name}`);
    out += `${name}: ${value}\r\n`;
  }
  return out;
}

const RESERVED_101 = [
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'content-length', // RFC 7230 §3.3.2: never on a 1xx
  'transfer-encoding',
];

/**
 * The 101 head (ends with the blank line). `extensions` is a Sec-WebSocket-Extensions value, typically
 * formatExtensions(accepted); '' or undefined omits the header. Throws TypeError on a subprotocol that
 * is not a token, an extensions value that does not parse, or extra headers with bad names/values.
 */
export function buildUpgradeResponse(opts: {
  key: string;
  protocol?: string;
  extensions?: string;
  headers?: Array<[string, string]>;
}): string {
  let head =
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${computeAcceptKey(opts.key)}\r\n`;
  if (opts.protocol !== undefined) {
    if (typeof opts.protocol !== 'string' || !isToken(opts.protocol)) {
      throw new TypeError(`subprotocol "${describeForMessage(String(opts.protocol))}" is not a token`);
    }
    head += `Sec-WebSocket-Protocol: ${opts.protocol}\r\n`;
  }
  if (opts.extensions !== undefined && opts.extensions !== '') {
    checkHeaderValue(opts.extensions, 'Sec-WebSocket-Extensions value');
    try {
      parseExtensions(opts.extensions);
    } catch (err) {
      if (err instanceof ExtensionHeaderError)
        throw new TypeError(`invalid Sec-WebSocket-Extensions value: ${err.message}`);
      throw err;
    }
    head += `Sec-WebSocket-Extensions: ${opts.extensions}\r\n`;
  }
  head += checkExtraHeaders(opts.headers ?? [], RESERVED_101, 'buildUpgradeResponse');
  return `${head}\r\n`;
}

/** RFC 9110 §15 reason phrases for the statuses an upgrade can end in (and their neighbours). */
const REASONS = new Map<number, string>([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [402, 'Payment Required'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [406, 'Not Acceptable'],
  [407, 'Proxy Authentication Required'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [410, 'Gone'],
  [411, 'Length Required'],
  [412, 'Precondition Failed'],
  [413, 'Content Too Large'],
  [414, 'URI Too Long'],
  [415, 'Unsupported Media Type'],
  [416, 'Range Not Satisfiable'],
  [417, 'Expectation Failed'],
  [421, 'Misdirected Request'],
  [422, 'Unprocessable Content'],
  [426, 'Upgrade Required'],
  [428, 'Precondition Required'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [451, 'Unavailable For Legal Reasons'],
  [500, 'Internal Server Error'],
  [501, 'Not Implemented'],
  [502, 'Bad Gateway'],
  [503, 'Service Unavailable'],
  [504, 'Gateway Timeout'],
  [505, 'HTTP Version Not Supported'],
]);

const RESERVED_ERROR = ['connection', 'content-type', 'content-length', 'transfer-encoding'];
const MAX_BODY_CHARS = 512;

/**
 * A complete 4xx/5xx response (head and body) after which the server closes. The body is the message,
 * cut to 512 chars with anything outside printable ASCII replaced by `?`, so it can be sent as
 * `text/plain` whatever peer text went into it. When the headers include Upgrade (a 426), Connection
 * becomes `Upgrade, close` because RFC 7230 §6.7 requires the `upgrade` option next to an Upgrade header.
 */
export function buildErrorResponse(status: number, message: string, headers: Array<[string, string]> = []): string {
  if (!Number.isInteger(status) || status < 400 || status > 599)
    throw new RangeError(`error status must be 400–599, got ${status}`);
  const reason = REASONS.get(status) ?? (status < 500 ? 'Client Error' : 'Server Error');
  const text = String(message).slice(0, MAX_BODY_CHARS) || reason;
  let body = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    body += c >= 0x20 && c <= 0x7e ? text[i] : '?';
  }
  body += '\n';
  const extra = checkExtraHeaders(headers, RESERVED_ERROR, 'buildErrorResponse');
  const upgrading = headers.some(([name]) => asciiLowerCase(name) === 'upgrade');
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    `Connection: ${upgrading ? 'Upgrade, close' : 'close'}\r\n` +
    'Content-Type: text/plain\r\n' +
    `Content-Length: ${body.length}\r\n` +
    extra +
    '\r\n' +
    body
  );
}

/**
 * The client's upgrade request head. `host`, `path` and the key are only checked for characters that
 * could break the head (so a test case may still send a 15-byte key on purpose); `path` must start
 * with `/`. Extra headers are appended after ours and may repeat them, again so cases can send
 * duplicated keys or versions. For anything more malformed, write raw bytes.
 */
export function buildUpgradeRequest(opts: {
  host: string;
  path: string;
  key: string;
  userAgent?: string;
  origin?: string;
  protocols?: string[];
  extensions?: string;
  headers?: Array<[string, string]>;
}): string {
  checkVisible(opts.host, 'host');
  checkVisible(opts.path, 'path');
  if (!opts.path.startsWith('/')) throw new TypeError('path must start with "/"');
  checkVisible(opts.key, 'key');
  let head =
    `GET ${opts.path} HTTP/1.1\r\n` +
    `Host: ${opts.host}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${opts.key}\r\n` +
    'Sec-WebSocket-Version: 13\r\n';
  if (opts.origin !== undefined) {
    checkHeaderValue(opts.origin, 'origin');
    head += `Origin: ${opts.origin}\r\n`;
  }
  if (opts.protocols !== undefined && opts.protocols.length > 0) {
    for (const p of opts.protocols) {
      if (typeof p !== 'string' || !isToken(p))
        throw new TypeError(`subprotocol "${describeForMessage(String(p))}" is not a token`);
    }
    head += `Sec-WebSocket-Protocol: ${opts.protocols.join(', ')}\r\n`;
  }
  if (opts.extensions !== undefined && opts.extensions !== '') {
    checkHeaderValue(opts.extensions, 'extensions');
    head += `Sec-WebSocket-Extensions: ${opts.extensions}\r\n`;
  }
  if (opts.userAgent !== undefined) {
    checkHeaderValue(opts.userAgent, 'userAgent');
    head += `User-Agent: ${opts.userAgent}\r\n`;
  }
  head += checkExtraHeaders(opts.headers ?? [], [], 'buildUpgradeRequest');
  return `${head}\r\n`;
}

/** Non-empty, 0x21–0x7E only (request target, Host, key). */
function checkVisible(value: string, what: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) throw new TypeError(`${what} contains character 0x${c.toString(16)}`);
  }
}

export type UpgradeResponseCheck =
  | { ok: true; protocol?: string; extensions: ExtensionOffer[] }
  | { ok: false; message: string };

/**
 * Checks a server's answer to our upgrade (RFC 6455 §4.1, client steps 1–6). Order: status 101,
 * Upgrade lists websocket, Connection lists upgrade, exactly one Sec-WebSocket-Accept equal to the
 * computed value, Sec-WebSocket-Extensions parses and selects only offered names, each at most once,
 * Sec-WebSocket-Protocol is at most one header holding one offered token. Names are compared exactly
 * (case-sensitive), as registered. A failure is a verdict for the report, so it returns a message
 * instead of throwing.
 */
export function validateUpgradeResponse(
  res: HttpResponseHead,
  opts: { key: string; offeredExtensions?: string[]; offeredProtocols?: string[] },
): UpgradeResponseCheck {
  const fail = (message: string): UpgradeResponseCheck => ({ ok: false, message });
  const h = res.headers;
  if (res.status !== 101) {
    const reason = res.reason === '' ? '' : ` ${describeForMessage(res.reason)}`;
    return fail(`server answered ${res.status}${reason}, expected 101 Switching Protocols`);
  }
  const upgrade = h.getAll('upgrade');
  if (!headerHasToken(upgrade.join(','), 'websocket')) {
    return fail(
      upgrade.length === 0
        ? 'server sent no Upgrade header'
        : `server sent Upgrade ${describeForMessage(upgrade.join(', '))}, expected websocket`,
    );
  }
  const connection = h.getAll('connection');
  if (!headerHasToken(connection.join(','), 'upgrade')) {
    return fail(
      connection.length === 0
        ? 'server sent no Connection header'
        : `server sent Connection ${describeForMessage(connection.join(', '))}, expected Upgrade`,
    );
  }
  const expected = computeAcceptKey(opts.key);
  const accepts = h.getAll('sec-websocket-accept');
  if (accepts.length === 0) return fail(`server sent no Sec-WebSocket-Accept, expected ${expected}`);
  if (accepts.length > 1) return fail(`server sent ${accepts.length} Sec-WebSocket-Accept headers, expected one`);
  const accept = accepts[0] as string;
  if (accept !== expected) {
    const sent = accept === '' ? '(empty)' : describeForMessage(accept);
    return fail(`server sent Sec-WebSocket-Accept ${sent}, expected ${expected}`);
  }

  let extensions: ExtensionOffer[] = [];
  if (h.has('sec-websocket-extensions')) {
    try {
      extensions = parseExtensions(h.getAll('sec-websocket-extensions'));
    } catch (err) {
      if (err instanceof ExtensionHeaderError) return fail(`server sent an invalid ${err.message}`);
      throw err;
    }
    const offered = opts.offeredExtensions ?? [];
    const seen: string[] = [];
    for (const ext of extensions) {
      if (!offered.includes(ext.name)) return fail(`server selected extension ${ext.name}, which was not offered`);
      if (seen.includes(ext.name)) return fail(`server selected extension ${ext.name} more than once`);
      seen.push(ext.name);
    }
  }

  const protocols = h.getAll('sec-websocket-protocol');
  if (protocols.length > 1)
    return fail(`server sent ${protocols.length} Sec-WebSocket-Protocol headers, expected at most one`);
  if (protocols.length === 0) return { ok: true, extensions };
  const protocol = protocols[0] as string;
  if (!isToken(protocol))
    return fail(
      `server sent Sec-WebSocket-Protocol ${describeForMessage(protocol) || '(empty)'}, which is not a single token`,
    );
  if (!(opts.offeredProtocols ?? []).includes(protocol))
    return fail(`server selected subprotocol ${protocol}, which was not offered`);
  return { ok: true, protocol, extensions };
}
