/**
 * One group 0 connection: writes a (possibly malformed) upgrade request and watches what comes back,
 * with a deadline on every phase and bounded memory, whatever the server does.
 *
 * Phases: connect (connectMs) → response head (the response window) → then, after a refusal, the server
 * should end TCP (serverConnectionDropMs); after a 101 the runner waits for the echo of a pipelined frame
 * (closeHandshakeMs), sends Close 1000 and gives the server closeHandshakeMs + serverConnectionDropMs to
 * answer and end TCP. It records what it saw; handshake-verdict.ts judges it.
 */
import net from 'node:net';
import {
  HttpHeadError,
  HttpHeadParser,
  MessageReader,
  Opcode,
  encodeClosePayload,
  encodeFrame,
  validateUpgradeResponse,
  type HttpResponseHead,
} from '@wsmatrix/protocol';
import { freshClosingRecord, type ClosingRecord } from './closing-record.js';
import type { ClientTimeouts, ConnectFailure, TrafficStats } from './fuzzing-client.js';
import type { BuiltRequest } from './handshake-request.js';
import type { EchoOutcome, HandshakeObservation } from './handshake-verdict.js';
import { WireLog, hexPreview } from './wire-log.js';

/** Bytes a server may send in one group 0 case (a refusal's body, frames after a 101) before it is cut off. */
const MAX_RECEIVED_BYTES = 1024 * 1024;
/** Largest message read after a 101 (the echo of a short pipelined frame). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Added to the summed phase deadlines before the watchdog drops the socket, whatever state it is in. */
const WATCHDOG_MARGIN_MS = 2000;

export interface ProbeOutcome {
  failure: ConnectFailure | null;
  observation: HandshakeObservation | null;
  /** The response head exactly as received (latin1), '' when none. */
  httpResponse: string;
  record: ClosingRecord;
  stats: TrafficStats;
  wirelog: WireLog;
  /** ms from connect to the end. */
  durationMs: number;
}

type Phase = 'connecting' | 'head' | 'refused' | 'upgraded' | 'done';

