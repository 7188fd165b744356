/**
 * permessage-deflate negotiation (RFC 7692 §5, §7.1), both roles, as pure functions over the parsed
 * Sec-WebSocket-Extensions offers of extensions.ts.
 *
 * Server side (`negotiateDeflate`): the client's offers are tried in order; an offer with an unknown
 * parameter, a duplicated parameter, a value where none is allowed, a missing or invalid window size, or
 * a configuration we cannot honour is DECLINED (RFC 7692 §7: decline, never fail the handshake) and the
 * next offer of the extension is tried. The first acceptable one gives the response and the parameters
 * both sides use. A client that demands `server_max_window_bits=8` is declined: zlib cannot deflate with
 * an 8-bit window (it silently uses 9).
 *
 * Client side (`validateDeflateResponse`): the server's response is checked parameter by parameter
 * (the rules AutobahnPython applies), and, in strict mode, against the offers we made (RFC 7692 §7.1:
 * the server must confirm `server_no_context_takeover` and `server_max_window_bits` when it accepts an
 * offer carrying them, and may only send `client_max_window_bits` when we offered it).
 */
import type { ExtensionOffer } from './extensions.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** Window bits a peer may name on the wire (RFC 7692 §7.1.2). */
export const MIN_WINDOW_BITS = 8;
export const MAX_WINDOW_BITS = 15;

/** What both endpoints use once the extension is agreed; window bits are resolved (15 when unnamed). */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/**
 * One offer as a client makes it (AutobahnPython's PerMessageDeflateOffer): whether it lets the server
 * ask for client_no_context_takeover / client_max_window_bits, and what it requests of the server.
 */
export interface DeflateOffer {
  /** Offer `client_no_context_takeover` (a hint that we will reset our compressor). Default true. */
  clientNoContextTakeover?: boolean;
  /** Offer `client_max_window_bits`: true = without value, a number = with that value. Default true. */
  clientMaxWindowBits?: boolean | number;
  /** Request `server_no_context_takeover`. Default false. */
  serverNoContextTakeover?: boolean;
  /** Request `server_max_window_bits=N` (8..15); 0 or absent = not requested. */
  serverMaxWindowBits?: number;
}

/** The server's policy. Every field is optional; the defaults accept any valid offer as offered. */
export interface DeflatePolicy {
  /** Always reset our compressor after each message (sent as server_no_context_takeover). */
  serverNoContextTakeover?: boolean;
  /** Ask the client to reset its compressor after each message. */
  clientNoContextTakeover?: boolean;
  /** Largest window our compressor uses (9..15, default 15). */
  serverMaxWindowBits?: number;
  /** Ask the client for at most this window when it lets us (8..15, default: not asked). */
  clientMaxWindowBits?: number;
}

/** An offer's parameters, validated. `clientMaxWindowBits`: absent, true (no value) or the value. */
interface ParsedOffer {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  clientMaxWindowBits: true | number | undefined;
}

export type DeflateNegotiation =
  | { accepted: true; params: DeflateParams; response: ExtensionOffer; offerIndex: number; declined: string[] }
  | { accepted: false; declined: string[] };

const KNOWN = [
  'server_no_context_takeover',
  'client_no_context_takeover',
  'server_max_window_bits',
  'client_max_window_bits',
] as const;

/** A window size as RFC 7692 writes it: a decimal integer 8..15 without leading zeros. */
export function parseWindowBits(value: string): number | null {
  if (!/^[1-9][0-9]?$/.test(value)) return null;
  const n = Number(value);
  return n >= MIN_WINDOW_BITS && n <= MAX_WINDOW_BITS ? n : null;
}

/**
 * Validates the parameters of one permessage-deflate element (offer or response): only the four known
 * names, each at most once, the no-context-takeover ones without a value, server_max_window_bits with a
 * valid value, client_max_window_bits with a valid value or (only where `clientBitsMayBeBare`) none.
 * Returns the parsed parameters or the reason they are invalid.
 */
