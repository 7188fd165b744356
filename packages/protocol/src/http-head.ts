/**
 * Incremental HTTP/1.x head parser for raw TCP: the runner reads 101 responses from arbitrary (possibly
 * hostile) servers with it, and a server can parse upgrade requests with it without node:http.
 *
 * Choices (RFC 7230 / RFC 9112 leave them to the recipient):
 * - Lines must end in CRLF. A bare LF or a lone CR is a 400: llhttp (Node) rejects them too, and a
 *   conformance tool should report such a peer rather than quietly parse what it meant.
 * - obs-fold (a header line starting with SP/HTAB) is a 400, also in responses (RFC 9112 §5.2 allows
 *   rejecting it); so is whitespace between a header name and its colon (RFC 9112 §5.1 MUST).
 * - An empty line before the start line is a 400 rather than skipped: an upgrade is the first request
 *   on its connection, and a 101 preceded by junk is a server bug worth seeing.
 * - Bytes are decoded as latin1, one char per byte, so nothing throws on invalid UTF-8 and header
 *   values keep obs-text (0x80–0xFF) verbatim. Control characters other than HTAB are a 400.
 * - Request start lines: single SP separators, method a token, target visible ASCII, version
 *   `HTTP/d.d` with major 1 (other majors → 505). Responses: `HTTP/1.d SP 3DIGIT [SP reason]`; the
 *   `SP reason` part may be missing entirely because real servers send `HTTP/1.1 101` (llhttp accepts it).
 * - Limits: `maxLineBytes` counts a line without its CRLF, `maxHeadBytes` counts the whole head
 *   including every CRLF and the blank line. Both are enforced as bytes arrive, never after buffering
 *   more than one line + 1 byte. In a response parser the error statuses only classify the failure.
 */

/** tchar (RFC 7230 §3.2.6) as a lookup table: header names, methods, extension and protocol names. */
const TCHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TCHAR[ch.charCodeAt(0)] = 1;

/** Whether a char code is a tchar. Codes ≥ 128 and -1 (end of input) are not. */
export function isTokenCode(code: number): boolean {
  return code >= 0 && code < 128 && TCHAR[code] === 1;
}

/** Whether `s` is a non-empty RFC 7230 token. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenCode(s.charCodeAt(i))) return false;
  return true;
}

/**
 * ASCII-only lower-casing. String#toLowerCase also folds non-ASCII (U+212A KELVIN SIGN → "k",
 * U+0130 → "i̇"), which would let a crafted name or token compare equal to an ASCII one.
 */
export function asciiLowerCase(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]/g, (m) => String.fromCharCode(m.charCodeAt(0) + 32));
  }
  return s;
}

/** field-value chars (RFC 7230 §3.2): HTAB, SP, VCHAR, obs-text. Everything else (CR, LF, NUL…) is not. */
function isFieldValueCode(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function trimOws(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isOws(s.charCodeAt(start))) start++;
  while (end > start && isOws(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Renders attacker-supplied text for an error message: bounded, control characters escaped. */
export function describeForMessage(s: string, max = 64): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  let out = '';
  for (let i = 0; i < cut.length; i++) {
    const c = cut.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c > 0xff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += cut[i];
  }
  return s.length > max ? `${out}… (${s.length} chars)` : out;
}

/** A head the parser (or HeaderList validation) refused; `status` is the HTTP answer a server sends. */
export class HttpHeadError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpHeadError';
    this.status = status;
  }
}

/**
 * Header fields as received: ordered raw pairs, duplicates kept, because the handshake rules turn on
 * duplicates (two Host or Sec-WebSocket-Key lines are a 400) and a name→value map would hide them.
 * Lookups are linear, which is fine under the 100-header limit and needs no attacker-keyed object.
 */
/** Marks pairs HttpHeadParser has already validated (module-private). */
const PARSED: unique symbol = Symbol('pairs validated by HttpHeadParser');

export class HeaderList {
  private readonly pairs: Array<[string, string]> = [];
  private readonly lowerNames: string[] = [];

  /**
   * Validates every pair: names must be tokens, values field-value bytes; values are trimmed of OWS.
   * HttpHeadParser passes PARSED for pairs it has already checked and trimmed line by line, so a
   * request head is not validated twice; the token is not exported, so no other caller can skip it.
   */
  constructor(pairs: Iterable<readonly [string, string]> = [], checked?: typeof PARSED) {
    for (const [name, value] of pairs) {
      let trimmed = value;
      if (checked !== PARSED) {
        if (!isToken(name)) throw new HttpHeadError(400, `invalid header name "${describeForMessage(name)}"`);
        trimmed = trimOws(value);
        for (let i = 0; i < trimmed.length; i++) {
          if (!isFieldValueCode(trimmed.charCodeAt(i))) {
            throw new HttpHeadError(400, `invalid character in the value of header ${name}`);
          }
        }
      }
      this.pairs.push([name, trimmed]);
      this.lowerNames.push(asciiLowerCase(name));
    }
  }