export function probeHandshake(
  host: string,
  port: number,
  request: BuiltRequest,
  pipelinedText: string | undefined,
  timeouts: ClientTimeouts,
  windowMs: number,
): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let connectedAt = 0;
    // One origin, the start of the connection attempt, as for every case: times never go backwards.
    const wirelog = new WireLog(() => Math.round((performance.now() - started) * 1000) / 1000);
    const record = freshClosingRecord();
    const stats: TrafficStats = { rxOctetStats: {}, txOctetStats: {}, rxFrameStats: {}, txFrameStats: {} };
    const parser = new HttpHeadParser('response');
    const headChunks: Buffer[] = [];
    let phase: Phase = 'connecting';
    let failure: ConnectFailure | null = null;
    let observation: HandshakeObservation | null = null;
    let httpResponse = '';
    let received = 0;
    let socketError: string | null = null;
    let reader: MessageReader | null = null;
    let echo: EchoOutcome | null = null;
    let sentClose = false;
    let gotClose = false;
    let phaseTimer: NodeJS.Timeout | undefined;

    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const watchdog = setTimeout(
      () => drop('watchdog'),
      timeouts.connectMs +
        windowMs +
        2 * timeouts.closeHandshakeMs +
        timeouts.serverConnectionDropMs +
        WATCHDOG_MARGIN_MS,
    );
    const setPhaseTimer = (ms: number, onExpiry: () => void) => {
      clearTimeout(phaseTimer);
      phaseTimer = setTimeout(onExpiry, ms);
    };

    function drop(why: string): void {
      if (phase === 'done' || socket.destroyed) return;
      record.droppedByMe = true;
      record.wasNotCleanReason ??= why;
      socket.destroy();
    }

    function write(bytes: Buffer): void {
      stats.txOctetStats[bytes.length] = (stats.txOctetStats[bytes.length] ?? 0) + 1;
      wirelog.add(['TO', [bytes.length, hexPreview(bytes)], false]);
      socket.write(bytes);
    }

    function sendClose(): void {
      if (sentClose || socket.destroyed) return;
      sentClose = true;
      record.closedByMe = !gotClose;
      record.localCloseCode = 1000;
      stats.txFrameStats[Opcode.Close] = (stats.txFrameStats[Opcode.Close] ?? 0) + 1;
      write(encodeFrame({ opcode: Opcode.Close, payload: encodeClosePayload(1000), fin: true, mask: true }));
      setPhaseTimer(timeouts.closeHandshakeMs + timeouts.serverConnectionDropMs, () => {
        record.wasCloseHandshakeTimeout = !gotClose;
        drop(
          gotClose
            ? 'server did not drop TCP connection (in time)'
            : 'peer did not respond (in time) in closing handshake',
        );
      });
    }

    function onHead(head: HttpResponseHead): void {
      const rest = parser.rest();
      const raw = Buffer.concat(headChunks);
      httpResponse = raw.subarray(0, raw.length - rest.length).toString('latin1');
      const upgrade =
        head.status === 101
          ? validateUpgradeResponse(head, {
              key: request.key,
              offeredProtocols: request.offeredProtocols,
              offeredExtensions: request.offeredExtensions,
            })
          : null;
      observation = {
        kind: 'response',
        status: head.status,
        reason: head.reason,
        headers: head.headers,
        rawHead: httpResponse,
        upgrade,
        echo: null,
        endedCleanly: false,
      };
      if (head.status !== 101) {
        phase = 'refused';
        setPhaseTimer(timeouts.serverConnectionDropMs, () => drop('server kept the connection open after refusing'));
        return;
      }
      if (upgrade && !upgrade.ok) {
        drop('invalid 101 response');
        return;
      }
      phase = 'upgraded';
      reader = new MessageReader(
        { role: 'client', maxMessageSize: MAX_MESSAGE_BYTES },
        {
          onMessage: (data, binary) => {
            stats.rxFrameStats[binary ? Opcode.Binary : Opcode.Text] =
              (stats.rxFrameStats[binary ? Opcode.Binary : Opcode.Text] ?? 0) + 1;
            if (pipelinedText !== undefined && echo === null) {
              echo = !binary && data.toString('utf8') === pipelinedText ? 'echoed' : 'wrong';
              sendClose();
            }
          },
          onPing: () => undefined,
          onPong: () => undefined,
          onClose: (code, reason) => {
            gotClose = true;
            record.remoteCloseCode = code;
            record.remoteCloseReason = reason;
            stats.rxFrameStats[Opcode.Close] = (stats.rxFrameStats[Opcode.Close] ?? 0) + 1;
            sendClose();
          },
        },
      );
      if (pipelinedText === undefined) sendClose();
      else
        setPhaseTimer(timeouts.closeHandshakeMs, () => {
          echo ??= 'missing';
          sendClose();
        });
      if (rest.length > 0) feedFrames(rest);
    }

    function feedFrames(chunk: Buffer): void {
      const error = reader?.push(chunk);
      if (error) drop(`invalid frame after the 101: ${error.code} (${error.message})`);
    }

    socket.on('connect', () => {
      phase = 'head';
      connectedAt = performance.now();
      setPhaseTimer(windowMs, () => {
        observation =
          received === 0
            ? { kind: 'silent', windowMs }
            : { kind: 'invalid', message: `the response head was still incomplete after ${windowMs} ms` };
        record.wasOpenHandshakeTimeout = true;
        drop('peer did not finish (in time) the opening handshake');
      });
      write(request.bytes);
    });

    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      stats.rxOctetStats[chunk.length] = (stats.rxOctetStats[chunk.length] ?? 0) + 1;
      wirelog.add(['RO', [chunk.length, hexPreview(chunk)]]);
      if (received > MAX_RECEIVED_BYTES) {
        drop(`server flooded the connection: more than ${MAX_RECEIVED_BYTES} octets`);
        return;
      }
      if (phase === 'upgraded') return feedFrames(chunk);
      if (phase !== 'head') return; // a refusal's body: counted, then discarded
      headChunks.push(chunk);
      try {
        const head = parser.push(chunk) as HttpResponseHead | null;
        if (head) onHead(head);
      } catch (err) {
        if (!(err instanceof HttpHeadError)) throw err;
        observation = { kind: 'invalid', message: err.message };
        drop('invalid response head');
      }
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      socketError = err.code ? `${err.code}: ${err.message}` : err.message;
      if (phase === 'connecting') {
        failure = {
          kind: err.code === 'ECONNREFUSED' ? 'refused' : 'lost',
          message: `cannot reach ${host}:${port}: ${socketError}`,
        };
      }
    });

    const connectTimer = setTimeout(() => {
      if (phase !== 'connecting') return;
      failure = {
        kind: 'connect-timeout',
        message: `TCP connect to ${host}:${port} timed out after ${timeouts.connectMs} ms`,
      };
      drop('connect timeout');
    }, timeouts.connectMs);

    socket.on('close', () => {
      clearTimeout(connectTimer);
      clearTimeout(phaseTimer);
      clearTimeout(watchdog);
      if (phase === 'connecting')
        failure ??= { kind: 'lost', message: `the connection to ${host}:${port} ended before it opened` };
      if (phase === 'head' && observation === null) {
        observation =
          received === 0
            ? { kind: 'closed', socketError }
            : { kind: 'invalid', message: `the connection ended inside the response head, after ${received} bytes` };
      }
      const obs = observation as HandshakeObservation | null;
      if (obs?.kind === 'response') {
        obs.echo = echo;
        obs.endedCleanly = !record.droppedByMe && (obs.status !== 101 || gotClose);
        record.wasClean = obs.status === 101 && gotClose && sentClose;
      }
      if (!record.wasClean && !record.droppedByMe)
        record.wasNotCleanReason ??= socketError ?? 'peer dropped the TCP connection';
      phase = 'done';
      resolve({
        failure,
        observation,
        httpResponse,
        record,
        stats,
        wirelog,
        durationMs: Math.round(performance.now() - (connectedAt || started)),
      });
    });
  });
}
