/**
 * Request checks node:http does not make for us (own-server and attached mode alike), and the status for
 * the parse errors it reports through 'clientError' (own-server mode).
 */

/** A header line (`name: value`) longer than `maxLine` bytes → 431 (hardening.md §7: 8 KiB per line). */
export function overlongHeaderLine(rawHeaders: readonly string[], maxLine: number): string | null {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    const length = name.length + 2 + (rawHeaders[i + 1] as string).length;
    if (length > maxLine) return `header line ${name.slice(0, 64)} is ${length} bytes (at most ${maxLine})`;
  }
  return null;
}

/**
 * The answer to a request Node's parser refused (`err.code` of its 'clientError'). Node's own default
 * answers 400 to everything but a header overflow; an unknown method deserves 501 (RFC 9110 §9.1) and a
 * version Node cannot parse 505 (RFC 9110 §15.6.6).
 */
export function statusForParseError(code: string | undefined): { status: number; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'request head too large' };
    case 'HPE_INVALID_METHOD':
      return { status: 501, message: 'unknown request method (WebSocket upgrades use GET)' };
    case 'HPE_INVALID_VERSION':
      return { status: 505, message: 'unsupported HTTP version (HTTP/1.1 required)' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'request not completed in time' };
    default:
      return { status: 400, message: 'malformed HTTP request' };
  }
}
