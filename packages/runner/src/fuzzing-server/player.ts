// TEMPORARY until the engine's server role lands.
import type { Socket } from 'node:net';
import type { CaseDef } from '@wsmatrix/cases';
import type { CaseResult } from '../result.js';
import type { ReceivedRequest } from './request-head.js';

export function playCaseAsServer(
  _socket: Socket,
  _request: ReceivedRequest,
  _def: CaseDef,
  _options: { agent: string; failByDrop?: boolean },
): Promise<CaseResult> {
  return Promise.reject(new Error('not yet'));
}
