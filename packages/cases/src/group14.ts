/**
 * Group 14, "permessage-deflate edge cases": ours, not Autobahn's (which only ever sends messages zlib
 * compressed for it). Schema and verdict rules: deflate-edge-case.ts; the bytes: deflate-blocks.ts.
 * RFC references are RFC 7692 unless said otherwise.
 */
import { normalCloseByMe } from './build.js';
import {
  compressedPayload,
  deflateBlocks,
  literals,
  syncFlushed,
  toHex,
  type DeflateBlock,
  type DeflateToken,
} from './deflate-blocks.js';
import type { DeflateEdgeCaseDef, DeflateEdgeNeeds, DeflateEdgeSend, DeflateEdgeSpec } from './deflate-edge-case.js';
import { prng } from './test-data.js';
import type { Behavior, DeflateOfferSpec, FrameStep } from './types.js';

/** How long after the open the peer has to finish a case of this group; also its time limit. */
export const DEFLATE_EDGE_WINDOW_MS = 5000;

const CONTINUATION = 0;
const TEXT = 1;
const BINARY = 2;
const CLOSE = 8;
const PING = 9;
const PONG = 10;
const RSV1 = 4;

const PROTOCOL_ERROR = 1002;
const INVALID_DATA = 1007;

const PROBE = 'wsmatrix probe';

