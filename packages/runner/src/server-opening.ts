/**
 * The server role's answer to a client's upgrade request, as a pure function: validate the request
 * (RFC 6455 §4.2.1), then negotiate permessage-deflate the way Autobahn's fuzzingserver does
 * (AutobahnPython 0.10.9 compress_deflate.py PerMessageDeflateOffer.parse / PerMessageDeflateOfferAccept,
 * WebSocketServerProtocol.succeedHandshake; autobahntestsuite case12_x_x.py accept1 … accept7):
 *
 * - Every permessage-deflate offer is parsed first; one with an unknown, repeated or malformed
 *   parameter fails the handshake with 400, as AutobahnPython does (it raises while parsing).
 * - A case without `deflateOffers` accepts none (the factory's default accept returns None).
 * - Groups 12/13: the case's `deflateOffers` are, in the server role, what the server asks of the client
 *   (client_no_context_takeover, client_max_window_bits=N). Tried in order; for each, the client's
 *   offers in order; the first offer that allows what is asked is accepted. An offer always allows
 *   client_no_context_takeover (AutobahnPython's parser defaults acceptNoContextTakeover to true);
 *   client_max_window_bits=N only when the offer carries client_max_window_bits.
 * - The response confirms what the offer requested of the server (server_no_context_takeover,
 *   server_max_window_bits=N) and adds what the case asks of the client.
 * - Group 14 may name the runner's own window (`ownMaxWindowBits`): the response then carries
 *   server_max_window_bits with it, or with the client's request when that is smaller (RFC 7692 §7.1.2.1 lets
 *   a server send the parameter unasked).
 */
import type { CaseDef, DeflateOfferSpec } from '@wsmatrix/cases';
import {
  MAX_WINDOW_BITS,
  PERMESSAGE_DEFLATE,
  buildUpgradeResponse,
  validateUpgradeRequest,
  type DeflateParams,
  type ExtensionOffer,
  type HttpRequestHead,
} from '@wsmatrix/protocol';

/** A permessage-deflate offer as AutobahnPython's PerMessageDeflateOffer.parse reads it. */
interface ParsedOffer {
  /** The client lets the server ask for client_no_context_takeover (always true in AutobahnPython). */
  acceptNoContextTakeover: boolean;
  /** The client lets the server ask for client_max_window_bits (the offer carries that parameter). */
  acceptMaxWindowBits: boolean;
  requestNoContextTakeover: boolean;
  /** server_max_window_bits the client asks for; 0 = none. */
  requestMaxWindowBits: number;
}

export type ServerOpening =
  | {
      ok: true;
      /** The 101 head, blank line included. */
      response: string;
      /** The negotiated permessage-deflate parameters; null when no offer was accepted. */
      deflate: DeflateParams | null;
    }
  | { ok: false; status: number; message: string; headers: Array<[string, string]> };

/** AutobahnPython's window sizes: 8..15 (its WINDOW_SIZE_PERMISSIBLE_VALUES). */
function windowBits(value: string | true, name: string): number | string {
  const text = value === true ? '' : value.trim();
  const bits = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isInteger(bits) && bits >= 8 && bits <= MAX_WINDOW_BITS) return bits;
  return illegalValue(value === true ? '' : value, name);
}

function illegalValue(value: string | true, name: string): string {
  return `illegal extension parameter value '${value}' for parameter '${name}' of extension '${PERMESSAGE_DEFLATE}'`;
}

