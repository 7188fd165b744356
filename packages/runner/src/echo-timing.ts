import { payloadBytes, type Behavior, type EchoTiming } from '@wsmatrix/cases';
import { Opcode } from '@wsmatrix/protocol';
import { earlyEndText } from './result-texts.js';
import type { FuzzingConnection } from './fuzzing-connection.js';

/**
 * Group 9 (Autobahn's own onOpen/onMessage there): send a message, wait for its echo, send the next; OK
 * when every echo has the right type and length before the case's timeout. Content is not compared, as
 * in Autobahn. The wire log is switched off while timing.
 */
export class EchoTimingRun {
  private sent = 0;
  private received = 0;
  /** The case's own timeout fired (its "did not finish within" text is then what happened). */
  private timedOut = false;
  /** An echo of the wrong type or length ended the case. */
  private mismatched = false;
  private behavior: Behavior = 'FAILED';
  private result: string;
  private readonly payload: Buffer;
  private readonly startedAt = performance.now();

  constructor(
    private readonly timing: EchoTiming,
    private readonly connection: FuzzingConnection,
    timers: NodeJS.Timeout[],
  ) {
    this.payload = payloadBytes(timing.payload);
    const secs = timing.timeoutMs / 1000;
    this.result =
      timing.count > 1
        ? `Case did not finish within ${secs} seconds.`
        : `Did not receive message within ${secs} seconds.`;
    connection.wirelog.setEnabled(false);
    this.sendNext();
    connection.wirelog.add(['TI', secs]);
    timers.push(
      setTimeout(() => {
        if (connection.state === 'closed') return;
        this.timedOut = true;
        connection.wirelog.add(['TIE']);
        connection.sendCloseFrame(null, null, false);
      }, timing.timeoutMs),
    );
  }

  get outcome(): { behavior: Behavior; result: string } {
    if (this.behavior === 'FAILED' && !this.timedOut && !this.mismatched) {
      const count = this.timing.count;
      const missing = count > 1 ? `all ${count} echoes arrived (${this.received} did)` : 'the expected message arrived';
      return { behavior: this.behavior, result: earlyEndText(this.connection, this.startedAt, missing) };
    }
    return { behavior: this.behavior, result: this.result };
  }

  onMessage(data: Buffer, binary: boolean): void {
    const t = this.timing;
    this.received++;
    if (binary !== t.binary || data.length !== this.payload.length) {
      this.behavior = 'FAILED';
      this.mismatched = true;
      this.result =
        t.count > 1
          ? `Echo'ed message type or length differs from what I sent ` +
            `(got binary = ${binary}, payload length = ${data.length}).`
          : `Expected ${t.binary ? 'binary' : 'text'} message with payload of length ${this.payload.length}, ` +
            `but got ${binary ? 'binary' : 'text'} of length ${data.length}.`;
      this.finish();
      return;
    }
    if (this.sent < t.count) {
      this.sendNext();
      return;
    }
    this.behavior = 'OK';
    const ms = Math.round(performance.now() - this.startedAt);
    this.result =
      t.count > 1
        ? `Ok, received all echo'ed messages in time (${ms} ms).`
        : `Received ${binary ? 'binary' : 'text'} message of length ${data.length} (${ms} ms).`;
    this.finish();
  }

  private sendNext(): void {
    const t = this.timing;
    this.sent++;
    if (t.fragmentSize) {
      void this.connection.sendMessage(this.payload, t.binary, t.fragmentSize);
    } else {
      void this.connection.sendFrame(
        { opcode: t.binary ? Opcode.Binary : Opcode.Text, payload: this.payload, repeatLength: this.payload.length },
        t.chop ?? 0,
      );
    }
  }

  private finish(): void {
    this.connection.wirelog.setEnabled(true);
    this.connection.sendCloseFrame(1000, null, false);
  }
}
