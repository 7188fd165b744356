#!/usr/bin/env node
// Drives undici's WebSocket the way undici's Autobahn client script does: read the case count, play each
// case in turn on its own connection (echo every message event's data as it is, default options, so
// permessage-deflate is offered and binary arrives as a Blob), open the next case on the tick after a
// close, then ask for the reports. Only the base URL, the agent and where undici is installed are
// parameters here.
// Usage: node drive-undici.mjs <base url> <agent> <directory undici is installed in>
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [baseUrl, agent, installDir] = process.argv.slice(2);
if (!baseUrl || !agent || !installDir) {
  console.error('usage: drive-undici.mjs <base url> <agent> <install dir>');
  process.exit(2);
}
const { WebSocket } = createRequire(join(installDir, 'package.json'))('undici');

let caseCount;
let caseNumber = 1;

function playNextCase() {
  if (caseNumber > caseCount) {
    new WebSocket(`${baseUrl}/updateReports?agent=${agent}`);
    return;
  }
  console.log(`case ${caseNumber}/${caseCount}`);
  const socket = new WebSocket(`${baseUrl}/runCase?case=${caseNumber}&agent=${agent}`);
  socket.addEventListener('message', (event) => socket.send(event.data));
  socket.addEventListener('close', () => {
    caseNumber++;
    process.nextTick(playNextCase);
  });
}

const counter = new WebSocket(`${baseUrl}/getCaseCount`);
counter.addEventListener('message', (event) => {
  caseCount = Number.parseInt(event.data, 10);
});
counter.addEventListener('close', () => {
  if (caseCount > 0) playNextCase();
});
counter.addEventListener('error', (event) => {
  console.error(`getCaseCount failed: ${event.error?.message ?? event.message ?? 'connection error'}`);
  process.exit(1);
});
