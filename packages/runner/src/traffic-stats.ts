/**
 * The per-case traffic figures of a connection, as AutobahnPython keeps them: octets and frames per
 * write size and opcode (TrafficStats), and its message-level TrafficStats with the derived ratios.
 */

/** Octets per write size and frames per opcode, each way (Autobahn's rx/txOctetStats, rx/txFrameStats). */
export interface TrafficStats {
  rxOctetStats: Record<number, number>;
  txOctetStats: Record<number, number>;
  rxFrameStats: Record<number, number>;
  txFrameStats: Record<number, number>;
}

/**
 * AutobahnPython's TrafficStats (data messages only, not control frames): octets at the wire level
 * (frames with headers), the WebSocket level (payload as sent, i.e. compressed) and the application
 * level (payload before compression), frames and messages, each way.
 */
export interface MessageTraffic {
  outgoingOctetsWireLevel: number;
  outgoingOctetsWebSocketLevel: number;
  outgoingOctetsAppLevel: number;
  outgoingWebSocketFrames: number;
  outgoingWebSocketMessages: number;
  incomingOctetsWireLevel: number;
  incomingOctetsWebSocketLevel: number;
  incomingOctetsAppLevel: number;
  incomingWebSocketFrames: number;
  incomingWebSocketMessages: number;
}

/** The report form of MessageTraffic, with Autobahn's derived figures (null when undefined). */
export interface TrafficStatsJson extends MessageTraffic {
  /** WebSocket-level / application-level octets: compressed size over uncompressed size. */
  outgoingCompressionRatio: number | null;
  incomingCompressionRatio: number | null;
  /** (wire − WebSocket level) / WebSocket level: framing overhead. */
  outgoingWebSocketOverhead: number | null;
  incomingWebSocketOverhead: number | null;
}

export function trafficStatsJson(t: MessageTraffic): TrafficStatsJson {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    ...t,
    outgoingCompressionRatio: ratio(t.outgoingOctetsWebSocketLevel, t.outgoingOctetsAppLevel),
    incomingCompressionRatio: ratio(t.incomingOctetsWebSocketLevel, t.incomingOctetsAppLevel),
    outgoingWebSocketOverhead: ratio(
      t.outgoingOctetsWireLevel - t.outgoingOctetsWebSocketLevel,
      t.outgoingOctetsWebSocketLevel,
    ),
    incomingWebSocketOverhead: ratio(
      t.incomingOctetsWireLevel - t.incomingOctetsWebSocketLevel,
      t.incomingOctetsWebSocketLevel,
    ),
  };
}

export function freshTrafficStats(): TrafficStats {
  return { rxOctetStats: {}, txOctetStats: {}, rxFrameStats: {}, txFrameStats: {} };
}

export function freshMessageTraffic(): MessageTraffic {
  return {
    outgoingOctetsWireLevel: 0,
    outgoingOctetsWebSocketLevel: 0,
    outgoingOctetsAppLevel: 0,
    outgoingWebSocketFrames: 0,
    outgoingWebSocketMessages: 0,
    incomingOctetsWireLevel: 0,
    incomingOctetsWebSocketLevel: 0,
    incomingOctetsAppLevel: 0,
    incomingWebSocketFrames: 0,
    incomingWebSocketMessages: 0,
  };
}
