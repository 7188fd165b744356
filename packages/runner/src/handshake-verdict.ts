/**
 * The verdict of a group 0 case from what was seen on the wire, with the rules stated in
 * packages/cases handshake-case.ts. Pure: the observation in, the verdict out.
 */
import type { Behavior, BehaviorClose, HandshakeSpec } from '@wsmatrix/cases';
import { headerHasToken, type HeaderList, type UpgradeResponseCheck } from '@wsmatrix/protocol';
import type { Verdict } from './verdict.js';

/** After a 101: what became of the frame pipelined with the request. */
export type EchoOutcome = 'echoed' | 'missing' | 'wrong';

export type HandshakeObservation =
  | {
      kind: 'response';
      status: number;
      reason: string;
      headers: HeaderList;
      /** The response head as received, for the injection check. */
      rawHead: string;
      /** The 101 checked as a client must (null for other statuses). */
      upgrade: UpgradeResponseCheck | null;
      /** Only for a 101 to a request with a pipelined frame. */
      echo: EchoOutcome | null;
      /** Refusal: the server ended the connection in time. 101: the close handshake completed and TCP ended. */
      endedCleanly: boolean;
    }
  /** The connection ended before a single byte of response. */
  | { kind: 'closed'; socketError: string | null }
  /** Nothing at all within the response window, and the connection still open. */
  | { kind: 'silent'; windowMs: number }
  /** Bytes that are not an HTTP response head (or a head cut short). */
  | { kind: 'invalid'; message: string };

const statusText = (status: number, reason: string): string => (reason === '' ? `${status}` : `${status} ${reason}`);

function missingHeaders(headers: HeaderList, required: ReadonlyArray<readonly [string, string]>): string[] {
  return required
    .filter(([name, token]) => !headerHasToken(headers.getAll(name).join(','), token))
    .map(([n, t]) => `${n}: ${t}`);
}

function closeVerdict(obs: HandshakeObservation): { behaviorClose: BehaviorClose; resultClose: string } {
  switch (obs.kind) {
    case 'closed':
      return {
        behaviorClose: 'OK',
        resultClose: `The server closed the connection${obs.socketError ? ` (${obs.socketError})` : ''}.`,
      };
    case 'silent':
      return {
        behaviorClose: 'INFORMATIONAL',
        resultClose: 'The runner dropped the connection at the end of the response window.',
      };
    case 'invalid':
      return {
        behaviorClose: 'INFORMATIONAL',
        resultClose: 'The runner dropped the connection after an invalid response.',
      };
    case 'response':
      if (obs.status === 101) {
        return obs.endedCleanly
          ? { behaviorClose: 'OK', resultClose: 'The WebSocket close handshake completed and the server ended TCP.' }
          : {
              behaviorClose: 'INFORMATIONAL',
              resultClose:
                'The WebSocket close handshake did not complete in time after the 101; the runner dropped TCP.',
            };
      }
      return obs.endedCleanly
        ? { behaviorClose: 'OK', resultClose: 'The server ended the connection after its response.' }
        : {
            behaviorClose: 'INFORMATIONAL',
            resultClose: 'The server kept the connection open after refusing; the runner dropped it.',
          };
  }
}

function behaviorOf(spec: HandshakeSpec, obs: HandshakeObservation): { behavior: Behavior; result: string } {
  const e = spec.expect;
  if (obs.kind === 'silent') {
    return {
      behavior: 'FAILED',
      result: `No response within ${obs.windowMs} ms and the connection left open: the RFC requires an answer.`,
    };
  }
  if (obs.kind === 'invalid')
    return { behavior: 'FAILED', result: `The response is not a valid HTTP response head: ${obs.message}.` };

  if (obs.kind === 'response') {
    const lowerHead = obs.rawHead.toLowerCase();
    const reflected = (spec.forbidden ?? []).find((s) => lowerHead.includes(s.toLowerCase()));
    if (reflected !== undefined) {
      return { behavior: 'FAILED', result: `The response reflects injected request text ("${reflected}").` };
    }
    if (obs.status === 101 && obs.upgrade && !obs.upgrade.ok) {
      return { behavior: 'FAILED', result: `Answered 101 but the 101 is invalid: ${obs.upgrade.message}.` };
    }
  }
  const accepted = obs.kind === 'response' && obs.status === 101;
  const seen =
    obs.kind === 'closed'
      ? 'closed the connection without any HTTP response'
      : `answered ${statusText(obs.status, obs.reason)}`;

  if (e.kind === 'open') return { behavior: 'INFORMATIONAL', result: `The server ${seen} (the RFC leaves this open).` };

  if (e.kind === 'accept') {
    if (!accepted || obs.kind !== 'response') {
      return { behavior: e.onRefuse, result: `The server ${seen} to a valid request.` };
    }
    if (e.acceptValue !== undefined) {
      const got = obs.headers.get('sec-websocket-accept');
      if (got !== e.acceptValue)
        return {
          behavior: 'FAILED',
          result: `Sec-WebSocket-Accept is ${got ?? '(missing)'}, expected ${e.acceptValue}.`,
        };
    }
    if (e.expectEcho) {
      if (obs.echo === 'echoed')
        return { behavior: 'OK', result: 'Answered a valid 101 and echoed the pipelined frame.' };
      const instead = obs.echo === 'wrong' ? 'echoed something else than' : 'did not echo';
      return { behavior: 'INFORMATIONAL', result: `Answered a valid 101 but ${instead} the pipelined frame.` };
    }
    return { behavior: 'OK', result: 'Answered a valid 101.' };
  }

  // refuse
  const preferred = `${e.status}${(e.headers ?? []).map(([n, t]) => ` + ${n}: ${t}`).join('')}`;
  if (accepted)
    return { behavior: e.onAccept, result: `Accepted with 101 a request that should be refused (${preferred}).` };
  if (obs.kind === 'closed')
    return { behavior: 'NON-STRICT', result: `The server ${seen}; ${preferred} is preferred.` };
  if (obs.status === e.status) {
    const missing = missingHeaders(obs.headers, e.headers ?? []);
    if (missing.length === 0) return { behavior: 'OK', result: `Refused with ${preferred}, as required.` };
    return {
      behavior: 'NON-STRICT',
      result: `Refused with ${statusText(obs.status, obs.reason)} but without ${missing.join(' and ')}.`,
    };
  }
  const kind = obs.status >= 400 ? 'Refused' : 'Did not upgrade';
  return {
    behavior: 'NON-STRICT',
    result: `${kind} with ${statusText(obs.status, obs.reason)} instead of ${preferred}.`,
  };
}

export function handshakeVerdict(spec: HandshakeSpec, obs: HandshakeObservation): Verdict {
  return { ...behaviorOf(spec, obs), ...closeVerdict(obs) };
}
