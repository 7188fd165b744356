// Autobahn fuzzingserver protocol for the client drivers of this folder, on any WebSocket client: each driver
// (bun-client.mjs, deno-client.mjs, websocket-client.mjs, faye-client.mjs) passes a `connect` that opens one
// connection with its library. It runs under Node, Bun and Deno, so it uses nothing of any runtime.
// The protocol, as Autobahn's own client scripts drive it: ask /getCaseCount, then one /runCase connection after
// the other (the next once the previous has closed), echoing every message with its type, then /updateReports.
// With --plan the driver asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays its
// phases one after the other, at most `concurrency` cases of a phase open at once.

export class UsageError extends Error {}

/**
 * { packageDir, base, agent, planned } from `[--package DIR] BASE_URL AGENT [--plan]` (--plan last: wsmatrix
 * appends it); UsageError with the usage line otherwise. `needsPackage` makes --package required.
 */
export function parseDriverArgs(argv, program, needsPackage = false) {
  const args = [...argv];
  const usage = `usage: ${program} ${needsPackage ? '--package DIR ' : ''}BASE_URL AGENT [--plan]`;
  let packageDir;
  if (args[0] === '--package') {
    packageDir = args[1];
    args.splice(0, 2);
  }
  const planned = args.at(-1) === '--plan';
  if (planned) args.pop();
  const [base, agent] = args;
  if (!base || !agent || args.length > 2 || (needsPackage && !packageDir)) throw new UsageError(usage);
  return { packageDir, base: base.replace(/\/+$/, ''), agent, planned };
}

/** The phases of a /getCasePlan answer, or undefined when the text is not a plan. */
export function parsePlan(text) {
  let plan;
  try {
    plan = JSON.parse(text);
  } catch {
    return undefined;
  }
  const phases = plan?.phases;
  const valid =
    Array.isArray(phases) &&
    phases.every(
      (p) =>
        Array.isArray(p?.cases) &&
        p.cases.every((n) => Number.isInteger(n) && n > 0) &&
        Number.isInteger(p.concurrency) &&
        p.concurrency > 0,
    );
  return valid ? phases : undefined;
}

/**
 * A driver for one run. `connect(url, onMessage, onClose)` opens a connection and returns `{ send(message) }`;
 * it calls onMessage(message, text) per message (`text` is the string of a text message, undefined for binary;
 * `message` is what send() takes back with its type) and onClose() once when the connection is gone, also when
 * it never opened. `print(line)` writes one line to stdout.
 * run() resolves once /updateReports has closed and rejects with a one-line Error when the driver cannot go on;
 * stalled() says what was still open, for a runtime whose event loop ran dry before run() settled.
 */
export function createFuzzingDriver({ base, agent, planned, connect, print }) {
  const agentParam = encodeURIComponent(agent);
  const openCases = new Set();

  /** The first text message of a connection, once it has closed. */
  const firstText = (url) =>
    new Promise((resolve) => {
      let text;
      connect(
        url,
        (_message, t) => {
          if (text === undefined && t !== undefined) text = t;
        },
        () => resolve(text),
      );
    });

  const closed = (url) => new Promise((resolve) => connect(url, () => {}, resolve));

  const playCase = (n, count) =>
    new Promise((resolve) => {
      print(`Running test case ${n}/${count}`);
      openCases.add(n);
      const connection = connect(
        `${base}/runCase?case=${n}&agent=${agentParam}`,
        (message) => connection.send(message),
        () => {
          openCases.delete(n);
          resolve();
        },
      );
    });

  async function playPhases(phases) {
    const count = phases.reduce((sum, phase) => sum + phase.cases.length, 0);
    for (const { cases, concurrency } of phases) {
      let next = 0;
      const worker = async () => {
        while (next < cases.length) await playCase(cases[next++], count);
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, cases.length) }, worker));
    }
  }

  async function run() {
    if (planned) {
      const url = `${base}/getCasePlan`;
      const phases = parsePlan((await firstText(url)) ?? '');
      if (!phases) throw new Error(`no case plan from ${url}`);
      await playPhases(phases);
    } else {
      const url = `${base}/getCaseCount`;
      const count = Number.parseInt((await firstText(url)) ?? '', 10);
      if (!(count > 0)) throw new Error(`no case count from ${url}`);
      for (let n = 1; n <= count; n++) await playCase(n, count);
    }
    await closed(`${base}/updateReports?agent=${agentParam}`);
  }

  function stalled() {
    const open = [...openCases];
    const pending = open.length > 0 ? `case(s) ${open.join(', ')} never closed` : 'a connection never closed';
    return `the driver stopped before /updateReports: ${pending}`;
  }

  return { run, stalled };
}
