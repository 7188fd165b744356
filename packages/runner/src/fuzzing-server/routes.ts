/**
 * Which fuzzingserver endpoint a request asks for, decided from its target alone (no I/O). The rules are
 * AutobahnPython's (FuzzingServerProtocol.onConnect): `case=N` is a 1-based position in the selected case
 * list, `casetuple=1.2.3` names a selected case by id (`case` wins when both are given), `agent` is required
 * by /runCase, /getCaseStatus and /updateReports, a repeated parameter is an error. Where Autobahn answers
 * an error with a 500 (or opens a "direct command mode" for an unknown path), this answers a 4xx whose
 * reason says what was wrong.
 */
import type { CaseDef } from '@wsmatrix/cases';
import { parseRequestTarget } from './request-target.js';

export const ENDPOINTS = [
  '/getCaseCount',
  '/runCase',
  '/getCaseInfo',
  '/getCaseStatus',
  '/updateReports',
  '/stopServer',
  // A wsmatrix extension (case-plan.ts): the selection in the phases of a server run.
  '/getCasePlan',
] as const;

/** A selected case: its 1-based position in the selection (Autobahn's case number) and its definition. */
export interface SelectedCase {
  caseNumber: number;
  def: CaseDef;
}

export type Route =
  | { endpoint: '/getCaseCount' }
  | { endpoint: '/getCasePlan' }
  | ({ endpoint: '/runCase'; agent: string } & SelectedCase)
  | ({ endpoint: '/getCaseInfo' } & SelectedCase)
  | ({ endpoint: '/getCaseStatus'; agent: string } & SelectedCase)
  | { endpoint: '/updateReports'; agent: string; shutdownOnComplete: boolean }
  | { endpoint: '/stopServer' };

export type RouteDecision = { ok: true; route: Route } | { ok: false; status: number; reason: string };

type Endpoint = (typeof ENDPOINTS)[number];

function isEndpoint(path: string): path is Endpoint {
  return (ENDPOINTS as readonly string[]).includes(path);
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The single value of a parameter, undefined when absent; two or more values are an error. */
function single(params: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  const values = params.get(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw new BadRequest(400, `"${name}" given ${values.length} times (give it once)`);
  return values[0];
}

function selectedCase(
  params: ReadonlyMap<string, readonly string[]>,
  cases: readonly CaseDef[],
): SelectedCase | undefined {
  const number = single(params, 'case');
  const tuple = single(params, 'casetuple');
  const range = cases.length === 0 ? 'no case is selected' : `the selection has cases 1..${cases.length}`;
  // As Autobahn: casetuple is checked first, then case (when given) decides.
  let picked: SelectedCase | undefined;
  if (tuple !== undefined) {
    const id = tuple.trim();
    const i = cases.findIndex((c) => c.id === id);
    if (i < 0) throw new BadRequest(404, `casetuple "${tuple}" is not a selected case id`);
    picked = { caseNumber: i + 1, def: cases[i]! };
  }
  if (number !== undefined) {
    // Python's int(): optional sign and surrounding whitespace.
    const text = number.trim();
    if (!/^[+-]?\d+$/.test(text)) throw new BadRequest(400, `case "${number}" is not a number`);
    const n = Number(text);
    const def = Number.isSafeInteger(n) && n >= 1 ? cases[n - 1] : undefined;
    if (def === undefined) throw new BadRequest(404, `case ${text} not found: ${range}`);
    picked = { caseNumber: n, def };
  }
  return picked;
}

function required<T>(value: T | undefined, why: string): T {
  if (value === undefined) throw new BadRequest(400, why);
  return value;
}

/** Decides the endpoint for a request target against the selected cases (in selection order). */
export function routeRequest(target: string, cases: readonly CaseDef[]): RouteDecision {
  const parsed = parseRequestTarget(target);
  if (parsed === null) return { ok: false, status: 400, reason: 'the request target is not a path' };
  const { path, params } = parsed;
  if (!isEndpoint(path)) {
    return { ok: false, status: 404, reason: `unknown path ${path} (endpoints: ${ENDPOINTS.join(', ')})` };
  }
  try {
    const agent = single(params, 'agent');
    const selected = selectedCase(params, cases);
    const needCase = () => required(selected, `${path} needs case=N or casetuple=ID`);
    const needAgent = () => required(agent, `${path} needs agent=NAME`);
    switch (path) {
      case '/getCaseCount':
      case '/getCasePlan':
      case '/stopServer':
        return { ok: true, route: { endpoint: path } };
      case '/getCaseInfo':
        return { ok: true, route: { endpoint: path, ...needCase() } };
      case '/runCase':
      case '/getCaseStatus': {
        const picked = needCase();
        return { ok: true, route: { endpoint: path, agent: needAgent(), ...picked } };
      }
      case '/updateReports': {
        const shutdown = single(params, 'shutdownOnComplete');
        const shutdownOnComplete = shutdown !== undefined && ['true', 'yes'].includes(shutdown.toLowerCase());
        return { ok: true, route: { endpoint: path, agent: needAgent(), shutdownOnComplete } };
      }
    }
  } catch (err) {
    if (err instanceof BadRequest) return { ok: false, status: err.status, reason: err.message };
    throw err;
  }
}
