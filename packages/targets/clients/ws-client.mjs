// Autobahn fuzzingserver driver for the ws client (7.x and 8.x), run by @wsmatrix/targets as
//   node ws-client.mjs BASE_URL AGENT [MODULE] [--plan]
// the way ws's own test/autobahn.js drives it: ask /getCaseCount, then one /runCase connection after the
// other (the next one only once the previous has closed), echoing every message with its type, then
// /updateReports. MODULE is the package to load, by name ('ws', the default, or 'ws7', the npm alias of
// ws 7) or by the absolute path of its entry file (a version installed elsewhere).
// With --plan the driver asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays
// its phases one after the other, at most `concurrency` cases of a phase open at once: the schedule of a
// server run, which keeps the timing cases alone.
// ws 8 hands a message over as a Buffer with an isBinary flag, and send() needs that flag back to keep the
// type; ws 7 passes no flag (text arrives as a string) and its send() keeps the type by itself, while an
// explicit `binary: undefined` would turn binary into text: so the flag is passed only when there is one.
const args = process.argv.slice(2);
const planned = args.at(-1) === '--plan';
if (planned) args.pop();
const [baseArg, agent, moduleName = 'ws'] = args;
if (!baseArg || !agent || args.length > 3) {
  console.error('usage: node ws-client.mjs BASE_URL AGENT [MODULE] [--plan]');
  process.exit(2);
}
const { default: WebSocket } = await import(moduleName);
const base = baseArg.replace(/\/+$/, '');
const agentParam = encodeURIComponent(agent);

let currentCase = 1;
let caseCount;

// Cases whose connection has not fired 'close' yet. A client that never does would leave nothing for Node
// to wait on, and the driver would end quietly with the rest of the cases unplayed: say so instead.
const openCases = new Set();
let reportsAsked = false;
process.on('beforeExit', () => {
  if (reportsAsked || process.exitCode) return;
  const pending = openCases.size > 0 ? `case(s) ${[...openCases].join(', ')} never fired 'close'` : 'no case left';
  console.error(`the driver stopped before /updateReports: ${pending}`);
  process.exitCode = 1;
});

function playCase(n, onClose) {
  console.log(`Running test case ${n}/${caseCount}`);
  openCases.add(n);
  const ws = new WebSocket(`${base}/runCase?case=${n}&agent=${agentParam}`);
  ws.on('message', (data, isBinary) => {
    if (isBinary === undefined) ws.send(data);
    else ws.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    openCases.delete(n);
    onClose();
  });
  // A case may end in an error on purpose (an invalid frame); the close that follows moves on.
  ws.on('error', (e) => console.error(e));
}

function updateReports() {
  reportsAsked = true;
  const ws = new WebSocket(`${base}/updateReports?agent=${agentParam}`);
  ws.on('error', (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}

function nextCase() {
  if (currentCase > caseCount) return updateReports();
  playCase(currentCase, () => {
    currentCase++;
    process.nextTick(nextCase);
  });
}

async function playPlan(phases) {
  for (const { cases, concurrency } of phases) {
    let next = 0;
    const worker = async () => {
      while (next < cases.length) await new Promise((resolve) => playCase(cases[next++], resolve));
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, cases.length)) }, worker));
  }
  updateReports();
}

/** The plan's phases, or undefined when the answer is not one (the close handler then says so). */
function parsePlan(text) {
  try {
    const { phases } = JSON.parse(text);
    return Array.isArray(phases) ? phases : undefined;
  } catch {
    return undefined;
  }
}

let plan;
const first = `${base}/${planned ? 'getCasePlan' : 'getCaseCount'}`;
const ws = new WebSocket(first);
ws.on('message', (data) => {
  if (planned) plan = parsePlan(String(data));
  else caseCount = Number.parseInt(data, 10);
});
ws.on('close', () => {
  if (planned && plan) {
    caseCount = plan.reduce((sum, phase) => sum + phase.cases.length, 0);
    void playPlan(plan);
  } else if (caseCount > 0) nextCase();
  else {
    console.error(`no ${planned ? 'case plan' : 'case count'} from ${first}`);
    process.exitCode = 1;
  }
});
ws.on('error', (e) => console.error(e));
