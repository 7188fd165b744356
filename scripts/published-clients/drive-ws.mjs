#!/usr/bin/env node
// Drives a ws client the way the ws project's Autobahn client script does: read the case count, play
// each case in turn on its own connection (echo every message with its text/binary kind, default client
// options, so permessage-deflate is offered), open the next case on the tick after a close, then ask
// for the reports. Only the base URL, the agent and where ws is installed are parameters here.
// Usage: node drive-ws.mjs <base url> <agent> <directory ws is installed in>
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [baseUrl, agent, installDir] = process.argv.slice(2);
if (!baseUrl || !agent || !installDir) {
  console.error('usage: drive-ws.mjs <base url> <agent> <install dir>');
  process.exit(2);
}
const WebSocket = createRequire(join(installDir, 'package.json'))('ws');

let caseCount;
let caseNumber = 1;

function playNextCase() {
  if (caseNumber > caseCount) {
    new WebSocket(`${baseUrl}/updateReports?agent=${agent}`);
    return;
  }
  console.log(`case ${caseNumber}/${caseCount}`);
  const socket = new WebSocket(`${baseUrl}/runCase?case=${caseNumber}&agent=${agent}`);
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  socket.on('close', () => {
    caseNumber++;
    process.nextTick(playNextCase);
  });
  socket.on('error', (err) => console.error(err));
}

const counter = new WebSocket(`${baseUrl}/getCaseCount`);
counter.on('message', (data) => {
  caseCount = Number.parseInt(data.toString(), 10);
});
counter.on('close', () => {
  if (caseCount > 0) playNextCase();
});
// ws's script has no handler here (an unreachable server crashes it); one clear line instead.
counter.on('error', (err) => {
  console.error(`getCaseCount failed: ${err.message}`);
  process.exit(1);
});
