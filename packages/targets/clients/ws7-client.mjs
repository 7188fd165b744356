// Autobahn fuzzingserver driver for the ws 7.x client, run by @wsmatrix/targets as
//   node ws7-client.mjs BASE_URL AGENT [MODULE]
// the way ws 7's own test/autobahn.js drives it: ask /getCaseCount, then one /runCase connection after the
// other (the next one only once the previous has closed), echoing every message, then /updateReports.
// MODULE is the package to load (default 'ws7', the npm alias of ws 7). ws 7 hands a text message over as
// a string and a binary one as a Buffer, and send() keeps that type, so the echo needs no flag.
const [baseArg, agent, moduleName = 'ws7'] = process.argv.slice(2);
if (!baseArg || !agent) {
  console.error('usage: node ws7-client.mjs BASE_URL AGENT [MODULE]');
  process.exit(2);
}
const { default: WebSocket } = await import(moduleName);
const base = baseArg.replace(/\/+$/, '');
const agentParam = encodeURIComponent(agent);

let currentCase = 1;
let caseCount;

function nextCase() {
  if (currentCase > caseCount) {
    const ws = new WebSocket(`${base}/updateReports?agent=${agentParam}`);
    ws.on('error', (e) => {
      console.error(e);
      process.exitCode = 1;
    });
    return;
  }
  console.log(`Running test case ${currentCase}/${caseCount}`);
  const ws = new WebSocket(`${base}/runCase?case=${currentCase}&agent=${agentParam}`);
  ws.on('message', (data) => ws.send(data));
  ws.on('close', () => {
    currentCase++;
    process.nextTick(nextCase);
  });
  // A case may end in an error on purpose (an invalid frame); the close that follows moves on.
  ws.on('error', (e) => console.error(e));
}

const ws = new WebSocket(`${base}/getCaseCount`);
ws.on('message', (data) => {
  caseCount = Number.parseInt(data, 10);
});
ws.on('close', () => {
  if (caseCount > 0) nextCase();
  else {
    console.error(`no case count from ${base}/getCaseCount`);
    process.exitCode = 1;
  }
});
ws.on('error', (e) => console.error(e));
