/**
 * Plays a client handshake case (packages/cases client-handshake-case.ts) on a connection the
 * fuzzingserver accepted: the runner is the server. It answers the client's upgrade request with the
 * case's response, sends the probe, watches what the client sends back, and reports a CaseResult like
 * any other case. Every phase has a deadline and every input a byte bound, so it never hangs whatever the
 * client does; it resolves once the TCP connection is gone.
 *
 * Phases (one transition function, `enter`):
 *   watching  the response is out (or going out); waiting for the client's first frame or the end of
 *             TCP, until the case's window ends;
 *   closing   the client took the connection (a data frame, a Ping/Pong, bad bytes): the runner sent
 *             Close 1000 and waits for the client's Close (closeHandshakeMs);
 *   ending    the close handshake is over, or the client sent a new HTTP request: the runner ended TCP,
 *             as a server does first, and gives the client connectionDropMs to close its side;
 *   done      TCP is gone, or the client sent a new HTTP request and the caller took the connection, still
 *             open, to serve it (`onNextRequest`).
 */
import type net from 'node:net';
import { CLIENT_HANDSHAKE_WINDOW_MS, type CaseDef, isClientHandshakeCase } from '@wsmatrix/cases';
import {
  DeflateCodec,
  type FrameHeader,
  type HttpRequestHead,
  MessageReader,
  Opcode,
  encodeClosePayload,
  encodeFrame,
} from '@wsmatrix/protocol';
import { freshClosingRecord } from '../closing-record.js';
import type { CaseResult } from '../result.js';
import { WireLog, hexPreview, textPreview } from '../wire-log.js';
import { applicableRequirement, deflateAcceptance, readClientOffer } from './offer.js';
import { buildClientResponse } from './response.js';
import { type ClientReply, clientHandshakeVerdict } from './verdict.js';

export interface ClientHandshakeRequest {
  /** The client's upgrade request head (HttpHeadParser('request')). */
  head: HttpRequestHead;
  /** The head's bytes as received. */
  raw: Buffer;
  /** Bytes received after the head (a client should send none before the 101). */
  rest: Buffer;
}

export interface ClientHandshakeOptions {
  /** The agent name written into the report. */
  agent: string;
  /** The case's number in this run (the fuzzingserver's numbering); 0 when it has none. */
  caseNumber?: number;
  /** The URL the client opened, for the report (default: the request target). */
  url?: string;
  /** How long the client has to answer (default: the case's timeLimitMs). */
  windowMs?: number;
  /** How long the client has to answer the runner's Close (default 1000). */
  closeHandshakeMs?: number;
  /** How long the client has to close TCP once the runner ended it (default 1000). */
  connectionDropMs?: number;
  /**
   * A client that reads the response as HTTP may send its next request on the same connection (an HTTP/1.1
   * client that pools connections). When this is given, such a request ends the case at once and the
   * connection is handed over, open and paused with no listener of the engine left on it: `bytes` are the
   * request's bytes received so far, for the caller to serve as a fresh connection's. Without it the runner
   * ends TCP, and the request is lost.
   */
  onNextRequest?: (bytes: Buffer) => void;
}

/** Bytes a client may send in one case before the runner calls it a flood and drops it. */
const MAX_RECEIVED_BYTES = 1024 * 1024;
/** Largest message read (the echo of a short probe). */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Added to the summed phase deadlines before the watchdog destroys the socket, whatever the phase. */
const WATCHDOG_MARGIN_MS = 2000;
/** Request and response heads in the report are cut to this many characters (the rest is in the wire log). */
const MAX_HEAD_IN_REPORT = 4096;

type Phase = 'watching' | 'closing' | 'ending' | 'done';

const HTTP_REQUEST_START = /^[A-Z]{3,10} [!-~]/;

const cutHead = (text: string): string =>
  text.length > MAX_HEAD_IN_REPORT ? `${text.slice(0, MAX_HEAD_IN_REPORT)}… (${text.length} chars)` : text;

/**
 * Plays `def` on `socket`, which the caller has read the request head from and left paused with no
 * listener of its own. Resolves once the connection is closed; never rejects.
 */
