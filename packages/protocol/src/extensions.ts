/**
 * Sec-WebSocket-Extensions (RFC 6455 §9.1 over RFC 7230 lists, tokens and quoted-strings).
 *
 * The parser is a single forward pass over the characters, with no regular expression: the
 * backtracking regexes of faye's websocket-extensions (CVE-2020-7662) and ws's subprotocol header
 * (CVE-2021-32640) turned a few KiB into minutes of CPU. Results are arrays of pairs, never objects
 * keyed by attacker strings (ws NSP-550: `constructor` resolved through Object.prototype), and they
 * keep order and duplicates so a permessage-deflate negotiator can decline an offer with a duplicated
 * parameter (RFC 7692 §7) and fall back to the client's next offer of the same extension.
 *
 * Choices: empty list elements (`a, , b`, a leading or trailing comma) are skipped as RFC 7230 §7
 * requires, but a header with no extension at all is malformed (the grammar is `1#extension`).
 * OWS is accepted around `;`, `,` and `=`. A quoted value must be a token once unquoted
 * (RFC 6455 §9.1), so `x="a b"` and `x=""` are errors. Several header lines are parsed one by one and
 * concatenated, so a quoted string can never run from one line into the next.
 */

import { describeForMessage, isToken, isTokenCode } from './http-head.js';

export interface ExtensionOffer {
  name: string;
  /** In header order, duplicates kept; `true` is a parameter without `=value`. */
  params: Array<[string, string | true]>;
}

/** The header is not a valid extension list; a server answers 400, a client fails the handshake. */
export class ExtensionHeaderError extends Error {
  /** Offset in the offending header line where parsing stopped. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ExtensionHeaderError';
    this.offset = offset;
  }
}

/** Work counter for tests: `steps` grows by one per character consumed (linearity is asserted). */
export interface ScanStats {
  steps: number;
}

const TAB = 0x09;
const SP = 0x20;
const DQUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;

class Cursor {
  pos = 0;
  steps = 0;
  constructor(
    readonly text: string,
    readonly line: number,
    readonly lines: number,
  ) {}

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  advance(): void {
    this.pos++;
    this.steps++;
  }

  skipOws(): void {
    for (let c = this.peek(); c === SP || c === TAB; c = this.peek()) this.advance();
  }

  token(): string {
    const start = this.pos;
    while (isTokenCode(this.peek())) this.advance();
    return this.text.slice(start, this.pos);
  }

  fail(what: string): never {
    const c = this.peek();
    const found = c === -1 ? 'end of header' : `"${describeForMessage(String.fromCharCode(c))}"`;
    const where = this.lines > 1 ? `line ${this.line + 1}, offset ${this.pos}` : `offset ${this.pos}`;
    throw new ExtensionHeaderError(`Sec-WebSocket-Extensions: ${what} at ${where}, found ${found}`, this.pos);
  }
}

/** Parses one or more header lines into offers, in order. Throws ExtensionHeaderError. */
export function parseExtensions(value: string | readonly string[], stats?: ScanStats): ExtensionOffer[] {
  const lines = typeof value === 'string' ? [value] : value;
  const offers: ExtensionOffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    const cursor = new Cursor(lines[i] as string, i, lines.length);
    try {
      parseLine(cursor, offers);
    } finally {
      if (stats) stats.steps += cursor.steps;
    }
  }
  if (offers.length === 0) throw new ExtensionHeaderError('Sec-WebSocket-Extensions: header lists no extension', 0);
  return offers;
}

function parseLine(c: Cursor, offers: ExtensionOffer[]): void {
  for (;;) {
    // Empty list elements, and the separator of the previous element.
    for (c.skipOws(); c.peek() === COMMA; c.skipOws()) c.advance();
    if (c.peek() === -1) return;
    const name = c.token();
    if (name.length === 0) c.fail('expected an extension name');
    const params: Array<[string, string | true]> = [];
    c.skipOws();
    while (c.peek() === SEMICOLON) {
      c.advance();
      c.skipOws();
      const param = c.token();
      if (param.length === 0) c.fail(`expected a parameter name for extension ${name}`);
      c.skipOws();
      let paramValue: string | true = true;
      if (c.peek() === EQUALS) {
        c.advance();
        c.skipOws();
        paramValue = c.peek() === DQUOTE ? quotedToken(c, param) : c.token();
        if (paramValue.length === 0) c.fail(`expected a value for parameter ${param}`);
        c.skipOws();
      }
      params.push([param, paramValue]);
    }
    offers.push({ name, params });
    const next = c.peek();
    if (next !== COMMA && next !== -1) c.fail('expected ";", "," or the end');
  }
}

/**
 * A quoted-string whose unescaped content must be a token. Fails at the first non-token character
 * instead of collecting the whole string, and never looks back, so an unclosed `"\c\c\c…` costs one
 * step per character.
 */
function quotedToken(c: Cursor, param: string): string {
  c.advance();
  let out = '';
  for (;;) {
    let ch = c.peek();
    if (ch === -1) c.fail(`unterminated quoted string in parameter ${param}`);
    if (ch === DQUOTE) {
      c.advance();
      if (out.length === 0) c.fail(`empty quoted value for parameter ${param}`);
      return out;
    }
    if (ch === BACKSLASH) {
      c.advance();
      ch = c.peek();
      if (ch === -1) c.fail(`unterminated quoted string in parameter ${param}`);
    }
    if (!isTokenCode(ch)) c.fail(`value of parameter ${param} is not a token once unquoted (RFC 6455 §9.1)`);
    out += String.fromCharCode(ch);
    c.advance();
  }
}

/**
 * Serialises offers for a request or a 101. Values are written bare: after RFC 6455 §9.1 they are
 * tokens, so quoting is never needed. Throws TypeError on anything that is not a token rather than
 * emit a header an attacker could have shaped. An empty array gives '' (omit the header then).
 */
export function formatExtensions(offers: readonly ExtensionOffer[]): string {
  const parts: string[] = [];
  for (const offer of offers) {
    if (!isToken(offer.name)) throw new TypeError(`extension name "${describeForMessage(offer.name)}" is not a token`);
    let part = offer.name;
    for (const [param, value] of offer.params) {
      if (!isToken(param)) throw new TypeError(`parameter name "${describeForMessage(param)}" is not a token`);
      if (value === true) {
        part += `; ${param}`;
      } else {
        if (typeof value !== 'string' || !isToken(value)) {
          throw new TypeError(`value of parameter ${param} is not a token`);
        }
        part += `; ${param}=${value}`;
      }
    }
    parts.push(part);
  }
  return parts.join(', ');
}
