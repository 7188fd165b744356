/**
 * A driver written the way undici drives Autobahn's fuzzingserver: its WHATWG WebSocket, /getCaseCount,
 * each /runCase in turn echoing `event.data` as received (a string, or a Blob for binary), /updateReports,
 * and then, as soon as that socket closes, reads `<outdir>/index.json` for its own summary.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** undici's current major needs a newer Node than the oldest this project supports: why it cannot load here. */
export async function undiciUnavailableReason(): Promise<string | null> {
  try {
    await import('undici');
    return null;
  } catch (err) {
    return `undici cannot load on Node ${process.version}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export interface UndiciStyleRun {
  caseCount: number;
  /** index.json as read right after /updateReports closed. */
  index: Record<string, Record<string, { behavior: string; behaviorClose: string }>>;
}

export async function driveLikeUndici(baseUrl: string, agent: string, outdir: string): Promise<UndiciStyleRun> {
  const { WebSocket } = await import('undici');
  return new Promise((resolve, reject) => {
    let caseCount = 0;
    let current = 1;
    const next = (): void => {
      if (current > caseCount) {
        const reports = new WebSocket(`${baseUrl}/updateReports?agent=${agent}`);
        reports.addEventListener('close', () => {
          readFile(path.join(outdir, 'index.json'), 'utf8').then(
            (text) => resolve({ caseCount, index: JSON.parse(text) }),
            reject,
          );
        });
        return;
      }
      const ws = new WebSocket(`${baseUrl}/runCase?case=${current}&agent=${agent}`);
      ws.addEventListener('message', (event) => ws.send(event.data));
      ws.addEventListener('close', () => {
        current++;
        process.nextTick(next);
      });
    };
    const counter = new WebSocket(`${baseUrl}/getCaseCount`);
    counter.addEventListener('message', (event) => {
      caseCount = Number.parseInt(String(event.data), 10);
    });
    counter.addEventListener('close', () => {
      if (caseCount > 0) next();
      else reject(new Error('/getCaseCount gave no case count'));
    });
    counter.addEventListener('error', () => reject(new Error('/getCaseCount failed')));
  });
}
