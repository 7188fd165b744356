/**
 * @wsmatrix/cases: every Autobahn|Testsuite fuzzingclient case (groups 1-10 and the permessage-deflate
 * groups 12 and 13, `autobahnCases`) as declarative data, plus the spec-file selection rules, and groups of
 * our own: group 0 comes in two parts, opening-handshake cases for servers (in `allCases`) and for clients
 * (in `clientCases`), see handshake-case.ts and client-handshake-case.ts; group 14, permessage-deflate edge
 * cases, serves both roles (in both lists), see deflate-edge-case.ts.
 */
import { withTimeLimit } from './build.js';
import { group1 } from './group1.js';
import { group2 } from './group2.js';
import { group3 } from './group3.js';
import { group4 } from './group4.js';
import { group5 } from './group5.js';
import { group6 } from './group6.js';
import { group7 } from './group7.js';
import { group9 } from './group9.js';
import { group10 } from './group10.js';
import { group12, group13 } from './group12.js';
import { group0 } from './group0.js';
import { group14 } from './group14.js';
import { clientGroup0 } from './client-handshake.js';
import { compareCaseIds } from './select.js';
import type { CaseDef } from './types.js';

export type {
  Behavior,
  BehaviorClose,
  CaseDef,
  CaseGroup,
  CompressedEcho,
  DataSetName,
  DeflateOfferSpec,
  EchoTiming,
  ExpectedClose,
  ExpectedEvent,
  FrameStep,
  PartWait,
  PayloadSpec,
  Step,
} from './types.js';
export { payloadBytes, payloadLength } from './payload.js';
export { messageFrameSizes } from './fragment.js';
export {
  DATA_SETS,
  DATA_SET_ORDER,
  DataSetCursor,
  dataSetBytes,
  prng as seededRandom,
  type DataSetInfo,
} from './test-data.js';
export { COMPRESSION_MESSAGE_SIZES, GROUP13_OFFERS } from './group12.js';
export { agentCaseExcluded, compareCaseIds, selectCaseIds } from './select.js';
export { caseGroups, groupTitle, groupsOfCase } from './groups.js';
export { UTF8_SEQUENCE_GROUPS, type Utf8Sequence, type Utf8SequenceGroup } from './utf8-sequences.js';
export { VALID_CLOSE_CODES, INVALID_CLOSE_CODES } from './group7.js';
export {
  isAutobahnCaseId,
  isHandshakeCase,
  rawText,
  type HandshakeCaseDef,
  type HandshakeExpectation,
  type HandshakeRequestSpec,
  type HandshakeSpec,
  type HeaderFill,
  type RawHeader,
  type RawText,
  type RequiredHeader,
} from './handshake-case.js';
export { HANDSHAKE_RESPONSE_WINDOW_MS } from './group0.js';
export {
  isClientHandshakeCase,
  type ClientExpectation,
  type ClientHandshakeCaseDef,
  type ClientHandshakeSpec,
  type ClientOfferCondition,
  type ClientProbe,
  type ClientRequirement,
  type ClientResponseSpec,
} from './client-handshake-case.js';
export { CLIENT_HANDSHAKE_WINDOW_MS } from './client-handshake.js';
export {
  expectedReplies,
  isDeflateEdgeCase,
  type DeflateEdgeCaseDef,
  type DeflateEdgeNeeds,
  type DeflateEdgeSend,
  type DeflateEdgeSpec,
} from './deflate-edge-case.js';
export { DEFLATE_EDGE_WINDOW_MS } from './group14.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** Autobahn's cases (every group but our group 0), in numeric order, deeply frozen. */
export const autobahnCases: readonly CaseDef[] = deepFreeze(
  [
    ...group1,
    ...group2,
    ...group3,
    ...group4,
    ...group5,
    ...group6,
    ...group7,
    ...group9,
    ...group10,
    ...group12,
    ...group13,
  ]
    .map(withTimeLimit)
    .sort((a, b) => compareCaseIds(a.id, b.id)),
);

/** Group 14 (ours, both roles), with its time limits, deeply frozen. */
const deflateEdgeCases: readonly CaseDef[] = deepFreeze(group14.map((c) => ({ ...c })));

/**
 * Every case for testing a SERVER (the fuzzingclient mode; a spec's "*" selects from these): our
 * server opening-handshake group 0 (ids 0.1.y-0.6.y, see handshake-case.ts), Autobahn's, and our
 * permessage-deflate group 14, in numeric order, deeply frozen.
 */
export const allCases: readonly CaseDef[] = deepFreeze(
  [...group0, ...autobahnCases, ...deflateEdgeCases].sort((a, b) => compareCaseIds(a.id, b.id)),
);

/** Autobahn's case ids, in numeric order. */
export const autobahnCaseIds: readonly string[] = Object.freeze(autobahnCases.map((c) => c.id));

/** Every case id for servers, in numeric order. */
export const allCaseIds: readonly string[] = Object.freeze(allCases.map((c) => c.id));

/**
 * Every case for testing a CLIENT (the fuzzingserver mode; a spec's "*" selects from these): our client
 * opening-handshake group 0 (ids 0.7.y onwards, see client-handshake-case.ts), Autobahn's, and group 14
 * (the same definitions as for servers), in numeric order, deeply frozen. The server group 0 is not among them.
 */
export const clientCases: readonly CaseDef[] = deepFreeze(
  [...clientGroup0, ...autobahnCases, ...deflateEdgeCases].sort((a, b) => compareCaseIds(a.id, b.id)),
);

/** Every case id for clients, in numeric order. */
export const clientCaseIds: readonly string[] = Object.freeze(clientCases.map((c) => c.id));

const BY_ID = new Map<string, CaseDef>();
const POSITION = new Map<string, number>();
for (const c of [...allCases, ...clientGroup0]) {
  if (BY_ID.has(c.id)) throw new Error(`duplicate case id ${c.id}`);
  BY_ID.set(c.id, c);
}
// Autobahn numbers its own cases only; groups 0 and 14 have no Autobahn case number.
for (const [i, c] of autobahnCases.entries()) POSITION.set(c.id, i + 1);

/** The case with this id (for servers or for clients), or undefined. */
export function caseById(id: string): CaseDef | undefined {
  return BY_ID.get(id);
}

/**
 * The case's 1-based position in numeric id order: Autobahn's case number (`/runCase?case=N`,
 * `index.json`'s "case"), e.g. 6.4.1 -> 74, 7.1.6 -> 215, 10.1.1 -> 301. Undefined for unknown ids and
 * for groups 0 and 14 (not Autobahn's).
 */
export function casePosition(id: string): number | undefined {
  return POSITION.get(id);
}

/** The case at a 1-based position (the inverse of casePosition). */
export function caseByPosition(position: number): CaseDef | undefined {
  return Number.isInteger(position) ? autobahnCases[position - 1] : undefined;
}