/** PerMessageDeflateOffer.parse: the offer, or the reason AutobahnPython raises on it. */
function parseOffer(offer: ExtensionOffer): ParsedOffer | string {
  const parsed: ParsedOffer = {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: false,
    requestNoContextTakeover: false,
    requestMaxWindowBits: 0,
  };
  const seen = new Set<string>();
  for (const [rawName, value] of offer.params) {
    const name = rawName.toLowerCase();
    if (seen.has(name))
      return `multiple occurrence of extension parameter '${name}' for extension '${PERMESSAGE_DEFLATE}'`;
    seen.add(name);
    switch (name) {
      case 'client_max_window_bits':
        if (value !== true) {
          const bits = windowBits(value, name);
          if (typeof bits === 'string') return bits;
        }
        parsed.acceptMaxWindowBits = true;
        break;
      case 'client_no_context_takeover':
        if (value !== true) return illegalValue(value, name);
        parsed.acceptNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = windowBits(value, name);
        if (typeof bits === 'string') return bits;
        parsed.requestMaxWindowBits = bits;
        break;
      }
      case 'server_no_context_takeover':
        if (value !== true) return illegalValue(value, name);
        parsed.requestNoContextTakeover = true;
        break;
      default:
        return `illegal extension parameter '${name}' for extension '${PERMESSAGE_DEFLATE}'`;
    }
  }
  return parsed;
}

/** Whether `offer` lets the server ask what `ask` asks (PerMessageDeflateOfferAccept's checks). */
function allows(offer: ParsedOffer, ask: DeflateOfferSpec): boolean {
  if (ask.requestNoContextTakeover && !offer.acceptNoContextTakeover) return false;
  if (ask.requestMaxWindowBits !== 0 && !offer.acceptMaxWindowBits) return false;
  return true;
}

/** The window the runner's compressor announces: what the client asked, the case's own, or 0 for none. */
function serverWindowBits(offer: ParsedOffer, ask: DeflateOfferSpec): number {
  const asked = [offer.requestMaxWindowBits, ask.ownMaxWindowBits ?? 0].filter((bits) => bits !== 0);
  return asked.length === 0 ? 0 : Math.min(...asked);
}

/** PerMessageDeflateOfferAccept.getExtensionString. */
function responseElement(offer: ParsedOffer, ask: DeflateOfferSpec): string {
  let element = PERMESSAGE_DEFLATE;
  const serverBits = serverWindowBits(offer, ask);
  if (offer.requestNoContextTakeover) element += '; server_no_context_takeover';
  if (serverBits !== 0) element += `; server_max_window_bits=${serverBits}`;
  if (ask.requestNoContextTakeover) element += '; client_no_context_takeover';
  if (ask.requestMaxWindowBits !== 0) element += `; client_max_window_bits=${ask.requestMaxWindowBits}`;
  return element;
}

/**
 * The answer to `head` for case `def`: a 101 (with what was negotiated) or the error status, message and
 * headers to refuse it with. `serverName` goes into the Server header of the 101.
 */
export function answerUpgradeRequest(head: HttpRequestHead, def: CaseDef, serverName: string): ServerOpening {
  const check = validateUpgradeRequest(head);
  if (!check.ok) return check;
  const offers: ParsedOffer[] = [];
  for (const extension of check.extensions) {
    if (extension.name.toLowerCase() !== PERMESSAGE_DEFLATE) continue;
    const parsed = parseOffer(extension);
    if (typeof parsed === 'string') return { ok: false, status: 400, message: parsed, headers: [] };
    offers.push(parsed);
  }
  let extensions: string | undefined;
  let deflate: DeflateParams | null = null;
  search: for (const ask of def.deflateOffers ?? []) {
    for (const offer of offers) {
      if (!allows(offer, ask)) continue;
      extensions = responseElement(offer, ask);
      // PerMessageDeflate.createFromOfferAccept: 0 means the default window, 15.
      deflate = {
        serverNoContextTakeover: offer.requestNoContextTakeover,
        clientNoContextTakeover: ask.requestNoContextTakeover,
        serverMaxWindowBits: serverWindowBits(offer, ask) || MAX_WINDOW_BITS,
        clientMaxWindowBits: ask.requestMaxWindowBits || MAX_WINDOW_BITS,
      };
      break search;
    }
  }
  const response = buildUpgradeResponse({
    key: check.key,
    ...(extensions === undefined ? {} : { extensions }),
    headers: [['Server', serverName]],
  });
  return { ok: true, response, deflate };
}