function parseParams(params: ExtensionOffer['params'], clientBitsMayBeBare: boolean): ParsedOffer | string {
  const out: ParsedOffer = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: undefined,
    clientMaxWindowBits: undefined,
  };
  const seen = new Set<string>();
  for (const [rawName, value] of params) {
    const name = rawName.toLowerCase();
    if (!(KNOWN as readonly string[]).includes(name)) return `unknown parameter ${rawName}`;
    if (seen.has(name)) return `duplicate parameter ${name}`;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return `parameter ${name} takes no value`;
        if (name === 'server_no_context_takeover') out.serverNoContextTakeover = true;
        else out.clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits': {
        const bits = value === true ? null : parseWindowBits(value);
        if (bits === null) return `parameter server_max_window_bits needs a value 8..15`;
        out.serverMaxWindowBits = bits;
        break;
      }
      default: {
        if (value === true) {
          if (!clientBitsMayBeBare) return 'parameter client_max_window_bits needs a value 8..15 in a response';
          out.clientMaxWindowBits = true;
        } else {
          const bits = parseWindowBits(value);
          if (bits === null) return `parameter client_max_window_bits needs a value 8..15`;
          out.clientMaxWindowBits = bits;
        }
      }
    }
  }
  return out;
}

function checkPolicyBits(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > MAX_WINDOW_BITS)) {
    throw new RangeError(`${name} must be an integer ${min}..${MAX_WINDOW_BITS}, got ${String(value)}`);
  }
}

/**
 * Server side: picks the first acceptable permessage-deflate offer among `offers` (other extensions are
 * ignored). Never throws for peer input; throws RangeError for a bad policy.
 */
export function negotiateDeflate(offers: readonly ExtensionOffer[], policy: DeflatePolicy = {}): DeflateNegotiation {
  checkPolicyBits('serverMaxWindowBits', policy.serverMaxWindowBits, 9);
  checkPolicyBits('clientMaxWindowBits', policy.clientMaxWindowBits, MIN_WINDOW_BITS);
  const declined: string[] = [];
  for (let i = 0; i < offers.length; i++) {
    const offer = offers[i]!;
    if (offer.name.toLowerCase() !== PERMESSAGE_DEFLATE) continue;
    const parsed = parseParams(offer.params, true);
    if (typeof parsed === 'string') {
      declined.push(`offer ${i + 1}: ${parsed}`);
      continue;
    }
    if (parsed.serverMaxWindowBits !== undefined && parsed.serverMaxWindowBits < 9) {
      declined.push(
        `offer ${i + 1}: server_max_window_bits=${parsed.serverMaxWindowBits} cannot be honoured ` +
          '(zlib deflates with at least 9)',
      );
      continue;
    }
    const response: ExtensionOffer = { name: PERMESSAGE_DEFLATE, params: [] };
    const serverNoContextTakeover = parsed.serverNoContextTakeover || policy.serverNoContextTakeover === true;
    // The client's hint costs us nothing to confirm and lets us keep no inbound history.
    const clientNoContextTakeover = parsed.clientNoContextTakeover || policy.clientNoContextTakeover === true;
    const ours = policy.serverMaxWindowBits ?? MAX_WINDOW_BITS;
    let serverBits = MAX_WINDOW_BITS;
    if (parsed.serverMaxWindowBits !== undefined || ours < MAX_WINDOW_BITS) {
      serverBits = Math.min(parsed.serverMaxWindowBits ?? MAX_WINDOW_BITS, ours);
    }
    let clientBits = MAX_WINDOW_BITS;
    let sendClientBits = false;
    if (parsed.clientMaxWindowBits !== undefined) {
      const offered = parsed.clientMaxWindowBits === true ? MAX_WINDOW_BITS : parsed.clientMaxWindowBits;
      clientBits = Math.min(offered, policy.clientMaxWindowBits ?? MAX_WINDOW_BITS);
      // With a value in the offer the client uses at most that anyway; say so only when we lower it.
      sendClientBits = policy.clientMaxWindowBits !== undefined && policy.clientMaxWindowBits < offered;
    }
    if (serverNoContextTakeover) response.params.push(['server_no_context_takeover', true]);
    if (clientNoContextTakeover) response.params.push(['client_no_context_takeover', true]);
    if (parsed.serverMaxWindowBits !== undefined || ours < MAX_WINDOW_BITS) {
      response.params.push(['server_max_window_bits', String(serverBits)]);
    }
    if (sendClientBits) response.params.push(['client_max_window_bits', String(clientBits)]);
    return {
      accepted: true,
      params: {
        serverNoContextTakeover,
        clientNoContextTakeover,
        serverMaxWindowBits: serverBits,
        clientMaxWindowBits: clientBits,
      },
      response,
      offerIndex: i,
      declined,
    };
  }
  return { accepted: false, declined };
}