/** Printable text from a seeded generator: no run of it repeats by accident within a case. */
function randomText(seed: number, length: number): string {
  const rnd = prng(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

function randomBytes(seed: number, length: number): Uint8Array {
  const rnd = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(rnd() * 256));
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

type FrameOptions = { fin?: boolean; rsv?: number };

function frame(opcode: number, payload: Uint8Array | string, options: FrameOptions = {}): FrameStep {
  const f: FrameStep = { opcode };
  const bytes = typeof payload === 'string' ? enc(payload) : payload;
  if (bytes.length > 0) f.payload = { hex: toHex(bytes) };
  if (options.fin === false) f.fin = false;
  if (options.rsv) f.rsv = options.rsv;
  return f;
}

const compressed = (opcode: number, payload: Uint8Array, fin = true): FrameStep =>
  frame(opcode, payload, { rsv: RSV1, fin });

const textReply = (text: string) => ({ type: 'message' as const, payload: text, binary: false });
const binaryReply = (bytes: Uint8Array) => ({ type: 'message' as const, payload: { hex: toHex(bytes) }, binary: true });

/** A compressed text message in one frame, made of `blocks` (RFC 7692 §7.2.1 ending). */
function compressedText(label: string, blocks: DeflateBlock[], reply: string): DeflateEdgeSend {
  return { label, frames: [compressed(TEXT, compressedPayload(blocks))], reply: textReply(reply) };
}

const fixed = (tokens: DeflateToken[], final = false): DeflateBlock => ({ type: 'fixed', tokens, final });
const stored = (data: Uint8Array | string, final = false): DeflateBlock => ({
  type: 'stored',
  data: typeof data === 'string' ? enc(data) : data,
  final,
});

const HELLO_SEND = compressedText('message 1 (compressed "Hello")', [fixed(literals('Hello'))], 'Hello');
const WORLD_PAYLOAD = compressedPayload([fixed(literals('World'))]);
const PROBE_SEND: DeflateEdgeSend = {
  label: 'an uncompressed probe message',
  frames: [frame(TEXT, PROBE)],
  reply: textReply(PROBE),
};

/** No back-reference reaches past the message itself, nor further than 256 bytes. */
const SELF_CONTAINED: DeflateEdgeNeeds = { contextTakeover: false, windowBits: 8 };

/** The offer of every case unless it says otherwise: plain permessage-deflate, the runner keeping its window. */
const PLAIN_OFFER: DeflateOfferSpec = {
  requestNoContextTakeover: false,
  requestMaxWindowBits: 0,
  ownContextTakeover: true,
};

interface CaseOptions {
  failAt?: number;
  failCodes?: number[];
  /** behavior when the peer failed the connection after k intact replies (default: see defaultFailVerdicts). */
  failVerdicts?: Behavior[];
  needs?: DeflateEdgeNeeds;
  offer?: Partial<DeflateOfferSpec>;
  wrongCodeFails?: boolean;
}

function replyCount(sends: readonly DeflateEdgeSend[], failAt: number | undefined): number {
  return (failAt === undefined ? sends : sends.slice(0, failAt)).filter((s) => s.reply !== undefined).length;
}

/** FAILED for a peer that fails on a valid message; OK for one that fails exactly at the violation. */
function defaultFailVerdicts(replies: number, failAt: number | undefined): Behavior[] {
  const verdicts: Behavior[] = Array.from({ length: replies }, () => 'FAILED');
  if (failAt !== undefined) verdicts.push('OK');
  return verdicts;
}

function describeExpectation(spec: DeflateEdgeSpec, replies: number): string {
  const unimplemented = 'A peer that does not agree to permessage-deflate gets UNIMPLEMENTED.';
  const rule = `Rule: ${spec.rule}`;
  if (spec.failAt !== undefined) {
    const bad = spec.sends[spec.failAt]!.label;
    const before =
      replies === 0 ? '' : `echoes the ${replies === 1 ? 'message' : `${replies} messages`} before it and `;
    return (
      `The peer ${before}fails the connection on ${bad} (a Close with ${spec.failCodes.join(' or ')}, ` +
      'or dropping TCP: OK; a Close with another code is WRONG CODE); answering it or the probe after it, ' +
      `or staying silent, is FAILED. ${unimplemented} ${rule}`
    );
  }
  const lenient = spec.failVerdicts
    .map((v, k) => (v === 'FAILED' ? '' : `failing the connection on message ${k + 1} is ${v}`))
    .filter(Boolean);
  const failing = lenient.length > 0 ? `${lenient.join(', ')}; otherwise failing it` : 'failing the connection';
  return (
    `The peer echoes every message intact (OK); ${failing}, a changed echo or silence is FAILED. ` +
    `${unimplemented} ${rule}`
  );
}

function edge(
  id: string,
  what: string,
  rule: string,
  sends: DeflateEdgeSend[],
  options: CaseOptions = {},
): DeflateEdgeCaseDef {
  const replies = replyCount(sends, options.failAt);
  const spec: DeflateEdgeSpec = {
    rule,
    sends,
    // A peer failing a valid message fails it for its compressed data: either code says so.
    failCodes: options.failCodes ?? (options.failAt === undefined ? [INVALID_DATA, PROTOCOL_ERROR] : [PROTOCOL_ERROR]),
    failVerdicts: options.failVerdicts ?? defaultFailVerdicts(replies, options.failAt),
    complete: 'OK',
    needs: options.needs ?? SELF_CONTAINED,
    windowMs: DEFLATE_EDGE_WINDOW_MS,
  };
  if (options.failAt !== undefined) spec.failAt = options.failAt;
  const def: DeflateEdgeCaseDef = {
    id,
    description: `${what} ${rule}`,
    expectation: describeExpectation(spec, replies),
    steps: [],
    expected: {},
    expectedClose: normalCloseByMe(),
    deflateOffers: [{ ...PLAIN_OFFER, ...options.offer }],
    timeLimitMs: DEFLATE_EDGE_WINDOW_MS,
    deflateEdge: spec,
  };
  if (options.wrongCodeFails) def.wrongCodeFails = true;
  return def;
}

const RSV1_RULE =
  'RFC 7692 §6: RSV1 (the "Per-Message Compressed" bit) belongs on the first frame of a data message only; ' +
  'a receiver MUST fail the connection on a control frame or a non-first fragment that carries it ' +
  '(RFC 6455 §5.2: an RSV bit with no agreed meaning fails the connection).';

const group141: DeflateEdgeCaseDef[] = [
  edge(
    '14.1.1',
    'Sends compressed "Hello", then compressed "World" in two frames with RSV1 on the continuation frame too, ' +
      'then an uncompressed probe.',
    RSV1_RULE,
    [
      HELLO_SEND,
      {
        label: 'message 2 (RSV1 on its continuation frame)',
        frames: [
          compressed(TEXT, WORLD_PAYLOAD.subarray(0, 3), false),
          compressed(CONTINUATION, WORLD_PAYLOAD.subarray(3)),
        ],
        reply: textReply('World'),
      },
      PROBE_SEND,
    ],
    { failAt: 1 },
  ),
  edge(
    '14.1.2',
    'Sends compressed "Hello", then uncompressed "World" in two frames with RSV1 on the continuation frame only, ' +
      'then an uncompressed probe.',
    RSV1_RULE,
    [
      HELLO_SEND,
      {
        label: 'message 2 (RSV1 on its continuation frame only)',
        frames: [frame(TEXT, 'Wor', { fin: false }), frame(CONTINUATION, 'ld', { rsv: RSV1 })],
        reply: textReply('World'),
      },
      PROBE_SEND,
    ],
    { failAt: 1 },
  ),
  edge(
    '14.1.3',
    'Sends compressed "Hello", then a Ping with RSV1 whose payload is compressed "Hello" (a compressed control ' +
      'frame), then an uncompressed probe.',
    RSV1_RULE,
    [
      HELLO_SEND,
      {
        label: 'the Ping with RSV1',
        frames: [compressed(PING, compressedPayload([fixed(literals('Hello'))]))],
        reply: { type: 'pong', payload: { hex: toHex(compressedPayload([fixed(literals('Hello'))])) } },
      },
      PROBE_SEND,
    ],
    { failAt: 1 },
  ),
  edge(
    '14.1.4',
    'Sends compressed "Hello", then an unsolicited Pong with RSV1, then an uncompressed probe.',
    RSV1_RULE,
    [HELLO_SEND, { label: 'the Pong with RSV1', frames: [frame(PONG, 'wsmatrix', { rsv: RSV1 })] }, PROBE_SEND],
    { failAt: 1 },
  ),
  edge(
    '14.1.5',
    'Sends compressed "Hello", then a Close (1000) with RSV1. Answering it with a Close 1000, as if it were ' +
      'a valid Close, is FAILED.',
    RSV1_RULE,
    [
      HELLO_SEND,
      { label: 'the Close with RSV1', frames: [frame(CLOSE, Uint8Array.from([0x03, 0xe8]), { rsv: RSV1 })] },
    ],
    { failAt: 1, wrongCodeFails: true },
  ),
];

/** The window 14.2.4 refers back into: "Hello", then " again" as literals. */
const HELLO_AGAIN: DeflateToken[] = [{ length: 5, distance: 5 }, ...literals(' again')];

/**
 * "Hello Hello" in one fixed block: 71 bits, so after the end-of-block code one padding bit is left, too few
 * for the header of the empty stored block a sync flush would have added (RFC 7692 §7.2.1 step 2).
 */
const HELLO_HELLO: DeflateToken[] = [...literals('Hello '), { length: 5, distance: 6 }];

const LENIENT_TAIL_RULE =
  'RFC 7692 §7.2.1: the sender ends the data with an empty stored block and removes its last four octets ' +
  '(00 00 ff ff); §7.2.2: the receiver appends them again. Here the appended octets open a stored block that ' +
  'never ends: failing the connection on message 1 is right, taking it is lenient, but a message taken must ' +
  'not break the next, valid one (§7.2.2 carries only the window over from one message to the next).';

const group142: DeflateEdgeCaseDef[] = [
  edge(
    '14.2.1',
    'Sends "Hello" compressed as one stored (BTYPE 00) block: 00 05 00 fa ff 48 65 6c 6c 6f 00.',
    'RFC 7692 §7.2.3.3: a block with no compression is a valid compressed message; §7.2.2: the receiver ' +
      'appends 00 00 ff ff and inflates.',
    [compressedText('the stored-block message', [stored('Hello')], 'Hello')],
  ),
  edge(
    '14.2.2',
    'Sends "Hello" as two fixed-Huffman blocks with a sync flush between them: ' +
      'f2 48 05 00 00 00 ff ff ca c9 c9 07 00.',
    'RFC 7692 §7.2.3.5: one message may hold several DEFLATE blocks, empty stored blocks among them.',
    [
      compressedText(
        'the two-block message',
        [fixed(literals('He')), stored(new Uint8Array(0)), fixed(literals('llo'))],
        'Hello',
      ),
    ],
  ),
  edge(
    '14.2.3',
    'Sends "Hello" in a block with BFINAL set (f3 48 cd c9 c9 07 00 00), then "World" compressed as usual ' +
      '(no reference back).',
    'RFC 7692 §7.2.3.4: a sender may end a message with a BFINAL block, padded to a byte and followed by ' +
      'the empty stored block; the receiver must inflate it, and the messages after it.',
    [
      compressedText('message 1 (a BFINAL block)', [fixed(literals('Hello'), true), { type: 'align' }], 'Hello'),
      { label: 'message 2', frames: [compressed(TEXT, WORLD_PAYLOAD)], reply: textReply('World') },
    ],
  ),
  edge(
    '14.2.4',
    'Sends "Hello" in a block with BFINAL set, then a message that copies those five bytes from the window ' +
      '(a back-reference of distance 5) and adds " again".',
    'RFC 7692 §7.2.2: without client_no_context_takeover (server_ for a client) the receiver MUST inflate each ' +
      'message with the window of the last one; a BFINAL block (§7.2.3.4) ends no window. A receiver that ' +
      'fails message 2 (it started a fresh window after the final block) is NON-STRICT.',
    [
      compressedText('message 1 (a BFINAL block)', [fixed(literals('Hello'), true), { type: 'align' }], 'Hello'),
      compressedText('message 2 (refers back into message 1)', [fixed(HELLO_AGAIN)], 'Hello again'),
    ],
    { needs: { contextTakeover: true, windowBits: 8 }, failVerdicts: ['FAILED', 'NON-STRICT'] },
  ),
  edge(
    '14.2.5',
    'Sends compressed "Hello" in two frames: the first holds the whole sync-flushed data, its 00 00 ff ff ' +
      'kept; the final frame holds the single octet 00.',
    'RFC 7692 §7.2.3.6: a sender that learns the message ended after sending its data sends a last fragment ' +
      'holding just 00; with the appended 00 00 ff ff that is one more empty stored block.',
    [
      {
        label: 'the message ending in the fragment 00',
        frames: [
          compressed(TEXT, syncFlushed([fixed(literals('Hello'))]), false),
          frame(CONTINUATION, Uint8Array.of(0)),
        ],
        reply: textReply('Hello'),
      },
    ],
  ),
  edge(
    '14.2.6',
    'Sends compressed "Hello" in two frames: an empty first frame with RSV1, then a continuation frame with ' +
      'the compressed data.',
    'RFC 6455 §5.4: a fragment may be empty; RFC 7692 §6: RSV1 on the first frame makes the whole message ' +
      'compressed, whatever that frame holds.',
    [
      {
        label: 'the message with an empty first frame',
        frames: [
          compressed(TEXT, new Uint8Array(0), false),
          frame(CONTINUATION, compressedPayload([fixed(literals('Hello'))])),
        ],
        reply: textReply('Hello'),
      },
    ],
  ),
  edge(
    '14.2.7',
    'Sends an empty text message compressed: the single octet 00.',
    'RFC 7692 §7.2.1 and §7.2.3.6: an empty message compresses to the octet 00 (the header of an empty stored ' +
      'block); the receiver inflates it to an empty message.',
    [compressedText('the empty compressed message', [], '')],
  ),
  edge(
    '14.2.8',
    'Sends compressed "Hello" with its trailing 00 00 ff ff NOT removed, then compressed "World" as usual.',
    LENIENT_TAIL_RULE,
    [
      {
        label: 'message 1 (00 00 ff ff kept)',
        frames: [compressed(TEXT, syncFlushed([fixed(literals('Hello'))]))],
        reply: textReply('Hello'),
      },
      { label: 'message 2', frames: [compressed(TEXT, WORLD_PAYLOAD)], reply: textReply('World') },
    ],
    { failVerdicts: ['OK', 'NON-STRICT'] },
  ),
  edge(
    '14.2.9',
    'Sends "Hello Hello" as one fixed-Huffman block with no empty stored block after it (the block ends one bit ' +
      'short of a byte), then compressed "World" as usual.',
    LENIENT_TAIL_RULE,
    [
      {
        label: 'message 1 (no empty block)',
        frames: [compressed(TEXT, deflateBlocks([fixed(HELLO_HELLO)]))],
        reply: textReply('Hello Hello'),
      },
      { label: 'message 2', frames: [compressed(TEXT, WORLD_PAYLOAD)], reply: textReply('World') },
    ],
    { failVerdicts: ['OK', 'NON-STRICT'] },
  ),
];

const FULL_WINDOW = 32768;
const TEXT_32K = randomText(14_301, FULL_WINDOW);
const TEXT_512 = randomText(14_303, 512);
const TEXT_256 = randomText(14_304, 256);
const WINDOW_ONE = 'compressed message one: the window holds this text';

const group143: DeflateEdgeCaseDef[] = [
  edge(
    '14.3.1',
    'Sends one compressed message of 32 768 random characters (a stored block) followed by a back-reference of ' +
      'distance 32 768 and length 258 (a fixed-Huffman block): the first 258 characters again.',
    'RFC 7692 §7.1.2: without a window parameter both windows are 32 768 bytes (15 bits); RFC 1951 §3.2.5: ' +
      'a distance of 32 768 is valid in such a window.',
    [
      compressedText(
        'the message reaching back 32 768 bytes',
        [stored(TEXT_32K), fixed([{ length: 258, distance: FULL_WINDOW }])],
        TEXT_32K + TEXT_32K.slice(0, 258),
      ),
    ],
    { needs: { contextTakeover: false, windowBits: 15 } },
  ),
  edge(
    '14.3.2',
    'Sends 32 768 random characters compressed (a stored block), then a message that is one back-reference of ' +
      'distance 32 768 and length 258 into the first.',
    'RFC 7692 §7.2.2: with context takeover the receiver MUST inflate each message with the window of the last ' +
      'one, all 32 768 bytes of it when no window parameter was agreed (§7.1.2).',
    [
      compressedText('message 1 (32 768 characters)', [stored(TEXT_32K)], TEXT_32K),
      compressedText(
        'message 2 (reaches back 32 768 bytes into message 1)',
        [fixed([{ length: 258, distance: FULL_WINDOW }])],
        TEXT_32K.slice(0, 258),
      ),
    ],
    { needs: { contextTakeover: true, windowBits: 15 } },
  ),
  edge(
    '14.3.3',
    'Announces a 512-byte window for its own compressor (client_max_window_bits=9 offered by a client, ' +
      'server_max_window_bits=9 answered by a server), sends 512 random characters, then a message that is one ' +
      'back-reference of distance 512 into them.',
    'RFC 7692 §7.1.2: with a window of 2^9 bytes agreed the sender may refer back exactly 512 bytes, and the ' +
      'receiver must keep that much (§7.2.2).',
    [
      compressedText('message 1 (512 characters)', [stored(TEXT_512)], TEXT_512),
      compressedText(
        'message 2 (reaches back 512 bytes)',
        [fixed([{ length: 258, distance: 512 }])],
        TEXT_512.slice(0, 258),
      ),
    ],
    { needs: { contextTakeover: true, windowBits: 9 }, offer: { ownMaxWindowBits: 9 } },
  ),
  edge(
    '14.3.4',
    'Announces a 256-byte window for its own compressor (client_max_window_bits=8 / server_max_window_bits=8), ' +
      'sends 256 random characters, then a back-reference of distance 256 and length 258 (it overlaps itself).',
    'RFC 7692 §7.1.2: 8 is a valid window size (zlib cannot deflate with it, but any receiver can inflate it: ' +
      'a larger window holds the smaller); with context takeover the receiver keeps the last 256 bytes (§7.2.2).',
    [
      compressedText('message 1 (256 characters)', [stored(TEXT_256)], TEXT_256),
      compressedText(
        'message 2 (reaches back 256 bytes)',
        [fixed([{ length: 258, distance: 256 }])],
        TEXT_256 + TEXT_256.slice(0, 2),
      ),
    ],
    { needs: { contextTakeover: true, windowBits: 8 }, offer: { ownMaxWindowBits: 8 } },
  ),
  edge(
    '14.3.5',
    'Sends a compressed message, an uncompressed one (RSV1 clear, 64 × "x"), then a compressed message that ' +
      'refers back into the first: were the uncompressed message in the window, the reference would land on ' +
      'its x.',
    'RFC 7692 §7.2.2: a compressed message is inflated with the window of the last COMPRESSED message; an ' +
      'uncompressed message (§6: RSV1 clear on its first frame) is used as it is and never enters the window.',
    [
      compressedText('message 1 (compressed)', [fixed(literals(WINDOW_ONE))], WINDOW_ONE),
      { label: 'message 2 (uncompressed)', frames: [frame(TEXT, 'x'.repeat(64))], reply: textReply('x'.repeat(64)) },
      compressedText(
        'message 3 (refers back into message 1)',
        [fixed([{ length: 24, distance: WINDOW_ONE.length }])],
        WINDOW_ONE.slice(0, 24),
      ),
    ],
    { needs: { contextTakeover: true, windowBits: 8 } },
  ),
];

/** 1200 random bytes, twice: a compressor that keeps more than 1200 bytes of window copies the second. */
const PEER_PROBE = randomBytes(14_401, 1200);
const peerEchoes = (): DeflateEdgeSend[] => [
  { label: 'message 1', frames: [frame(BINARY, PEER_PROBE)], reply: binaryReply(PEER_PROBE) },
  { label: 'message 2 (the same 1 200 bytes)', frames: [frame(BINARY, PEER_PROBE)], reply: binaryReply(PEER_PROBE) },
];

const PEER_RULE_TAIL =
  'The runner inflates the echoes with the agreed window, so a compressor that refers further back fails to ' +
  'inflate (1007): FAILED.';

const group144: DeflateEdgeCaseDef[] = [
  edge(
    '14.4.1',
    "Asks for no context takeover in the peer's direction (a client requests server_no_context_takeover, a " +
      'server answers client_no_context_takeover), then sends the same 1 200 random bytes twice, uncompressed.',
    'RFC 7692 §7.1.1: once no context takeover is agreed for a direction, its sender MUST start every message ' +
      'with an empty window (and a server MUST confirm server_no_context_takeover when it accepts an offer ' +
      `asking for it). ${PEER_RULE_TAIL}`,
    peerEchoes(),
    { offer: { requestNoContextTakeover: true } },
  ),
  edge(
    '14.4.2',
    "Asks the peer's compressor for a 512-byte window (server_max_window_bits=9 requested by a client, " +
      'client_max_window_bits=9 answered by a server), then sends the same 1 200 random bytes twice.',
    'RFC 7692 §7.1.2: a sender MUST NOT use a window larger than the one agreed for its direction (a server ' +
      `confirms server_max_window_bits with the same or a smaller value). ${PEER_RULE_TAIL}`,
    peerEchoes(),
    { offer: { requestMaxWindowBits: 9 } },
  ),
  edge(
    '14.4.3',
    "Asks the peer's compressor for a 256-byte window (server_max_window_bits=8 / client_max_window_bits=8), " +
      'then sends the same 1 200 random bytes twice.',
    'RFC 7692 §7.1.2: 8 is a valid window size; a peer that cannot compress within it declines the offer (a ' +
      `server) rather than accepting and using more. ${PEER_RULE_TAIL}`,
    peerEchoes(),
    { offer: { requestMaxWindowBits: 8 } },
  ),
];

const INVALID_DATA_RULE =
  'RFC 7692 §7.2.2: the receiver inflates the data; data that is not valid DEFLATE (RFC 1951) cannot be a ' +
  'message, so the receiver fails the connection. RFC 7692 names no close code: 1007 (RFC 6455 §7.4.1, data ' +
  'inconsistent with the message) or 1002 (protocol error).';

/** A stored block whose NLEN is not the complement of its LEN. */
const BAD_STORED = Uint8Array.from([0x00, 0x05, 0x00, 0x00, 0x00, ...enc('Hello'), 0x00]);
/** κόσμε then the UTF-16 surrogate U+D800 encoded as UTF-8 (ed a0 80), then "edited": invalid UTF-8. */
const INVALID_UTF8 = Uint8Array.from([
  0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5, 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65,
  0x64,
]);

const group145: DeflateEdgeCaseDef[] = [
  edge(
    '14.5.1',
    'Sends compressed "Hello", then a compressed message whose only block has the reserved type BTYPE 11, then ' +
      'an uncompressed probe.',
    INVALID_DATA_RULE,
    [
      HELLO_SEND,
      { label: 'message 2 (block type 11)', frames: [compressed(TEXT, deflateBlocks([{ type: 'reserved' }]))] },
      PROBE_SEND,
    ],
    { failAt: 1, failCodes: [INVALID_DATA, PROTOCOL_ERROR] },
  ),
  edge(
    '14.5.2',
    'Sends compressed "Hello", then a compressed message holding a stored block whose LEN (5) and NLEN (0) ' +
      'disagree, then an uncompressed probe.',
    INVALID_DATA_RULE,
    [HELLO_SEND, { label: 'message 2 (LEN and NLEN disagree)', frames: [compressed(TEXT, BAD_STORED)] }, PROBE_SEND],
    { failAt: 1, failCodes: [INVALID_DATA, PROTOCOL_ERROR] },
  ),
  edge(
    '14.5.3',
    'Sends as the first message of the connection a compressed message that is one back-reference of distance ' +
      '100: there is nothing to refer to. Then an uncompressed probe.',
    INVALID_DATA_RULE,
    [
      {
        label: 'message 1 (refers back before the start of the data)',
        frames: [compressed(TEXT, compressedPayload([fixed([{ length: 5, distance: 100 }])]))],
      },
      PROBE_SEND,
    ],
    { failAt: 0, failCodes: [INVALID_DATA, PROTOCOL_ERROR] },
  ),
  edge(
    '14.5.4',
    'Sends compressed "Hello", then a compressed text message that inflates to invalid UTF-8 (a UTF-16 ' +
      'surrogate), then an uncompressed probe.',
    'RFC 7692 §6: the payload after decompression is subject to the constraints of the message type again; ' +
      'RFC 6455 §8.1: text that is not valid UTF-8 fails the connection with 1007.',
    [
      HELLO_SEND,
      {
        label: 'message 2 (inflates to invalid UTF-8)',
        frames: [compressed(TEXT, compressedPayload([fixed(literals(INVALID_UTF8))]))],
      },
      PROBE_SEND,
    ],
    { failAt: 1, failCodes: [INVALID_DATA] },
  ),
];

/** Every case of group 14, in id order; the same cases serve both roles. */
export const group14: DeflateEdgeCaseDef[] = [...group141, ...group142, ...group143, ...group144, ...group145];
