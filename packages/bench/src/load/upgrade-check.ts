/**
 * Reading a server's 101, the last accepted head remembered: a server answers our fixed key with the
 * same bytes cycle after cycle (a Date header changes them at most once a second), so a head byte-equal
 * to it is accepted again without parsing. Any other head is parsed and checked in full (protocol package).
 */
import { HttpHeadParser, type HttpResponseHead } from '@wsmatrix/protocol';
import { checkUpgradeResponse } from '../handshake.js';

export type HeadRead =
  | { state: 'more' }
  | { state: 'failed'; problem: string }
  /** `rest`: the bytes after the head (frames the server sent right behind its 101). */
  | { state: 'done'; rest: Buffer };

const MORE: HeadRead = { state: 'more' };

export class UpgradeCheck {
  /** A copy of the last head accepted (status line to blank line), or undefined. */
  accepted: Buffer | undefined;
  /** Heads parsed (the others were byte-equal to an accepted one). */
  parsed = 0;

  constructor(
    readonly key: string,
    readonly deflate: boolean,
  ) {}

  /** A reader for one connection's response head. */
  reader(): HeadReader {
    return new HeadReader(this);
  }
}

export class HeadReader {
  private parser: HttpHeadParser | undefined;
  /** Copies of the chunks given to the parser: the read buffer they came in is reused. */
  private readonly chunks: Buffer[] = [];

  constructor(private readonly check: UpgradeCheck) {}

  /** Takes the next bytes from the server; consumes them before returning. */
  push(chunk: Buffer): HeadRead {
    const known = this.check.accepted;
    if (this.parser === undefined) {
      if (
        known !== undefined &&
        chunk.length >= known.length &&
        chunk.compare(known, 0, known.length, 0, known.length) === 0
      ) {
        return { state: 'done', rest: chunk.subarray(known.length) };
      }
      this.parser = new HttpHeadParser('response');
      this.check.parsed++;
    }
    this.chunks.push(Buffer.from(chunk));
    let head;
    try {
      head = this.parser.push(chunk) as HttpResponseHead | null;
    } catch (err) {
      return {
        state: 'failed',
        problem: `bad handshake response: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    if (head === null) return MORE;
    const rest = this.parser.rest();
    const problem = checkUpgradeResponse(head, this.check.key, this.check.deflate);
    if (problem !== null) return { state: 'failed', problem: `bad handshake response: ${problem}` };
    const bytes = Buffer.concat(this.chunks);
    this.check.accepted = bytes.subarray(0, bytes.length - rest.length);
    return { state: 'done', rest };
  }
}
