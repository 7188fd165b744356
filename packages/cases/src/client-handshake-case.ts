/**
 * The schema of the client group 0 ("Opening handshake", ids 0.7.x onwards): responses a WebSocket
 * CLIENT must refuse or must handle when it connects to the fuzzingserver, each with the rule of
 * RFC 6455 §4.1 (what a client validates in the server's response), §4.2.2 or RFC 7692 it rests on.
 * Autobahn has no such cases; the server group 0 (handshake-case.ts, ids 0.1.x-0.6.x) tests servers and
 * is never played against a client, nor these against a server.
 *
 * Which list holds what (index.ts):
 * - `allCases`: the cases for SERVERS (the server group 0 and Autobahn's). A spec's "*" in the
 *   fuzzingclient mode (testing servers) selects from it.
 * - `clientCases`: the cases for CLIENTS (this group and Autobahn's). A spec's "*" in the fuzzingserver
 *   mode (testing clients) selects from it.
 * - `caseById` finds a case of either list (the ids never collide).
 *
 * How a case is played (packages/runner src/client-handshake/): the runner is the server. It reads the
 * client's upgrade request, writes `response` (one socket write unless `chop` says otherwise), then the
 * probe: one unmasked text frame with `probe.text`, in a write of its own after the response was handed
 * to the kernel, or in the same write as the response with `probe.sameWrite`. Then it reads what the
 * client sends back (masked frames, as a client must send them) for the case's window, `timeLimitMs`.
 * A client that accepted the connection echoes the probe, because the fuzzingserver's drivers echo
 * every message they receive.
 *
 * Verdict rules (`expect`):
 * - `refuse` (RFC 6455 §4.1: the client MUST _Fail the WebSocket Connection_):
 *   OK when the client never sends a WebSocket frame: it closes TCP, or stays silent for the whole window
 *   (the runner then drops TCP), or sends a new HTTP request on the connection (it handled the response
 *   per HTTP, as §4.1 asks for a status other than 101).
 *   NON-STRICT when the only frame it sends is a Close (say 1002): it refused to use the connection, but
 *   a Close frame belongs to an established connection (§7.1.7 sends one only "if the WebSocket
 *   connection is established"), which this one never was.
 *   `onAccept` (FAILED, or INFORMATIONAL where no MUST is at stake) when it sends anything else: the
 *   echo of the probe, another data frame, a Ping or Pong, or bytes that are not a valid client frame.
 * - `accept` (a response the RFC says the client must take):
 *   OK when the echo arrives: a masked text message with exactly the probe's bytes (inflated first when
 *   the response agreed permessage-deflate and the echo is compressed).
 *   FAILED when it echoes something else or sends bytes that are not a valid client frame.
 *   `onRefuse` when it closes TCP, sends a Close, or stays silent for the window without echoing.
 * - `{ ifOffered, whenMet, otherwise }`: `whenMet` holds when the client's request meets the condition, else
 *   `otherwise` (see ClientOfferCondition). The result text says which branch applied.
 *
 * `behaviorClose`, in the server group 0's vocabulary (OK / INFORMATIONAL):
 * - after a data frame (the connection was used): the runner sends Close 1000; OK when the client
 *   answers with its Close and the connection ends, INFORMATIONAL when it does not in time (the runner
 *   drops TCP);
 * - otherwise: OK when the client ended the connection (after a Close of its own or none, which the
 *   runner answers with a Close and the end of TCP), INFORMATIONAL when the runner had to drop it at the
 *   end of the window.
 */
import type { RawHeader, RawText } from './handshake-case.js';
import type { Behavior, CaseDef } from './types.js';

/** What the client under test must do with the response. */
export type ClientRequirement =
  | {
      kind: 'refuse';
      /** The verdict when it accepts the connection anyway. */
      onAccept: Extract<Behavior, 'FAILED' | 'INFORMATIONAL'>;
    }
  | {
      kind: 'accept';
      /** The verdict when it refuses this response. */
      onRefuse: Extract<Behavior, 'FAILED' | 'NON-STRICT' | 'INFORMATIONAL'>;
    };

/**
 * A fact about the client's upgrade request. "The first offer" is the first permessage-deflate element
 * of its Sec-WebSocket-Extensions, the one `{deflate}` accepts.
 * - `offers-deflate`: the request offers permessage-deflate.
 * - `offers-deflate-without-server-no-context-takeover`: it does, and the first offer does not ask for
 *   server_no_context_takeover.
 * - `offers-deflate-allowing-client-window-9`: it does, and the first offer has client_max_window_bits
 *   without a value or with a value of at least 9.
 */
export type ClientOfferCondition =
  | 'offers-deflate'
  | 'offers-deflate-without-server-no-context-takeover'
  | 'offers-deflate-allowing-client-window-9';

export type ClientExpectation =
  | ClientRequirement
  | { ifOffered: ClientOfferCondition; whenMet: ClientRequirement; otherwise: ClientRequirement };

/**
 * The response, as edits to the valid one. The valid response, in this order:
 *
 *     HTTP/1.1 101 Switching Protocols
 *     Upgrade: websocket
 *     Connection: Upgrade
 *     Sec-WebSocket-Accept: {accept}
 *
 * Header values (and `interim`) may use:
 * - `{accept}`: the right Sec-WebSocket-Accept for the client's key (§4.2.2 item 5.4);
 * - `{accept:swapcase}`: the same with the case of every letter swapped (base64 is case-sensitive);
 * - `{deflate}`: a valid acceptance of the client's first permessage-deflate offer: `permessage-deflate`
 *   plus server_no_context_takeover and server_max_window_bits when the offer asks for them (RFC 7692
 *   §7.1.1.1, §7.1.2.1), or plain `permessage-deflate` when the client offered none.
 */
export interface ClientResponseSpec {
  /** The status line (default `HTTP/1.1 101 Switching Protocols`). */
  statusLine?: string;
  /** Raw bytes written before the status line, in the same write (an interim 1xx response). */
  interim?: string;
  /** Names of standard lines to leave out (ASCII case-insensitive: upgrade, connection, sec-websocket-accept). */
  remove?: string[];
  /** New lines for standard names, in their place; the name is written as given (to change its case). */
  replace?: RawHeader[];
  /** Lines added after the standard lines. */
  extra?: RawHeader[];
  /** Raw bytes after the blank line, in the same write as the head (a body). */
  body?: RawText;
  /** Write the response (and the probe with `probe.sameWrite`) in pieces of this many bytes. */
  chop?: number;
}

/** The short message the runner sends once its response is out. */
export interface ClientProbe {
  /** The text message's payload (unmasked, one frame). */
  text: string;
  /** In the same write as the response (frames arriving with the 101) instead of a write of its own. */
  sameWrite: boolean;
}

export interface ClientHandshakeSpec {
  response: ClientResponseSpec;
  probe: ClientProbe;
  expect: ClientExpectation;
  /** What RFC 6455 (or RFC 7692, or HTTP) requires of the client, in a few words, for the report. */
  rule: string;
}

/** A client group 0 case: a CaseDef (listings, selection and reports treat it like any other) for clients. */
export interface ClientHandshakeCaseDef extends CaseDef {
  /** The kind of implementation the case tests. */
  role: 'client';
  clientHandshake: ClientHandshakeSpec;
}

/** Whether a case is a client handshake case (played by the runner as the server, never against a server). */
export function isClientHandshakeCase(def: CaseDef): def is ClientHandshakeCaseDef {
  const c = def as Partial<ClientHandshakeCaseDef>;
  return c.role === 'client' && c.clientHandshake !== undefined;
}
