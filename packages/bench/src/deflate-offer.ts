/**
 * The permessage-deflate offer of deflate jobs and the check of the server's answer to it.
 *
 * We offer `client_no_context_takeover` and nothing else. The client sends the same pre-compressed
 * message every time, each compressed on its own, which a client may do whatever the server answers;
 * not offering `client_max_window_bits` means the server cannot shrink the window those bytes were
 * compressed with. When deflate was offered, a server that declines FAILS the connection: a "+deflate"
 * figure must never come from uncompressed connections.
 */
import {
  deflateOfferElement,
  formatExtensions,
  parseExtensions,
  PERMESSAGE_DEFLATE,
  validateDeflateResponse,
  type DeflateOffer,
} from '@wsmatrix/protocol';

export const DEFLATE_OFFER: DeflateOffer = { clientNoContextTakeover: true, clientMaxWindowBits: false };

/** Value of the Sec-WebSocket-Extensions request header: "permessage-deflate; client_no_context_takeover". */
export const DEFLATE_OFFER_HEADER = formatExtensions([deflateOfferElement(DEFLATE_OFFER)]);

/**
 * Checks the Sec-WebSocket-Extensions of a 101 (undefined: no such header). Without an offer any
 * extension is an error; with one, the answer must be exactly one valid permessage-deflate element that
 * fits our offer (known parameters, valid values, nothing we did not offer). Returns null or why not.
 */
export function checkExtensionsAnswer(value: string | undefined, deflateOffered: boolean): string | null {
  if (!deflateOffered) return value === undefined ? null : 'server accepted an extension that was not offered';
  if (value === undefined) return 'server declined permessage-deflate, which this +deflate job requires (it would measure uncompressed traffic)';
  let answer;
  try {
    answer = parseExtensions(value);
  } catch (err) {
    return `server sent an invalid ${err instanceof Error ? err.message : String(err)}`;
  }
  if (answer.length !== 1 || answer[0]!.name !== PERMESSAGE_DEFLATE) {
    return `server accepted ${JSON.stringify(value)}, expected exactly one ${PERMESSAGE_DEFLATE}`;
  }
  const check = validateDeflateResponse(answer[0]!, [DEFLATE_OFFER], { strict: true });
  return check.ok ? null : check.message;
}
