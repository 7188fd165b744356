/**
 * A driver written the way the ws project drives Autobahn's fuzzingserver: /getCaseCount, then each
 * /runCase one after the other with the `ws` client echoing every message as it came (text as text, binary
 * as binary), then /updateReports. Resolves once the /updateReports socket has closed.
 */
import WebSocket from 'ws';

export interface WsStyleRun {
  caseCount: number;
  /** The close code the client saw on each case's connection, by case number. */
  closeCodes: number[];
}

export function driveLikeWs(baseUrl: string, agent: string): Promise<WsStyleRun> {
  return new Promise((resolve, reject) => {
    const closeCodes: number[] = [];
    let caseCount = 0;
    let current = 1;
    const next = (): void => {
      if (current > caseCount) {
        const reports = new WebSocket(`${baseUrl}/updateReports?agent=${agent}`);
        reports.on('close', () => resolve({ caseCount, closeCodes }));
        reports.on('error', reject);
        return;
      }
      const ws = new WebSocket(`${baseUrl}/runCase?case=${current}&agent=${agent}`);
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      ws.on('close', (code) => {
        closeCodes[current] = code;
        current++;
        process.nextTick(next);
      });
      // Cases break the protocol on purpose: the client's error is the expected outcome, as in ws's script.
      ws.on('error', () => {});
    };
    const counter = new WebSocket(`${baseUrl}/getCaseCount`);
    counter.on('message', (data) => {
      caseCount = Number.parseInt(String(data), 10);
    });
    counter.on('close', () => {
      if (caseCount > 0) next();
      else reject(new Error('/getCaseCount gave no case count'));
    });
    counter.on('error', reject);
  });
}
