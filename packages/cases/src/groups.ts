import type { CaseGroup } from './types.js';
import { GROUP13_OFFERS } from './group12.js';
import { DATA_SETS, DATA_SET_ORDER } from './test-data.js';
import { UTF8_SEQUENCE_GROUPS, UTF8_FIRST_SUBGROUP } from './utf8-sequences.js';

/**
 * Category and sub-category titles, as Autobahn names them (case/__init__.py and case6_x_x.py), for the
 * groups that hold cases. Groups 2, 3 and 5 have no sub-categories; there is no category 8 with
 * cases, and 9.9 / 9.10 exist in Autobahn's table but hold no registered case.
 */
const CATEGORIES: CaseGroup[] = [
  // Ours, not Autobahn's (its category 0 is empty): see handshake-case.ts.
  { id: '0', title: 'Opening Handshake' },
  { id: '1', title: 'Framing' },
  { id: '2', title: 'Pings/Pongs' },
  { id: '3', title: 'Reserved Bits' },
  { id: '4', title: 'Opcodes' },
  { id: '5', title: 'Fragmentation' },
  { id: '6', title: 'UTF-8 Handling' },
  { id: '7', title: 'Close Handling' },
  { id: '9', title: 'Limits/Performance' },
  { id: '10', title: 'Misc' },
  { id: '12', title: 'WebSocket Compression (different payloads)' },
  { id: '13', title: 'WebSocket Compression (different parameters)' },
  // Ours, not Autobahn's: see deflate-edge-case.ts.
  { id: '14', title: 'permessage-deflate Edge Cases' },
];

const dataSetTitle = (name: keyof typeof DATA_SETS): string => {
  const d = DATA_SETS[name];
  return `${d.title} (${d.binary ? 'binary' : 'utf8'}, ${d.size} bytes)`;
};
const offerTuple = (o: { requestNoContextTakeover: boolean; requestMaxWindowBits: number }): string =>
  `(${o.requestNoContextTakeover ? 'True' : 'False'}, ${o.requestMaxWindowBits})`;

const SUB_CATEGORIES: CaseGroup[] = [
  { id: '0.1', title: 'Method, HTTP version and request target' },
  { id: '0.2', title: 'Host, Upgrade and Connection' },
  { id: '0.3', title: 'Sec-WebSocket-Version' },
  { id: '0.4', title: 'Sec-WebSocket-Key' },
  { id: '0.5', title: 'Limits: long lines, big heads, many headers, bodies' },
  { id: '0.6', title: 'Subprotocols, extensions, injection and pipelining' },
  // Client group 0 (client-handshake-case.ts): responses a client must refuse or handle.
  { id: '0.7', title: 'Client: status line and interim responses' },
  { id: '0.8', title: 'Client: Sec-WebSocket-Accept' },
  { id: '0.9', title: 'Client: Upgrade and Connection' },
  { id: '0.10', title: 'Client: subprotocols, extensions and permessage-deflate parameters' },
  { id: '0.11', title: 'Client: header syntax, head size and frames with the 101' },
  { id: '1.1', title: 'Text Messages' },
  { id: '1.2', title: 'Binary Messages' },
  { id: '4.1', title: 'Non-control Opcodes' },
  { id: '4.2', title: 'Control Opcodes' },
  { id: '6.1', title: 'Valid UTF-8 with zero payload fragments' },
  { id: '6.2', title: 'Valid UTF-8 unfragmented, fragmented on code-points and within code-points' },
  { id: '6.3', title: 'Invalid UTF-8 differently fragmented' },
  { id: '6.4', title: 'Fail-fast on invalid UTF-8' },
  ...UTF8_SEQUENCE_GROUPS.map((g, i) => ({ id: `6.${UTF8_FIRST_SUBGROUP + i}`, title: g.title })),
  { id: '7.1', title: 'Basic close behavior (fuzzer initiated)' },
  { id: '7.3', title: 'Close frame structure: payload length (fuzzer initiated)' },
  { id: '7.5', title: 'Close frame structure: payload value (fuzzer initiated)' },
  { id: '7.7', title: 'Close frame structure: valid close codes (fuzzer initiated)' },
  { id: '7.9', title: 'Close frame structure: invalid close codes (fuzzer initiated)' },
  { id: '7.13', title: 'Informational close information (fuzzer initiated)' },
  { id: '9.1', title: 'Text Message (increasing size)' },
  { id: '9.2', title: 'Binary Message (increasing size)' },
  { id: '9.3', title: 'Fragmented Text Message (fixed size, increasing fragment size)' },
  { id: '9.4', title: 'Fragmented Binary Message (fixed size, increasing fragment size)' },
  { id: '9.5', title: 'Text Message (fixed size, increasing chop size)' },
  { id: '9.6', title: 'Binary Text Message (fixed size, increasing chop size)' },
  { id: '9.7', title: 'Text Message Roundtrip Time (fixed number, increasing size)' },
  { id: '9.8', title: 'Binary Message Roundtrip Time (fixed number, increasing size)' },
  { id: '10.1', title: 'Auto-Fragmentation' },
  ...DATA_SET_ORDER.map((name, i) => ({ id: `12.${i + 1}`, title: dataSetTitle(name) })),
  ...GROUP13_OFFERS.map((offers, i) => ({
    id: `13.${i + 1}`,
    title:
      `${dataSetTitle('json')} - client offers ` +
      `(requestNoContextTakeover, requestMaxWindowBits): [${offers.map(offerTuple).join(', ')}]`,
  })),
  { id: '14.1', title: 'RSV1 on a continuation or control frame' },
  { id: '14.2', title: 'Block structure: stored, BFINAL, empty and missing empty blocks' },
  { id: '14.3', title: 'Back-references: the full window, small windows, uncompressed messages' },
  { id: '14.4', title: "The peer's compressor keeps to the agreement" },
  { id: '14.5', title: 'Invalid compressed data' },
];

/** Every category, then every sub-category, each list in Autobahn's order. */
export const caseGroups: readonly CaseGroup[] = Object.freeze(
  [...CATEGORIES, ...SUB_CATEGORIES].map((g) => Object.freeze({ ...g })),
);

const TITLES = new Map(caseGroups.map((g) => [g.id, g.title]));

/** The title of a category ("1" -> "Framing") or sub-category ("1.1" -> "Text Messages"); undefined otherwise. */
export function groupTitle(id: string): string | undefined {
  return TITLES.get(id);
}

/**
 * The groups a case belongs to, outermost first: "6.4.1" -> [6 UTF-8 Handling, 6.4 Fail-fast ...];
 * "2.1" -> [2 Pings/Pongs] (group 2 has no sub-categories).
 */
export function groupsOfCase(caseId: string): CaseGroup[] {
  const parts = caseId.split('.');
  const out: CaseGroup[] = [];
  for (let n = 1; n < parts.length; n++) {
    const id = parts.slice(0, n).join('.');
    const title = TITLES.get(id);
    if (title !== undefined) out.push({ id, title });
  }
  return out;
}
