/**
 * What the client's upgrade request offers, as far as a client handshake case depends on it: its key,
 * its first permessage-deflate offer, and which requirement of the case applies (ClientOfferCondition,
 * packages/cases client-handshake-case.ts). Pure.
 */
import type { ClientExpectation, ClientOfferCondition, ClientRequirement } from '@wsmatrix/cases';
import {
  ExtensionHeaderError,
  PERMESSAGE_DEFLATE,
  computeAcceptKey,
  parseExtensions,
  validateUpgradeRequest,
  type ExtensionOffer,
  type HttpRequestHead,
} from '@wsmatrix/protocol';

export interface ClientOffer {
  /** The right Sec-WebSocket-Accept for the request's key ('' keys hash too: the case still plays). */
  accept: string;
  /** The first permessage-deflate element of Sec-WebSocket-Extensions, or null. */
  deflate: ExtensionOffer | null;
  /** Why the request is not a valid upgrade request, or null when it is. */
  requestProblem: string | null;
}

export function readClientOffer(head: HttpRequestHead): ClientOffer {
  const check = validateUpgradeRequest(head);
  const key = head.headers.get('sec-websocket-key') ?? '';
  let deflate: ExtensionOffer | null = null;
  let extensionsProblem: string | null = null;
  const lines = head.headers.getAll('sec-websocket-extensions');
  if (lines.length > 0) {
    try {
      deflate = parseExtensions(lines).find((e) => e.name.toLowerCase() === PERMESSAGE_DEFLATE) ?? null;
    } catch (err) {
      if (!(err instanceof ExtensionHeaderError)) throw err;
      extensionsProblem = `Sec-WebSocket-Extensions is malformed: ${err.message}`;
    }
  }
  return {
    accept: computeAcceptKey(key),
    deflate,
    requestProblem: check.ok ? extensionsProblem : check.message,
  };
}

const param = (offer: ExtensionOffer, name: string): string | true | undefined =>
  offer.params.find(([n]) => n.toLowerCase() === name)?.[1];

/**
 * `{deflate}`: accepts the first offer as offered, confirming what RFC 7692 requires a server to
 * confirm (server_no_context_takeover, server_max_window_bits when requested); plain permessage-deflate
 * when the client offered none.
 */
export function deflateAcceptance(offer: ClientOffer): string {
  const parts = [PERMESSAGE_DEFLATE];
  if (offer.deflate === null) return parts[0] as string;
  if (param(offer.deflate, 'server_no_context_takeover') !== undefined) parts.push('server_no_context_takeover');
  const bits = param(offer.deflate, 'server_max_window_bits');
  if (typeof bits === 'string') parts.push(`server_max_window_bits=${bits}`);
  return parts.join('; ');
}

export function offerMeets(condition: ClientOfferCondition, offer: ClientOffer): boolean {
  const d = offer.deflate;
  if (d === null) return false;
  switch (condition) {
    case 'offers-deflate':
      return true;
    case 'offers-deflate-without-server-no-context-takeover':
      return param(d, 'server_no_context_takeover') === undefined;
    case 'offers-deflate-allowing-client-window-9': {
      const bits = param(d, 'client_max_window_bits');
      return bits === true || (typeof bits === 'string' && /^\d{1,2}$/.test(bits) && Number(bits) >= 9);
    }
  }
}

/** The requirement that applies to this client, and a sentence saying why when the case is conditional. */
export function applicableRequirement(
  expect: ClientExpectation,
  offer: ClientOffer,
): { requirement: ClientRequirement; because: string | null } {
  if ('kind' in expect) return { requirement: expect, because: null };
  const met = offerMeets(expect.ifOffered, offer);
  const offered = offer.deflate === null ? 'no permessage-deflate' : `"${describeOffer(offer.deflate)}"`;
  const requirement = met ? expect.whenMet : expect.otherwise;
  return { requirement, because: `The client offered ${offered}, so it must ${requirement.kind} this response.` };
}

function describeOffer(offer: ExtensionOffer): string {
  return [offer.name, ...offer.params.map(([n, v]) => (v === true ? n : `${n}=${v}`))].join('; ');
}
