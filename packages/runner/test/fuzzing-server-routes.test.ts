/**
 * The fuzzingserver's routing, without sockets: Autobahn's query rules (FuzzingServerProtocol.onConnect and
 * Python's parse_qs) and the 4xx each bad request gets.
 */
import { caseById, type CaseDef } from '@wsmatrix/cases';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../src/fuzzing-server/request-target.js';
import { routeRequest } from '../src/fuzzing-server/routes.js';
import { prettyDescription } from '../src/fuzzing-server/server.js';

const SELECTED: CaseDef[] = ['1.1.1', '2.1', '5.1', '7.1.1', '12.1.1'].map((id) => caseById(id)!);

describe('request targets are read as Autobahn reads them', () => {
  it('splits on & and ;, decodes + and %XX as UTF-8, leaves out empty values and pairs without =', () => {
    const t = parseRequestTarget('/runCase?case=3;agent=bun%2F1.0.0&x&y=&z=a+b%20c%C3%A9%zz');
    expect(t?.path).toBe('/runCase');
    expect(Object.fromEntries(t!.params)).toEqual({ case: ['3'], agent: ['bun/1.0.0'], z: ['a b cé%zz'] });
  });

  it('takes an absolute-form target and keeps the path as sent', () => {
    const t = parseRequestTarget('http://127.0.0.1:9001/getCaseCount?agent=a');
    expect(t?.path).toBe('/getCaseCount');
    expect(parseRequestTarget('/get%43aseCount')?.path).toBe('/get%43aseCount');
    expect(parseRequestTarget('*')).toBeNull();
  });
});

describe('routing', () => {
  it('case=N is the 1-based position in the selection; casetuple names a selected id', () => {
    const byNumber = routeRequest('/runCase?case=4&agent=ws', SELECTED);
    expect(byNumber).toMatchObject({ ok: true, route: { endpoint: '/runCase', agent: 'ws', caseNumber: 4 } });
    expect(byNumber.ok && 'def' in byNumber.route && byNumber.route.def.id).toBe('7.1.1');
    const byTuple = routeRequest('/getCaseInfo?casetuple=%205.1%20', SELECTED);
    expect(byTuple).toMatchObject({ ok: true, route: { endpoint: '/getCaseInfo', caseNumber: 3 } });
    // Both given: case decides, as in Autobahn.
    expect(routeRequest('/getCaseInfo?casetuple=5.1&case=1', SELECTED)).toMatchObject({
      route: { caseNumber: 1 },
    });
    expect(routeRequest('/getCaseInfo?case=+2', SELECTED)).toMatchObject({ route: { caseNumber: 2 } });
  });

  it('/getCaseCount, /getCasePlan and /stopServer need nothing; /updateReports takes shutdownOnComplete', () => {
    expect(routeRequest('/getCaseCount', SELECTED)).toEqual({ ok: true, route: { endpoint: '/getCaseCount' } });
    expect(routeRequest('/getCasePlan?agent=a', SELECTED)).toEqual({ ok: true, route: { endpoint: '/getCasePlan' } });
    expect(routeRequest('/stopServer', SELECTED)).toEqual({ ok: true, route: { endpoint: '/stopServer' } });
    expect(routeRequest('/updateReports?agent=a&shutdownOnComplete=Yes', SELECTED)).toEqual({
      ok: true,
      route: { endpoint: '/updateReports', agent: 'a', shutdownOnComplete: true },
    });
    expect(routeRequest('/updateReports?agent=a', SELECTED)).toMatchObject({ route: { shutdownOnComplete: false } });
  });

  it.each([
    ['/nope', 404, /^unknown path \/nope \(endpoints: \/getCaseCount, \/runCase/],
    ['/runCase?case=1', 400, /^\/runCase needs agent=NAME$/],
    ['/runCase?agent=a', 400, /^\/runCase needs case=N or casetuple=ID$/],
    ['/runCase?case=6&agent=a', 404, /^case 6 not found: the selection has cases 1\.\.5$/],
    ['/runCase?case=0&agent=a', 404, /^case 0 not found/],
    ['/runCase?case=one&agent=a', 400, /^case "one" is not a number$/],
    ['/runCase?case=1.5&agent=a', 400, /^case "1.5" is not a number$/],
    ['/runCase?casetuple=1.1.2&agent=a', 404, /^casetuple "1.1.2" is not a selected case id$/],
    ['/runCase?case=1&agent=a&agent=b', 400, /^"agent" given 2 times/],
    ['/getCaseStatus?case=1', 400, /needs agent=NAME/],
    ['/getCaseInfo', 400, /needs case=N/],
    ['/updateReports', 400, /^\/updateReports needs agent=NAME$/],
    ['/updateReports?agent=', 400, /needs agent=NAME/],
  ])('%s → %i', (target, status, reason) => {
    const decision = routeRequest(target, SELECTED);
    expect(decision.ok).toBe(false);
    if (!decision.ok) {
      expect(decision.status).toBe(status);
      expect(decision.reason).toMatch(reason);
    }
  });

  it('an empty selection has no case to run', () => {
    expect(routeRequest('/runCase?case=1&agent=a', [])).toMatchObject({
      ok: false,
      reason: 'case 1 not found: no case is selected',
    });
  });
});

describe('getCaseInfo descriptions', () => {
  it('are cut at the first HTML tag with whitespace collapsed (caseClassToPrettyDescription)', () => {
    const html = { ...caseById('1.1.1')!, description: 'Send  text\n message <b>with</b> payload' };
    expect(prettyDescription(html)).toBe('Send text message');
    const plain = caseById('7.1.1')!;
    expect(prettyDescription(plain)).toBe(plain.description);
  });
});
