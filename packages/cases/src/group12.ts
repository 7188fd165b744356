/**
 * 12 WebSocket Compression (different payloads) and 13 WebSocket Compression (different parameters):
 * Autobahn's case12_x_x.py. Every case sends 1000 compressed messages of one size from a data set and
 * expects each echoed intact; see CompressedEcho in types.ts for the engine's semantics.
 */
import { normalCloseByMe } from './build.js';
import { DATA_SETS, DATA_SET_ORDER } from './test-data.js';
import type { CaseDef, DataSetName, DeflateOfferSpec } from './types.js';

/** [message length, message count, WAITSECS, auto-fragment size] — the 18 cases of every sub-group. */
export const COMPRESSION_MESSAGE_SIZES: ReadonlyArray<readonly [number, number, number, number]> = [
  [16, 1000, 60, 0],
  [64, 1000, 60, 0],
  [256, 1000, 120, 0],
  [1024, 1000, 240, 0],
  [4096, 1000, 480, 0],
  [8192, 1000, 480, 0],
  [16384, 1000, 480, 0],
  [32768, 1000, 480, 0],
  [65536, 1000, 480, 0],
  [131072, 1000, 480, 0],
  [8192, 1000, 480, 256],
  [16384, 1000, 480, 256],
  [32768, 1000, 480, 256],
  [65536, 1000, 480, 256],
  [131072, 1000, 480, 256],
  [131072, 1000, 480, 1024],
  [131072, 1000, 480, 4096],
  [131072, 1000, 480, 32768],
];

const offer = (requestNoContextTakeover: boolean, requestMaxWindowBits: number): DeflateOfferSpec => ({
  requestNoContextTakeover,
  requestMaxWindowBits,
});

/** 13.1 … 13.7: the client's offers, in Autobahn's order. */
export const GROUP13_OFFERS: ReadonlyArray<readonly DeflateOfferSpec[]> = [
  [offer(false, 0)],
  [offer(true, 0)],
  [offer(false, 9)],
  [offer(false, 15)],
  [offer(true, 9)],
  [offer(true, 15)],
  [offer(true, 9), offer(true, 0), offer(false, 0)],
];

function describeOffers(offers: readonly DeflateOfferSpec[]): string {
  return offers
    .map((o) => {
      const asks = [
        o.requestNoContextTakeover ? 'server_no_context_takeover' : '',
        o.requestMaxWindowBits ? `server_max_window_bits=${o.requestMaxWindowBits}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      return asks === '' ? 'the default offer' : `an offer asking for ${asks}`;
    })
    .join(', then ');
}

function compressionCase(
  id: string,
  dataSet: DataSetName,
  offers: readonly DeflateOfferSpec[],
  size: readonly [number, number, number, number],
): CaseDef {
  const [messageLength, count, secs, autoFragmentSize] = size;
  const { binary } = DATA_SETS[dataSet];
  const fragments =
    autoFragmentSize === 0 ? 'each in one frame' : `each cut into frames of ${autoFragmentSize} compressed octets`;
  return {
    id,
    description:
      `Offers permessage-deflate (${describeOffers(offers)}), then sends ` +
      `${count} compressed ${binary ? 'binary' : 'text'} ` +
      `messages of ${messageLength} ${binary ? 'octets' : 'characters'} taken one after another ` +
      `from the ${dataSet} data set, ${fragments}; ` +
      'each is sent once the echo of the previous one has arrived.',
    expectation:
      'Every message comes back with the same type and content (compressed or not) ' +
      `within ${secs} s in total; then the ` +
      'runner closes with 1000 and the close is clean. A server that declines the extension gets UNIMPLEMENTED.',
    steps: [],
    expected: {},
    expectedClose: normalCloseByMe(),
    reportTime: true,
    reportCompressionRatio: true,
    deflateOffers: offers.map((o) => ({ ...o })),
    compressedEcho: { dataSet, binary, messageLength, count, autoFragmentSize, timeoutMs: secs * 1000 },
  };
}

export const group12: CaseDef[] = DATA_SET_ORDER.flatMap((dataSet, j) =>
  COMPRESSION_MESSAGE_SIZES.map((size, i) => compressionCase(`12.${j + 1}.${i + 1}`, dataSet, [offer(false, 0)], size)),
);

export const group13: CaseDef[] = GROUP13_OFFERS.flatMap((offers, j) =>
  COMPRESSION_MESSAGE_SIZES.map((size, i) => compressionCase(`13.${j + 1}.${i + 1}`, 'json', offers, size)),
);
