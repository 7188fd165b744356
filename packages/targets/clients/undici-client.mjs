// Autobahn fuzzingserver driver for a WHATWG WebSocket, run by @wsmatrix/targets as
//   node undici-client.mjs BASE_URL AGENT undici|global|ENTRY [--plan]
// the way undici's own test/autobahn/client.js drives undici's WebSocket: ask /getCaseCount, then one
// /runCase connection after the other (the next one only once the previous has closed), echoing every
// message's data as received, then /updateReports. `undici` loads the WebSocket of the undici package,
// ENTRY (an absolute path) that of an undici installed elsewhere, `global` takes Node's built-in one
// (itself undici's, bundled with Node). binaryType stays 'blob', as in
// undici's script: a text message arrives as a string and a binary one as a Blob, and send() keeps each
// type.
// With --plan the driver asks wsmatrix's /getCasePlan instead (an extension Autobahn does not have) and plays
// its phases one after the other, at most `concurrency` cases of a phase open at once: the schedule of a
// server run, which keeps the timing cases alone.
const args = process.argv.slice(2);
const planned = args.at(-1) === '--plan';
if (planned) args.pop();
const [baseArg, agent, source] = args;
if (!baseArg || !agent || args.length > 3 || (source !== 'undici' && source !== 'global' && !source?.startsWith('/'))) {
  console.error('usage: node undici-client.mjs BASE_URL AGENT undici|global|ENTRY [--plan]');
  process.exit(2);
}
// A CommonJS entry loaded by path may expose its exports only as the default export.
async function importWebSocket(specifier) {
  const m = await import(specifier);
  return m.WebSocket ?? m.default?.WebSocket;
}
const WebSocket = source === 'global' ? globalThis.WebSocket : await importWebSocket(source);
if (typeof WebSocket !== 'function') {
  console.error(
    source === 'global'
      ? `this Node (${process.version}) has no global WebSocket`
      : `${source} has no WebSocket export`,
  );
  process.exit(1);
}
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
  ws.addEventListener('message', (event) => {
    ws.send(event.data);
  });
  const finish = () => {
    if (!openCases.delete(n)) return;
    onClose();
  };
  ws.addEventListener('close', finish);
  // A case may end in an error on purpose (an invalid frame, a refused handshake); the close that follows
  // moves on. Some builds (Node 22's bundled WebSocket) fire no 'close' after a refused handshake and stay
  // CONNECTING: an error on a socket that is not open ends the case too, so one refused response does not
  // stop the run.
  ws.addEventListener('error', (e) => {
    console.error(e.error ?? e.message);
    if (ws.readyState !== WebSocket.OPEN) setImmediate(finish);
  });
}

function updateReports() {
  reportsAsked = true;
  const ws = new WebSocket(`${base}/updateReports?agent=${agentParam}`);
  ws.addEventListener('error', (e) => {
    console.error(e.error ?? e.message);
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
ws.addEventListener('message', (event) => {
  if (planned) plan = parsePlan(String(event.data));
  else caseCount = Number.parseInt(event.data, 10);
});
ws.addEventListener('close', () => {
  if (planned && plan) {
    caseCount = plan.reduce((sum, phase) => sum + phase.cases.length, 0);
    void playPlan(plan);
  } else if (caseCount > 0) nextCase();
  else {
    console.error(`no ${planned ? 'case plan' : 'case count'} from ${first}`);
    process.exitCode = 1;
  }
});
ws.addEventListener('error', (e) => {
  console.error(e.error ?? e.message);
  process.exitCode = 1;
});
