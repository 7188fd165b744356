/**
 * The load client's opening handshake on the protocol package: one request built per share and written
 * as is for every connection, and the check of each 101, which holds deflate jobs to our offer too.
 * A server answers our fixed key with the same bytes cycle after cycle (a Date header changes them at
 * most once a second), so a head byte-equal to the last one accepted is accepted again without parsing.
 */
import net from 'node:net';
import {
  buildUpgradeRequest,
  type DeflateOffer,
  deflateOfferElement,
  formatExtensions,
  generateKey,
  HttpHeadParser,
  type HttpResponseHead,
  PERMESSAGE_DEFLATE,
  validateDeflateResponse,
  validateUpgradeResponse,
} from '@wsmatrix/protocol';

/**
 * Deflate jobs offer client_no_context_takeover and nothing else: the client sends the same message,
 * compressed once on its own, and without client_max_window_bits offered the server cannot shrink the
 * window those bytes were compressed with.
 */
const DEFLATE_OFFER: DeflateOffer = { clientNoContextTakeover: true, clientMaxWindowBits: false };

export type HeadRead =
  | { state: 'more' }
  | { state: 'failed'; problem: string }
  /** `rest`: the bytes after the head (frames the server sent right behind its 101). */
  | { state: 'done'; rest: Buffer };

/** Takes the server's bytes until the head is whole; consumes each chunk before returning. */
export type HeadReader = (chunk: Buffer) => HeadRead;

const MORE: HeadRead = { state: 'more' };

export class Upgrade {
  /** The GET upgrade request for ws://host:port/, offering permessage-deflate only for deflate jobs. */
  readonly request: Buffer;
  /** A copy of the last head accepted (status line to blank line), or undefined. */
  private accepted: Buffer | undefined;
  /** Heads parsed (the others were byte-equal to an accepted one). */
  parsed = 0;

  constructor(
    host: string,
    port: number,
    readonly deflate: boolean,
    readonly key = generateKey(),
  ) {
    const extensions = deflate ? { extensions: formatExtensions([deflateOfferElement(DEFLATE_OFFER)]) } : {};
    const hostHeader = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
    this.request = Buffer.from(
      buildUpgradeRequest({ host: hostHeader, path: '/', key: this.key, ...extensions }),
      'latin1',
    );
  }

  /**
   * Null when `head` is a valid 101 for our key, else why not. A deflate job's 101 must accept
   * permessage-deflate within our offer: a "+deflate" figure must never come from uncompressed traffic.
   */
  check(head: HttpResponseHead): string | null {
    const offeredExtensions = this.deflate ? [PERMESSAGE_DEFLATE] : [];
    const check = validateUpgradeResponse(head, { key: this.key, offeredExtensions });
    if (!check.ok) return check.message;
    if (!this.deflate) return null;
    const [answer] = check.extensions;
    if (answer === undefined)
      return 'server declined permessage-deflate, required by a +deflate job (it would measure uncompressed traffic)';
    const deflateCheck = validateDeflateResponse(answer, [DEFLATE_OFFER], { strict: true });
    return deflateCheck.ok ? null : deflateCheck.message;
  }

  /** A reader for one connection's response head. */
  reader(): HeadReader {
    let parser: HttpHeadParser | undefined;
    /** Copies of the chunks given to the parser: the read buffer they came in is reused. */
    const chunks: Buffer[] = [];
    return (chunk) => {
      const known = this.accepted;
      if (parser === undefined) {
        if (known?.equals(chunk.subarray(0, known.length)))
          return { state: 'done', rest: chunk.subarray(known.length) };
        parser = new HttpHeadParser('response');
        this.parsed++;
      }
      chunks.push(Buffer.from(chunk));
      try {
        const head = parser.push(chunk) as HttpResponseHead | null;
        if (head === null) return MORE;
        const problem = this.check(head);
        if (problem !== null) throw new Error(problem);
      } catch (err) {
        return {
          state: 'failed',
          problem: `bad handshake response: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
      const rest = parser.rest();
      const bytes = Buffer.concat(chunks);
      this.accepted = bytes.subarray(0, bytes.length - rest.length);
      return { state: 'done', rest };
    };
  }
}