/** The Sec-WebSocket-Extensions element a client sends for an offer. */
export function deflateOfferElement(offer: DeflateOffer = {}): ExtensionOffer {
  const params: ExtensionOffer['params'] = [];
  if (offer.clientNoContextTakeover ?? true) params.push(['client_no_context_takeover', true]);
  const cmwb = offer.clientMaxWindowBits ?? true;
  if (cmwb === true) params.push(['client_max_window_bits', true]);
  else if (typeof cmwb === 'number') params.push(['client_max_window_bits', String(cmwb)]);
  if (offer.serverNoContextTakeover) params.push(['server_no_context_takeover', true]);
  if (offer.serverMaxWindowBits) params.push(['server_max_window_bits', String(offer.serverMaxWindowBits)]);
  return { name: PERMESSAGE_DEFLATE, params };
}

export type DeflateResponseCheck =
  | {
      ok: true;
      params: DeflateParams /** RFC 7692 rules the response breaks (lenient mode only). */;
      violations: string[];
    }
  | { ok: false; message: string };

/** Does the response satisfy what RFC 7692 §7.1 requires for accepting this particular offer? */
function rfcMismatch(resp: ParsedOffer, offer: DeflateOffer): string | null {
  if (offer.serverNoContextTakeover && !resp.serverNoContextTakeover) {
    return 'server_no_context_takeover was requested but not confirmed';
  }
  const requested = offer.serverMaxWindowBits ?? 0;
  if (requested > 0) {
    if (resp.serverMaxWindowBits === undefined)
      return `server_max_window_bits=${requested} was requested but not confirmed`;
    if (resp.serverMaxWindowBits > requested)
      return `server_max_window_bits=${resp.serverMaxWindowBits} exceeds the requested ${requested}`;
  }
  const cmwb = offer.clientMaxWindowBits ?? true;
  if (resp.clientMaxWindowBits !== undefined) {
    if (cmwb === false) return 'client_max_window_bits was not offered';
    if (typeof cmwb === 'number' && typeof resp.clientMaxWindowBits === 'number' && resp.clientMaxWindowBits > cmwb) {
      return `client_max_window_bits=${resp.clientMaxWindowBits} exceeds the offered ${cmwb}`;
    }
  }
  return null;
}

/**
 * Client side: checks the server's permessage-deflate response. Parameter syntax (known names, no
 * duplicates, values where required, 8..15) always fails the check, as it does in AutobahnPython. The
 * RFC 7692 relations to what we offered fail it only with `strict`; otherwise they are returned as
 * `violations` so a test tool can report them without judging differently from Autobahn.
 */
export function validateDeflateResponse(
  response: ExtensionOffer,
  offers: readonly DeflateOffer[],
  options: { strict?: boolean } = {},
): DeflateResponseCheck {
  if (response.name.toLowerCase() !== PERMESSAGE_DEFLATE)
    return { ok: false, message: `not a ${PERMESSAGE_DEFLATE} response` };
  const parsed = parseParams(response.params, false);
  if (typeof parsed === 'string') return { ok: false, message: `invalid ${PERMESSAGE_DEFLATE} response: ${parsed}` };
  const violations: string[] = [];
  if (offers.length > 0) {
    const reasons = offers.map((o) => rfcMismatch(parsed, o));
    if (!reasons.includes(null)) violations.push(...new Set(reasons as string[]));
  }
  if (violations.length > 0 && options.strict) {
    return {
      ok: false,
      message: `${PERMESSAGE_DEFLATE} response matches none of our offers: ${violations.join('; ')}`,
    };
  }
  const clientBits = typeof parsed.clientMaxWindowBits === 'number' ? parsed.clientMaxWindowBits : MAX_WINDOW_BITS;
  return {
    ok: true,
    params: {
      serverNoContextTakeover: parsed.serverNoContextTakeover,
      clientNoContextTakeover: parsed.clientNoContextTakeover,
      serverMaxWindowBits: parsed.serverMaxWindowBits ?? MAX_WINDOW_BITS,
      clientMaxWindowBits: clientBits,
    },
    violations,
  };
}