  /**
   * From Node's flat `req.rawHeaders`. Node silently drops headers beyond `server.maxHeadersCount`
   * (ws CVE-2024-37890), so this enforces our own count: more than `maxHeaders` (default 100) → 431.
   * Set Node's `maxHeadersCount` above it so the overflow is visible here.
   */
  static fromNodeRaw(rawHeaders: readonly string[], limits: { maxHeaders?: number } = {}): HeaderList {
    const maxHeaders = limits.maxHeaders ?? 100;
    if (rawHeaders.length % 2 !== 0) throw new HttpHeadError(400, 'rawHeaders has an odd length');
    if (rawHeaders.length / 2 > maxHeaders) {
      throw new HttpHeadError(431, `too many header fields (${rawHeaders.length / 2} > ${maxHeaders})`);
    }
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
    return new HeaderList(pairs);
  }

  get size(): number {
    return this.pairs.length;
  }

  /** First value of `name` (ASCII case-insensitive), or undefined. */
  get(name: string): string | undefined {
    const lower = asciiLowerCase(name);
    const i = this.lowerNames.indexOf(lower);
    return i === -1 ? undefined : (this.pairs[i] as [string, string])[1];
  }

  getAll(name: string): string[] {
    const lower = asciiLowerCase(name);
    const out: string[] = [];
    for (let i = 0; i < this.lowerNames.length; i++) {
      if (this.lowerNames[i] === lower) out.push((this.pairs[i] as [string, string])[1]);
    }
    return out;
  }

  has(name: string): boolean {
    return this.lowerNames.includes(asciiLowerCase(name));
  }

  count(name: string): number {
    const lower = asciiLowerCase(name);
    let n = 0;
    for (const l of this.lowerNames) if (l === lower) n++;
    return n;
  }

