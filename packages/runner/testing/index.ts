/**
 * Fixtures for the tests of @wsmatrix/runner and of the packages that use its results (the matrix app),
 * imported as `@wsmatrix/runner/testing`. Not part of the runner: it lives beside `src/`, and no `src/`
 * module imports it.
 */
import { freshClosingRecord, type ClosingRecord } from '../src/closing-record.js';
import type { CaseResult } from '../src/result.js';

/** The closing record of a clean close started by the runner: it sent 1000 and the server answered 1000. */
export function cleanCloseByRunner(): ClosingRecord {
  return { ...freshClosingRecord(), closedByMe: true, wasClean: true, localCloseCode: 1000, remoteCloseCode: 1000 };
}

/** A CaseResult with every field filled, as the runner records a text echo that passed; `overrides` win. */
export function caseResult(id: string, overrides: Partial<CaseResult> = {}): CaseResult {
  return {
    case: 1,
    id,
    description: `Send text message for case ${id}.`,
    expectation: 'Receive echo of the message, then a clean close.',
    agent: 'test-agent',
    started: '2025-01-01T00:00:00.000Z',
    duration: 3,
    reportTime: false,
    reportCompressionRatio: false,
    behavior: 'OK',
    behaviorClose: 'OK',
    expected: { OK: [['message', 'Hello, world!', false]] },
    expectedClose: { closedByMe: true, closeCode: [1000], requireClean: true },
    received: [['message', 'Hello, world!', false]],
    result: 'Received messages match the expected ones.',
    resultClose: 'Connection was properly closed',
    wirelog: [],
    wirelogTimes: [],
    createWirelog: true,
    createStats: true,
    httpRequest: 'GET / HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\n\r\n',
    httpResponse: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n',
    trafficStats: null,
    connectFailure: null,
    url: 'ws://127.0.0.1:9001',
    ...cleanCloseByRunner(),
    rxOctetStats: { 2: 1, 206: 1 },
    txOctetStats: { 240: 1, 8: 1 },
    rxFrameStats: { 1: 1, 8: 1 },
    txFrameStats: { 1: 1, 8: 1 },
    ...overrides,
  };
}