export function playClientHandshakeCase(
  socket: net.Socket,
  request: ClientHandshakeRequest,
  def: CaseDef,
  options: ClientHandshakeOptions,
): Promise<CaseResult> {
  if (!isClientHandshakeCase(def)) {
    socket.destroy();
    return Promise.reject(new TypeError(`case ${def.id} is not a client handshake case`));
  }
  const spec = def.clientHandshake;
  const windowMs = options.windowMs ?? def.timeLimitMs ?? CLIENT_HANDSHAKE_WINDOW_MS;
  const closeHandshakeMs = options.closeHandshakeMs ?? 1000;
  const connectionDropMs = options.connectionDropMs ?? 1000;

  return new Promise((resolve) => {
    const startedAt = new Date();
    const t0 = performance.now();
    const wirelog = new WireLog(() => Math.round((performance.now() - t0) * 1000) / 1000);
    const record = { ...freshClosingRecord(), isServer: true };
    const stats: Pick<CaseResult, 'rxOctetStats' | 'txOctetStats' | 'rxFrameStats' | 'txFrameStats'> = {
      rxOctetStats: {},
      txOctetStats: {},
      rxFrameStats: {},
      txFrameStats: {},
    };
    const received: unknown[][] = [];

    const offer = readClientOffer(request.head);
    const { requirement, because } = applicableRequirement(spec.expect, offer);
    const built = buildClientResponse(spec.response, spec.probe, {
      accept: offer.accept,
      deflate: deflateAcceptance(offer),
    });
    const probeBytes = Buffer.from(spec.probe.text, 'utf8');

    let phase: Phase = 'watching';
    let phaseTimer: NodeJS.Timeout | undefined;
    let reply: ClientReply = { kind: 'none' };
    let controlFrames = 0;
    let sentClose = false;
    let gotClose = false;
    let droppedByRunner = false;
    let rxBytes = 0;
    let socketError: string | null = null;

    const rxPreview: Buffer[] = [];
    let rxPreviewBytes = 0;
    const reader = new MessageReader(
      {
        role: 'server',
        maxMessageSize: MAX_MESSAGE_BYTES,
        // A response naming permessage-deflate may have agreed it, so RSV1 on a message is allowed; a
        // client that refused the response has no business sending frames anyway.
        perMessageDeflate: built.mentionsDeflate,
        observer: {
          onFrameHeader: () => {
            rxPreview.length = 0;
            rxPreviewBytes = 0;
          },
          onFramePayload: (data: Buffer) => {
            if (rxPreviewBytes >= 64) return;
            const piece = Buffer.from(data.subarray(0, 64 - rxPreviewBytes));
            rxPreview.push(piece);
            rxPreviewBytes += piece.length;
          },
          onFrameEnd: (h: FrameHeader) => {
            stats.rxFrameStats[h.opcode] = (stats.rxFrameStats[h.opcode] ?? 0) + 1;
            const rsv = (h.rsv1 ? 4 : 0) | (h.rsv2 ? 2 : 0) | (h.rsv3 ? 1 : 0);
            const preview = textPreview(Buffer.concat(rxPreview));
            wirelog.add([
              'RF',
              [h.payloadLength, preview],
              h.opcode,
              h.fin,
              rsv,
              h.masked,
              h.mask?.toString('hex') ?? null,
            ]);
          },
        },
      },
      {
        onMessage: (data, binary, compressed) => onMessage(data, binary, compressed === true),
        onPing: () => onControl(),
        onPong: (data) => {
          received.push(['pong', textPreview(data)]);
          onControl();
        },
        onClose: (code, reason) => onClientClose(code, reason),
      },
    );

    function enter(next: Phase): void {
      if (phase === 'done') return;
      phase = next;
      clearTimeout(phaseTimer);
      phaseTimer = undefined;
      switch (next) {
        case 'closing':
          phaseTimer = setTimeout(() => {
            record.wasCloseHandshakeTimeout = true;
            drop('client did not answer the Close (in time)');
          }, closeHandshakeMs);
          break;
        case 'ending':
          phaseTimer = setTimeout(() => {
            record.wasServerConnectionDropTimeout = true;
            drop('client did not close TCP (in time) after the runner ended it');
          }, connectionDropMs);
          break;
        case 'watching':
        case 'done':
          break;
      }
    }

    function drop(why: string): void {
      if (phase === 'done' || socket.destroyed) return;
      droppedByRunner = true;
      record.droppedByMe = true;
      record.wasNotCleanReason ??= why;
      socket.destroy();
    }

    function write(bytes: Buffer, done?: () => void): void {
      if (socket.destroyed || socket.writableEnded) return;
      stats.txOctetStats[bytes.length] = (stats.txOctetStats[bytes.length] ?? 0) + 1;
      wirelog.add(['TO', [bytes.length, hexPreview(bytes)], false]);
      socket.write(bytes, (err) => {
        if (!err) done?.();
      });
    }

    function logTxFrame(opcode: number, payload: Buffer): void {
      stats.txFrameStats[opcode] = (stats.txFrameStats[opcode] ?? 0) + 1;
      wirelog.add(['TF', [payload.length, textPreview(payload)], opcode, true, 0, null, null, null, false]);
    }

    function sendClose(code: number): void {
      if (sentClose) return;
      sentClose = true;
      record.closedByMe = !gotClose;
      record.localCloseCode = code;
      const payload = encodeClosePayload(code);
      logTxFrame(Opcode.Close, payload);
      write(encodeFrame({ opcode: Opcode.Close, payload, fin: true }));
    }

    /** The client took the connection: close it as a server does (our Close, then theirs, then TCP). */
    function closeTakenConnection(): void {
      if (phase !== 'watching') return;
      sendClose(1000);
      enter('closing');
    }

    function settle(r: ClientReply): void {
      if (reply.kind === 'none') reply = r;
    }

    function onMessage(data: Buffer, binary: boolean, compressed: boolean): void {
      // Only the first message decides; later ones are listed, not inflated.
      if (reply.kind !== 'none') {
        received.push(['message', compressed ? '(compressed)' : textPreview(data), binary]);
        return;
      }
      let payload = data;
      if (compressed) {
        try {
          payload = new DeflateCodec({
            role: 'server',
            params: {
              serverNoContextTakeover: true,
              clientNoContextTakeover: true,
              serverMaxWindowBits: 15,
              clientMaxWindowBits: 15,
            },
            maxMessageSize: MAX_MESSAGE_BYTES,
          }).decompressSync(data);
        } catch (err) {
          settle({ kind: 'invalid', message: `a compressed message that does not inflate: ${(err as Error).message}` });
          closeTakenConnection();
          return;
        }
      }
      received.push(['message', textPreview(payload), binary]);
      if (!binary && payload.equals(probeBytes)) settle({ kind: 'echo' });
      else
        settle({
          kind: 'other-message',
          detail: `${binary ? 'binary' : 'text'}, ${payload.length} bytes: ${textPreview(payload)}`,
        });
      closeTakenConnection();
    }

    function onControl(): void {
      controlFrames += reply.kind === 'none' ? 1 : 0;
      // A client that must refuse gave its answer with this frame; one that must accept still owes the echo.
      if (requirement.kind === 'refuse') closeTakenConnection();
    }

    function onClientClose(code: number | null, reason: string): void {
      gotClose = true;
      record.remoteCloseCode = code;
      record.remoteCloseReason = reason;
      settle({ kind: 'close', code });
      // A server answers a Close with a Close (the same code, as AutobahnPython does) and ends TCP first.
      sendClose(code ?? 1000);
      socket.end();
      enter('ending');
    }

    function onData(chunk: Buffer): void {
      const firstBytes = rxBytes === 0;
      rxBytes += chunk.length;
      stats.rxOctetStats[chunk.length] = (stats.rxOctetStats[chunk.length] ?? 0) + 1;
      wirelog.add(['RO', [chunk.length, hexPreview(chunk)]]);
      if (rxBytes > MAX_RECEIVED_BYTES) {
        settle({ kind: 'invalid', message: `more than ${MAX_RECEIVED_BYTES} octets` });
        drop(`client flooded the connection: more than ${MAX_RECEIVED_BYTES} octets`);
        return;
      }
      if (phase === 'ending' || phase === 'done' || reader.closed || reader.error) return;
      const start = chunk.subarray(0, 32).toString('latin1');
      if (firstBytes && HTTP_REQUEST_START.test(start)) {
        const preview = start.split('\r')[0] ?? start;
        if (options.onNextRequest) {
          settle({ kind: 'http-request', preview, served: true });
          release(chunk, options.onNextRequest);
          return;
        }
        settle({ kind: 'http-request', preview, served: false });
        socket.end();
        enter('ending');
        return;
      }
      const error = reader.push(chunk);
      if (error) {
        settle({ kind: 'invalid', message: `${error.code}: ${error.message}` });
        drop(`invalid frame from the client: ${error.code} (${error.message})`);
      }
    }

    // A client that half-closes is gone: end our side too rather than wait out the window.
    const onEnd = (): void => {
      if (!socket.writableEnded) socket.end();
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      socketError ??= err.code ? `${err.code}: ${err.message}` : err.message;
    };
    socket.setNoDelay(true);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    const windowTimer = setTimeout(() => {
      if (phase !== 'watching') return;
      record.wasOpenHandshakeTimeout = reply.kind === 'none' && controlFrames === 0;
      drop(`client neither answered nor closed within ${windowMs} ms`);
    }, windowMs);
    const watchdog = setTimeout(
      () => drop('watchdog'),
      windowMs + closeHandshakeMs + connectionDropMs + WATCHDOG_MARGIN_MS,
    );

    socket.on('close', finish);
    // The client may have left between its request head and this call.
    if (socket.closed) setImmediate(finish);

    /** The case ends on the client's next request; the connection goes to `take` with the bytes of it so far. */
    function release(bytes: Buffer, take: (bytes: Buffer) => void): void {
      socket.pause();
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.off('close', finish);
      record.wasNotCleanReason = 'no WebSocket connection: the client sent its next HTTP request on it';
      finish();
      take(bytes);
    }

    function finish(): void {
      if (phase === 'done') return;
      clearTimeout(windowTimer);
      clearTimeout(watchdog);
      enter('done');
      const closeHandshake = sentClose && gotClose;
      record.wasClean = closeHandshake && !droppedByRunner;
      if (!record.wasClean) record.wasNotCleanReason ??= socketError ?? 'client dropped the TCP connection';
      const verdict = clientHandshakeVerdict(requirement, {
        reply,
        controlFrames,
        closeHandshake,
        droppedByRunner,
        windowMs,
      });
      const notes = [
        because,
        offer.requestProblem && `The client's request is not a valid upgrade request: ${offer.requestProblem}.`,
      ]
        .filter((n): n is string => typeof n === 'string')
        .join(' ');
      const log = wirelog.snapshot();
      resolve({
        case: options.caseNumber ?? 0,
        id: def.id,
        description: def.description,
        expectation: def.expectation,
        agent: options.agent,
        started: startedAt.toISOString(),
        duration: Math.round(performance.now() - t0),
        reportTime: false,
        reportCompressionRatio: false,
        behavior: verdict.behavior,
        behaviorClose: verdict.behaviorClose,
        expected: {},
        expectedClose: def.expectedClose,
        received,
        result: notes === '' ? verdict.result : `${verdict.result} ${notes}`,
        resultClose: verdict.resultClose,
        wirelog: log.entries,
        wirelogTimes: log.times,
        createWirelog: true,
        ...record,
        createStats: true,
        ...stats,
        httpRequest: cutHead(request.raw.toString('latin1')),
        httpResponse: cutHead(built.text),
        trafficStats: null,
        connectFailure: null,
        url: options.url ?? request.head.target,
      });
    }

    // The request as received, then the response and the probe.
    wirelog.add(['RO', [request.raw.length, hexPreview(request.raw)]]);
    if (built.probeAfter === false) logTxFrame(Opcode.Text, probeBytes);
    writeAll(built.writes, () => {
      // A released connection carries the client's next exchange: no probe may follow into it.
      if (!built.probeAfter || phase === 'done') return;
      logTxFrame(Opcode.Text, probeBytes);
      write(built.probe);
    });
    if (request.rest.length > 0) onData(request.rest);
    socket.resume();

    /** One write per piece, each after a return to the event loop so pieces leave as separate writes. */
    function writeAll(pieces: readonly Buffer[], then: () => void): void {
      const next = (i: number): void => {
        if (phase === 'done' || socket.destroyed) return;
        const last = i === pieces.length - 1;
        write(pieces[i] as Buffer, last ? then : undefined);
        if (!last) setImmediate(() => next(i + 1));
      };
      if (pieces.length > 0) next(0);
    }
  });
}
