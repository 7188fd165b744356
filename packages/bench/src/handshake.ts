/**
 * The load client's opening handshake on the protocol package: one request built per job and written
 * as is for every connection, and the check of each 101, which holds deflate jobs to our offer too.
 */
import net from 'node:net';
import {
  buildUpgradeRequest,
  deflateOfferElement,
  formatExtensions,
  PERMESSAGE_DEFLATE,
  validateDeflateResponse,
  validateUpgradeResponse,
  type DeflateOffer,
  type HttpResponseHead,
} from '@wsmatrix/protocol';

/**
 * Deflate jobs offer client_no_context_takeover and nothing else: the client sends the same message,
 * compressed once on its own, and without client_max_window_bits offered the server cannot shrink the
 * window those bytes were compressed with.
 */
const DEFLATE_OFFER: DeflateOffer = { clientNoContextTakeover: true, clientMaxWindowBits: false };
export const DEFLATE_OFFER_HEADER = formatExtensions([deflateOfferElement(DEFLATE_OFFER)]);

/** The GET upgrade request for ws://host:port/, offering permessage-deflate only for deflate jobs. */
export function upgradeRequest(host: string, port: number, key: string, deflate: boolean): Buffer {
  const hostHeader = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const head = buildUpgradeRequest({
    host: hostHeader,
    path: '/',
    key,
    ...(deflate ? { extensions: DEFLATE_OFFER_HEADER } : {}),
  });
  return Buffer.from(head, 'latin1');
}

/**
 * Null when `head` is a valid 101 for `key`, else why not. A deflate job's 101 must accept
 * permessage-deflate within our offer: a "+deflate" figure must never come from uncompressed traffic.
 */
export function checkUpgradeResponse(head: HttpResponseHead, key: string, deflate: boolean): string | null {
  const check = validateUpgradeResponse(head, { key, offeredExtensions: deflate ? [PERMESSAGE_DEFLATE] : [] });
  if (!check.ok) return check.message;
  if (!deflate) return null;
  const [answer] = check.extensions;
  if (answer === undefined)
    return 'server declined permessage-deflate, which this +deflate job requires (it would measure uncompressed traffic)';
  const deflateCheck = validateDeflateResponse(answer, [DEFLATE_OFFER], { strict: true });
  return deflateCheck.ok ? null : deflateCheck.message;
}
