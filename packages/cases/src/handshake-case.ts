/**
 * The schema of group 0 ("Opening handshake"): cases that test how a server answers a client's
 * opening handshake (RFC 6455 §4.1, §4.2.1, §4.2.2, §10.7), which Autobahn never tests.
 *
 * A handshake case is data, like every other case: the request to send, described as edits to a valid
 * request, and what RFC 6455 requires of the answer. The runner (packages/runner handshake-runner.ts)
 * builds the bytes, sends them, reads the status line and headers, and gives the verdict from what it
 * saw with the rules below. These cases live in `allCases` next to Autobahn's, with ids `0.x.y` that
 * never collide with Autobahn's; `isAutobahnCaseId` tells them apart. They test servers only; the
 * handshake cases for clients (0.7.y onwards) are client-handshake-case.ts, in `clientCases`.
 *
 * The valid request the edits apply to, in this order (the runner fills in host, path and a fresh key):
 *
 *     GET {path} HTTP/1.1
 *     Host: {host}
 *     Upgrade: websocket
 *     Connection: Upgrade
 *     Sec-WebSocket-Key: {key}
 *     Sec-WebSocket-Version: 13
 *     User-Agent: {user agent}
 *
 * Verdict rules (`behavior`):
 * - `refuse` (the RFC says the server MUST refuse): OK when the status is `status` and every header of
 *   `headers` lists its token; NON-STRICT when the server refuses otherwise (another 4xx/5xx, the right
 *   status without a header the RFC or HTTP asks for, a non-101 success, or closing the connection without
 *   any response, which §10.7 allows); `onAccept` (FAILED, or INFORMATIONAL where only a SHOULD or a
 *   limit is at stake) when it answers 101.
 * - `accept` (a valid request): OK when it answers a valid 101 (right Sec-WebSocket-Accept, Upgrade and
 *   Connection tokens, only offered subprotocols/extensions); `onRefuse` when it refuses.
 * - `open` (the RFC leaves it to the server): INFORMATIONAL whatever the server does, with what it did.
 * - In every kind: a 101 that is itself invalid, a response head that is not HTTP, a response that
 *   repeats a `forbidden` string (header injection), or no answer at all while the connection stays
 *   open for the whole response window is FAILED.
 *
 * `behaviorClose`: OK when the server ended the connection after refusing, or completed the WebSocket
 * close handshake after a 101; INFORMATIONAL when it left the connection open after a refusal, or did not
 * answer our Close after a 101 (neither is a handshake rule).
 */
import type { Behavior, CaseDef } from './types.js';

/** Raw header or target text: a string sent as is (latin1), or a pattern repeated to `length` characters. */
export type RawText = string | { repeat: string; length: number };

/** One header line as sent: `name: value`. The value may hold CR/LF on purpose (injection cases). */
export interface RawHeader {
  name: string;
  value: RawText;
}

/** `count` filler lines `{prefix}{i}: {value}` (i from 1). */
export interface HeaderFill {
  count: number;
  prefix: string;
  value: string;
}

/** How the request differs from the valid one. Values may use `{host}` and `{key}` (the fresh key). */
export interface HandshakeRequestSpec {
  /** Request method (default GET). */
  method?: string;
  /**
   * Request target (default: the URL's path). `{path}` stands for the URL's path and `{host}` for its
   * host:port, so `http://{host}{path}` is the absolute form.
   */
  target?: RawText;
  /** The protocol in the request line (default HTTP/1.1). */
  httpVersion?: string;
  /** Names of standard lines to leave out (ASCII case-insensitive: host, upgrade, connection, ...). */
  remove?: string[];
  /** New values for standard lines, which keep their place. */
  replace?: RawHeader[];
  /** Lines added after the standard lines (duplicates of standard names included). */
  extra?: RawHeader[];
  /** Filler lines before the standard lines (the required headers come last). */
  fillBefore?: HeaderFill;
  /** Raw bytes after the blank line, in the same write as the head (a request body). */
  body?: RawText;
  /** A masked text frame with this payload written right after the head in the same write. */
  pipelinedText?: string;
}

/** A header whose value must list `token` (comma-separated, ASCII case-insensitive). */
export type RequiredHeader = [name: string, token: string];

export type HandshakeExpectation =
  | {
      kind: 'refuse';
      /** The status the RFC (or HTTP) points at. */
      status: number;
      /** Headers that must come with it, e.g. ['Sec-WebSocket-Version', '13'] on a 426. */
      headers?: RequiredHeader[];
      /** The verdict when the server answers 101 anyway. */
      onAccept: Extract<Behavior, 'FAILED' | 'INFORMATIONAL'>;
    }
  | {
      kind: 'accept';
      /** The exact Sec-WebSocket-Accept value when the key is fixed (the RFC's sample). */
      acceptValue?: string;
      /** The verdict when the server refuses this valid request. */
      onRefuse: Extract<Behavior, 'FAILED' | 'NON-STRICT' | 'INFORMATIONAL'>;
      /** With `pipelinedText`: the echo of the pipelined frame is what makes it OK (else INFORMATIONAL). */
      expectEcho?: boolean;
    }
  | { kind: 'open' };

export interface HandshakeSpec {
  request: HandshakeRequestSpec;
  expect: HandshakeExpectation;
  /** Strings (ASCII case-insensitive) that must not appear in the response head: reflected injection. */
  forbidden?: string[];
  /** What RFC 6455 (or HTTP) requires, in a few words, for the report. */
  rule: string;
}

/** A group 0 case: a CaseDef (so listings, selection and reports treat it like any other) plus its handshake. */
export interface HandshakeCaseDef extends CaseDef {
  handshake: HandshakeSpec;
}

/** Whether a case is a group 0 handshake case (played by the handshake engine, not the frame steps). */
export function isHandshakeCase(def: CaseDef): def is HandshakeCaseDef {
  return (def as Partial<HandshakeCaseDef>).handshake !== undefined;
}

/** Whether an id is one of Autobahn's (groups 1-13), not one of our own groups 0 and 14. */
export function isAutobahnCaseId(id: string): boolean {
  return !id.startsWith('0.') && !id.startsWith('14.');
}

/** Expands a RawText. */
export function rawText(text: RawText): string {
  if (typeof text === 'string') return text;
  if (text.repeat.length === 0) throw new RangeError('repeat pattern must not be empty');
  return text.repeat.repeat(Math.ceil(text.length / text.repeat.length)).slice(0, text.length);
}
