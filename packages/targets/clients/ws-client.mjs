// Autobahn fuzzingserver driver for the ws client (7.x and 8.x), run by @wsmatrix/targets as
//   node ws-client.mjs BASE_URL AGENT [MODULE]
// the way ws's own test/autobahn.js drives it: ask /getCaseCount, then one /runCase connection after the
// other (the next one only once the previous has closed), echoing every message with its type, then
// /updateReports. MODULE is the package to load, by name ('ws', the default, or 'ws7', the npm alias of
// ws 7) or by the absolute path of its entry file (a version installed elsewhere).
// ws 8 hands a message over as a Buffer with an isBinary flag, and send() needs that flag back to keep the
// type; ws 7 passes no flag (text arrives as a string) and its send() keeps the type by itself, while an
// explicit `binary: undefined` would turn binary into text: so the flag is passed only when there is one.
const [baseArg, agent, moduleName = 'ws'] = process.argv.slice(2);
if (!baseArg || !agent) {
  console.error('usage: node ws-client.mjs BASE_URL AGENT [MODULE]');
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
  ws.on('message', (data, isBinary) => {
    if (isBinary === undefined) ws.send(data);
    else ws.send(data, { binary: isBinary });
  });
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
