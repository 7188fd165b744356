// Autobahn fuzzingserver driver for a WHATWG WebSocket, run by @wsmatrix/targets as
//   node undici-client.mjs BASE_URL AGENT undici|global|ENTRY
// the way undici's own test/autobahn/client.js drives undici's WebSocket: ask /getCaseCount, then one
// /runCase connection after the other (the next one only once the previous has closed), echoing every
// message's data as received, then /updateReports. `undici` loads the WebSocket of the undici package,
// ENTRY (an absolute path) that of an undici installed elsewhere, `global` takes Node's built-in one
// (itself undici's, bundled with Node). binaryType stays 'blob', as in
// undici's script: a text message arrives as a string and a binary one as a Blob, and send() keeps each
// type.
const [baseArg, agent, source] = process.argv.slice(2);
if (!baseArg || !agent || (source !== 'undici' && source !== 'global' && !source?.startsWith('/'))) {
  console.error('usage: node undici-client.mjs BASE_URL AGENT undici|global|ENTRY');
  process.exit(2);
}
const WebSocket = source === 'global' ? globalThis.WebSocket : (await import(source)).WebSocket;
if (typeof WebSocket !== 'function') {
  console.error(`this Node (${process.version}) has no global WebSocket`);
  process.exit(1);
}
const base = baseArg.replace(/\/+$/, '');
const agentParam = encodeURIComponent(agent);

let currentCase = 1;
let caseCount;

function nextCase() {
  if (currentCase > caseCount) {
    const ws = new WebSocket(`${base}/updateReports?agent=${agentParam}`);
    ws.addEventListener('error', (e) => {
      console.error(e.error ?? e.message);
      process.exitCode = 1;
    });
    return;
  }
  console.log(`Running test case ${currentCase}/${caseCount}`);
  const ws = new WebSocket(`${base}/runCase?case=${currentCase}&agent=${agentParam}`);
  ws.addEventListener('message', (event) => {
    ws.send(event.data);
  });
  ws.addEventListener('close', () => {
    currentCase++;
    process.nextTick(nextCase);
  });
  // A case may end in an error on purpose (an invalid frame); the close that follows moves on.
  ws.addEventListener('error', (e) => console.error(e.error ?? e.message));
}

const ws = new WebSocket(`${base}/getCaseCount`);
ws.addEventListener('message', (event) => {
  caseCount = Number.parseInt(event.data, 10);
});
ws.addEventListener('close', () => {
  if (caseCount > 0) nextCase();
  else {
    console.error(`no case count from ${base}/getCaseCount`);
    process.exitCode = 1;
  }
});
ws.addEventListener('error', (e) => {
  console.error(e.error ?? e.message);
  process.exitCode = 1;
});
