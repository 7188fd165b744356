/**
 * The upgrade request as the server sees it, whichever way it arrived: read off a raw socket by our
 * own head parser (own-server mode, no node:http on the path) or adapted from a node:http
 * IncomingMessage (attach mode). Either way the same limits give the same statuses.
 */
import type { IncomingMessage } from 'node:http';
import { HeaderList, HttpHeadError, HttpHeadParser, type HttpRequestHead } from '@wsmatrix/protocol';

export interface UpgradeRequest {
  method: string;
  /** The request target as sent (origin-form for a well-behaved client). */
  url: string;
  /** "1.1", "1.0", … */
  httpVersion: string;
  headers: HeaderList;
}

/** A request that could not be taken apart, with the status to refuse it with. */
export interface RefusedRequest {
  status: number;
  message: string;
  /** The method, when the start line got that far (a HEAD refusal carries no body). */
  method?: string;
}

export interface RequestLimits {
  /** Whole head, CRLFs included (→ 431). */
  maxHeaderSize: number;
  /** Header fields (→ 431). */
  maxHeaderCount: number;
  /** `name: value` line (→ 431). */
  maxHeaderLineSize: number;
  /** Request target (→ 414). */
  maxUrlLength: number;
}

/**
 * Methods this server recognizes (RFC 9110 §9 and PATCH): GET upgrades, the others get 405. Anything
 * else is a method it does not implement → 501 (RFC 9110 §9.1), as node:http's parser answered too.
 */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** The first header line longer than `maxLine` bytes (`name: value`), described, or null. */
function overlongLine(pairs: Iterable<readonly [string, string]>, maxLine: number): string | null {
  for (const [name, value] of pairs) {
    const length = name.length + 2 + value.length;
    if (length > maxLine) return `header line ${name.slice(0, 64)} is ${length} bytes (at most ${maxLine})`;
  }
  return null;
}

/** Checks of a parsed head that do not depend on where it came from. */
function checkParsed(
  method: string,
  url: string,
  httpVersion: string,
  pairs: Iterable<readonly [string, string]>,
  limits: RequestLimits,
): RefusedRequest | null {
  if (!KNOWN_METHODS.has(method))
    return { status: 501, message: 'unknown request method (WebSocket upgrades use GET)', method };
  // HTTP/1.0 and 1.1 are parsed; 1.0 is refused later by the handshake rules (505), 1.2+ does not exist.
  if (httpVersion !== '1.1' && httpVersion !== '1.0') {
    return { status: 505, message: 'unsupported HTTP version (HTTP/1.1 required)', method };
  }
  if (url.length > limits.maxUrlLength)
    return { status: 414, message: `request target longer than ${limits.maxUrlLength} bytes`, method };
  const overlong = overlongLine(pairs, limits.maxHeaderLineSize);
  if (overlong !== null) return { status: 431, message: overlong, method };
  return null;
}

export type RequestHeadOutcome =
  | { ok: true; request: UpgradeRequest /** Bytes after the head (pipelined frames). */; rest: Buffer }
  | ({ ok: false } & RefusedRequest);

/**
 * Own-server mode: gathers one request head from socket chunks. Work and memory are bounded by the
 * head parser (linear scan, at most one line buffered, limits enforced as bytes arrive).
 */
export class RequestHeadReader {
  private readonly parser: HttpHeadParser;

  constructor(private readonly limits: RequestLimits) {
    this.parser = new HttpHeadParser('request', {
      maxHeadBytes: limits.maxHeaderSize,
      // The start line may be as long as the longest target plus method and version; header lines are
      // checked against their own limit once parsed, so the statuses stay 414 vs 431.
      maxLineBytes: Math.max(limits.maxHeaderLineSize, limits.maxUrlLength + 32),
      maxHeaders: limits.maxHeaderCount,
    });
  }

  /** The outcome once the head is complete or broken; null while more bytes are needed. */
  push(chunk: Buffer): RequestHeadOutcome | null {
    let head: HttpRequestHead | null;
    try {
      head = this.parser.push(chunk) as HttpRequestHead | null;
    } catch (err) {
      if (!(err instanceof HttpHeadError)) throw err;
      return { ok: false, status: err.status, message: err.message };
    }
    if (head === null) return null;
    const refused = checkParsed(head.method, head.target, head.httpVersion, head.headers, this.limits);
    if (refused !== null) return { ok: false, ...refused };
    return {
      ok: true,
      request: { method: head.method, url: head.target, httpVersion: head.httpVersion, headers: head.headers },
      rest: this.parser.rest(),
    };
  }
}

/** Attach mode: the same request from node:http's parse, under the same limits. */
export function requestFromNode(req: IncomingMessage, limits: RequestLimits): UpgradeRequest | RefusedRequest {
  const raw = req.rawHeaders;
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  const method = req.method ?? '';
  const url = req.url ?? '/';
  const refused = checkParsed(method, url, req.httpVersion, pairs, limits);
  if (refused !== null) return refused;
  try {
    const headers = HeaderList.fromNodeRaw(raw, { maxHeaders: limits.maxHeaderCount });
    return { method, url, httpVersion: req.httpVersion, headers };
  } catch (err) {
    if (!(err instanceof HttpHeadError)) throw err;
    return { status: err.status, message: err.message, method };
  }
}
