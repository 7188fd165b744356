import { createHash } from 'node:crypto';
import { DataSetCursor, type Behavior, type CompressedEcho } from '@wsmatrix/cases';
import { compressedStreams } from './compressed-streams.js';
import { earlyEndText } from './result-texts.js';
import type { FuzzingConnection } from './fuzzing-connection.js';

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

/**
 * Groups 12 and 13 (Autobahn's case12_x_x.py onOpen / sendOne / onMessage), in either role: without
 * permessage-deflate the case is UNIMPLEMENTED and closes at once; with it, `count` messages cut from the
 * data set go out one at a time (compressed and auto-fragmented by the runner), each echo must match
 * type, length and content. The wire log is off while the messages flow, as in Autobahn. A stream of
 * compressed messages an earlier case sent is sent again rather than compressed again (compressed-streams.ts).
 */
export class CompressedEchoRun {
  private sent = 0;
  private received = 0;
  /** The case's own timeout fired (its "did not finish within" text is then what happened). */
  private timedOut = false;
  /** An echo that differs from what was sent ended the case. */
  private mismatched = false;
  private readonly startedAt = performance.now();
  private behavior: Behavior;
  private result: string;
  private expected: Buffer = Buffer.alloc(0);
  private readonly cursor: DataSetCursor;
  /** Set when every echo arrived: the case reports its traffic statistics (Autobahn copies them then). */
  succeeded = false;

  constructor(
    private readonly spec: CompressedEcho,
    private readonly connection: FuzzingConnection,
    timers: NodeJS.Timeout[],
  ) {
    this.cursor = new DataSetCursor(spec.dataSet, spec.messageLength);
    connection.wirelog.setEnabled(false);
    if (connection.deflate === null) {
      this.behavior = 'UNIMPLEMENTED';
      this.result =
        connection.role === 'client'
          ? 'The server did not accept permessage-deflate.'
          : 'The client offered no permessage-deflate this case can accept.';
      connection.wirelog.setEnabled(true);
      connection.sendCloseFrame(1000, null, false);
      return;
    }
    this.behavior = 'FAILED';
    const secs = spec.timeoutMs / 1000;
    this.result = `Case did not finish within ${secs} seconds.`;
    timers.push(
      setTimeout(() => {
        if (connection.state === 'closed') return;
        this.timedOut = true;
        connection.wirelog.setEnabled(true);
        connection.sendCloseFrame(null, null, false);
      }, spec.timeoutMs),
    );
    this.sendOne();
  }

  get outcome(): { behavior: Behavior; result: string } {
    const notes = this.connection.deflateViolations;
    let text = this.result;
    if (this.behavior === 'FAILED' && !this.timedOut && !this.mismatched) {
      text = earlyEndText(
        this.connection,
        this.startedAt,
        `all ${this.spec.count} echoes arrived (${this.received} did)`,
      );
    }
    const result = notes.length === 0 ? text : `${text} (RFC 7692 note on the server's response: ${notes.join('; ')})`;
    return { behavior: this.behavior, result };
  }

  onMessage(data: Buffer, binary: boolean): void {
    const s = this.spec;
    if (this.behavior !== 'FAILED' || this.connection.deflate === null) return;
    this.received++;
    if (binary !== s.binary || data.length !== this.expected.length || !data.equals(this.expected)) {
      this.result =
        binary !== s.binary
          ? `Echo'ed message type differs from what I sent (got binary ${binary}, expected binary ${s.binary}).`
          : data.length !== this.expected.length
            ? `Echo'ed message length differs from what I sent ` +
              `(got length ${data.length}, expected length ${this.expected.length}).`
            : `Echo'ed message contents differs from what I sent ` +
              `(got SHA1 ${sha1(data)}, expected SHA1 ${sha1(this.expected)}).`;
      this.mismatched = true;
      this.finish();
      return;
    }
    if (this.sent < s.count) {
      this.sendOne();
      return;
    }
    this.behavior = 'OK';
    this.succeeded = true;
    this.result = "Ok, received all echo'ed messages in time.";
    this.finish();
  }

  private sendOne(): void {
    const index = this.sent;
    this.expected = this.cursor.next();
    this.sent++;
    const s = this.spec;
    void this.connection.sendMessage(this.expected, s.binary, s.autoFragmentSize, this.compress(index));
  }

  /** Message `index` compressed: from a stream an earlier case sent, or compressed now and offered to it. */
  private compress(index: number): Buffer | undefined {
    const codec = this.connection.deflate;
    // Only a codec that compressed exactly this case's earlier messages is where the stream says it is.
    if (codec === null || codec.messagesCompressed !== index) return undefined;
    const key = `${this.spec.dataSet} ${this.spec.messageLength}, ${codec.compressionKey}`;
    const kept = compressedStreams.lookup(key, index);
    if (kept !== null) return codec.reuseCompressed(this.expected, kept);
    const compressed = codec.compressSync(this.expected);
    compressedStreams.keep(key, index, compressed);
    return compressed;
  }

  private finish(): void {
    this.connection.wirelog.setEnabled(true);
    this.connection.sendCloseFrame(1000, null, false);
  }
}