  /** [name, value] pairs in received order; copies, so callers cannot mutate the list. */
  *entries(): IterableIterator<[string, string]> {
    for (const [name, value] of this.pairs) yield [name, value];
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

export interface HttpRequestHead {
  kind: 'request';
  method: string;
  target: string;
  /** "1.1", "1.0"… (major is always 1; other majors are rejected with 505). */
  httpVersion: string;
  headers: HeaderList;
}

export interface HttpResponseHead {
  kind: 'response';
  httpVersion: string;
  status: number;
  reason: string;
  headers: HeaderList;
}

export interface HttpHeadLimits {
  /** Whole head including all CRLFs (default 16384). */
  maxHeadBytes?: number;
  /** One line without its CRLF (default 8192). */
  maxLineBytes?: number;
  /** Header fields (default 100). */
  maxHeaders?: number;
}

const LF = 0x0a;
const CR = 0x0d;

function positiveInt(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${what} must be a positive integer`);
  return value;
}

/**
 * Feed it TCP chunks; it returns the head once the blank line arrives. Work is linear in the bytes
 * pushed whatever the chunking: each byte is scanned once (native indexOf from where the last push
 * stopped) and only the unfinished line is kept, in a buffer that grows by doubling up to the line
 * limit (tungstenite CVE-2023-43669 re-parsed the whole buffer per read: quadratic). `bytesScanned`
 * and `bytesCopied` expose that work so tests can assert it exactly.
 *
 * After an error the parser is dead: every later push throws the same HttpHeadError.
 */
export class HttpHeadParser {
  readonly kind: 'request' | 'response';
  private readonly maxHeadBytes: number;
  private readonly maxLineBytes: number;
  private readonly maxHeaders: number;

  /** The unfinished line (only used when a line spans pushes). */
  private line: Buffer = Buffer.alloc(0);
  private lineLen = 0;
  /** Bytes of completed lines, terminators included. */
  private headBytes = 0;
  private startSeen = false;
  private method = '';
  private target = '';
  private httpVersion = '';
  private status = 0;
  private reason = '';
  private readonly pairs: Array<[string, string]> = [];
  private result: HttpRequestHead | HttpResponseHead | null = null;
  private restBytes: Buffer | null = null;
  private error: HttpHeadError | null = null;
  private scanned = 0;
  private copied = 0;

  constructor(kind: 'request' | 'response', limits: HttpHeadLimits = {}) {
    if (kind !== 'request' && kind !== 'response') throw new TypeError(`kind must be 'request' or 'response'`);
    this.kind = kind;
    this.maxHeadBytes = positiveInt(limits.maxHeadBytes, 16384, 'maxHeadBytes');
    this.maxLineBytes = positiveInt(limits.maxLineBytes, 8192, 'maxLineBytes');
    this.maxHeaders = positiveInt(limits.maxHeaders, 100, 'maxHeaders');
  }

  /** Bytes examined for a line end so far (≤ bytes pushed). */
  get bytesScanned(): number {
    return this.scanned;
  }

  /** Bytes copied into the line buffer, regrowth included (≤ 3 × bytes pushed). */
  get bytesCopied(): number {
    return this.copied;
  }

  get complete(): boolean {
    return this.result !== null;
  }

  /** Returns the head when complete, null while more bytes are needed; throws HttpHeadError. */
  push(chunk: Uint8Array): HttpRequestHead | HttpResponseHead | null {
    if (this.error) throw this.error;
    if (this.result) throw new Error('HttpHeadParser: head already complete; take the remaining bytes from rest()');
    try {
      return this.consume(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (err) {
      if (err instanceof HttpHeadError) this.error = err;
      throw err;
    }
  }

  /**
   * Bytes that followed the head in the push that completed it (a server may pipeline frames right
   * after its 101, a client its first frames after the request). A copy: the caller may reuse chunks.
   */
  rest(): Buffer {
    if (!this.restBytes) throw new Error('HttpHeadParser: rest() is only available once the head is complete');
    return this.restBytes;
  }

  private consume(chunk: Buffer): HttpRequestHead | HttpResponseHead | null {
    let pos = 0;
    while (pos < chunk.length) {
      const lf = chunk.indexOf(LF, pos);
      const end = lf === -1 ? chunk.length : lf;
      this.scanned += (lf === -1 ? end : end + 1) - pos;
      const pending = this.lineLen + (end - pos);
      // A line may carry one byte more than the limit: its CR.
      if (pending > this.maxLineBytes + 1) this.lineTooLong();
      if (this.headBytes + pending + (lf === -1 ? 0 : 1) > this.maxHeadBytes) {
        throw new HttpHeadError(431, `head exceeds ${this.maxHeadBytes} bytes`);
      }
      if (lf === -1) {
        this.append(chunk, pos, end);
        return null;
      }
      let line: Buffer;
      if (this.lineLen === 0) {
        line = chunk.subarray(pos, end);
      } else {
        this.append(chunk, pos, end);
        line = this.line.subarray(0, this.lineLen);
      }
      this.headBytes += line.length + 1;
      this.lineLen = 0;
      pos = end + 1;
      if (line.length === 0 || line[line.length - 1] !== CR) {
        throw new HttpHeadError(400, `line ${this.lineNumber()} ends in a bare LF (CRLF required)`);
      }
      const contentLength = line.length - 1;
      if (contentLength > this.maxLineBytes) this.lineTooLong();
      if (this.onLine(line.toString('latin1', 0, contentLength))) {
        this.restBytes = Buffer.from(chunk.subarray(pos));
        return this.result;
      }
    }
    return null;
  }

  private lineNumber(): number {
    return (this.startSeen ? 2 : 1) + this.pairs.length;
  }

  private lineTooLong(): never {
    if (!this.startSeen) {
      const what = this.kind === 'request' ? 'request line' : 'status line';
      throw new HttpHeadError(this.kind === 'request' ? 414 : 431, `${what} longer than ${this.maxLineBytes} bytes`);
    }
    throw new HttpHeadError(431, `header line ${this.lineNumber()} longer than ${this.maxLineBytes} bytes`);
  }

  /** Keeps a partial line; doubling growth keeps the total copying linear. */
  private append(chunk: Buffer, from: number, to: number): void {
    const need = this.lineLen + (to - from);
    if (need > this.line.length) {
      const cap = Math.min(Math.max(need, this.line.length * 2, 64), this.maxLineBytes + 1);
      const grown = Buffer.alloc(cap);
      this.line.copy(grown, 0, 0, this.lineLen);
      this.copied += this.lineLen;
      this.line = grown;
    }
    chunk.copy(this.line, this.lineLen, from, to);
    this.copied += to - from;
    this.lineLen = need;
  }

  /** Handles one line (without CRLF); true when it was the blank line ending the head. */
  private onLine(s: string): boolean {
    if (!this.startSeen) {
      if (s.length === 0) throw new HttpHeadError(400, 'empty line before the start line');
      if (this.kind === 'request') this.parseRequestLine(s);
      else this.parseStatusLine(s);
      this.startSeen = true;
      return false;
    }
    if (s.length === 0) {
      const headers = new HeaderList(this.pairs, PARSED);
      this.result =
        this.kind === 'request'
          ? { kind: 'request', method: this.method, target: this.target, httpVersion: this.httpVersion, headers }
          : { kind: 'response', httpVersion: this.httpVersion, status: this.status, reason: this.reason, headers };
      return true;
    }
    this.parseHeaderLine(s);
    return false;
  }

  private parseRequestLine(s: string): void {
    const sp1 = s.indexOf(' ');
    const sp2 = sp1 === -1 ? -1 : s.indexOf(' ', sp1 + 1);
    if (sp1 === -1 || sp2 === -1) {
      throw new HttpHeadError(
        400,
        `malformed request line "${describeForMessage(s)}" (expected METHOD SP target SP HTTP/1.1)`,
      );
    }
    const method = s.slice(0, sp1);
    if (!isToken(method)) throw new HttpHeadError(400, `invalid method "${describeForMessage(method)}"`);
    const target = s.slice(sp1 + 1, sp2);
    if (target.length === 0) throw new HttpHeadError(400, 'empty request target (a double space?)');
    for (let i = 0; i < target.length; i++) {
      const c = target.charCodeAt(i);
      if (c <= 0x20 || c >= 0x7f)
        throw new HttpHeadError(400, `invalid character 0x${c.toString(16)} in request target`);
    }
    this.method = method;
    this.target = target;
    this.httpVersion = this.parseVersion(s.slice(sp2 + 1), 'request line');
  }

  private parseStatusLine(s: string): void {
    const version = s.slice(0, 8);
    if (s.length < 12 || s.charCodeAt(8) !== 0x20) {
      throw new HttpHeadError(
        400,
        `malformed status line "${describeForMessage(s)}" (expected HTTP/1.1 SP 3DIGIT SP reason)`,
      );
    }
    this.httpVersion = this.parseVersion(version, 'status line');
    let status = 0;
    for (let i = 9; i < 12; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39)
        throw new HttpHeadError(400, `malformed status code "${describeForMessage(s.slice(9, 12))}"`);
      status = status * 10 + (c - 0x30);
    }
    if (s.length > 12) {
      if (s.charCodeAt(12) !== 0x20) throw new HttpHeadError(400, 'status code not followed by SP');
      for (let i = 13; i < s.length; i++) {
        if (!isFieldValueCode(s.charCodeAt(i))) throw new HttpHeadError(400, 'invalid character in reason phrase');
      }
    }
    this.status = status;
    this.reason = s.slice(13);
  }

  /** `HTTP/` DIGIT `.` DIGIT; major ≠ 1 → 505 (HTTP/2 and 0.9 are not spoken over this path). */
  private parseVersion(v: string, where: string): string {
    const major = v.charCodeAt(5);
    const minor = v.charCodeAt(7);
    if (
      v.length !== 8 ||
      !v.startsWith('HTTP/') ||
      v.charCodeAt(6) !== 0x2e ||
      !(major >= 0x30 && major <= 0x39) ||
      !(minor >= 0x30 && minor <= 0x39)
    ) {
      throw new HttpHeadError(400, `malformed HTTP version "${describeForMessage(v)}" in ${where}`);
    }
    if (major !== 0x31) throw new HttpHeadError(505, `unsupported HTTP version ${v}`);
    return v.slice(5);
  }

  private parseHeaderLine(s: string): void {
    const first = s.charCodeAt(0);
    if (isOws(first)) {
      throw new HttpHeadError(
        400,
        this.pairs.length === 0
          ? 'whitespace before the first header line'
          : `obs-fold (continuation line) at line ${this.lineNumber()}`,
      );
    }
    if (this.pairs.length >= this.maxHeaders) {
      throw new HttpHeadError(431, `too many header fields (more than ${this.maxHeaders})`);
    }
    const colon = s.indexOf(':');
    if (colon === -1) throw new HttpHeadError(400, `header line ${this.lineNumber()} has no colon`);
    const name = s.slice(0, colon);
    if (!isToken(name)) {
      const ws = name.length > 0 && isOws(name.charCodeAt(name.length - 1));
      throw new HttpHeadError(
        400,
        ws
          ? `whitespace between header name and colon at line ${this.lineNumber()}`
          : `invalid header name "${describeForMessage(name)}"`,
      );
    }
    const value = trimOws(s.slice(colon + 1));
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (!isFieldValueCode(c)) throw new HttpHeadError(400, `invalid character 0x${c.toString(16)} in header ${name}`);
    }
    this.pairs.push([name, value]);
  }
}
