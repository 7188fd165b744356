#!/usr/bin/env node
// Turns a published Autobahn client report (its clients/index.json) into the compact verdict fixture that
// verify.mjs compares against: [behavior, behaviorClose, remoteCloseCode] per case, cases in numeric order.
// Usage: node scripts/published-clients/make-fixture.mjs <index.json> <agent> <source sentence> <out.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { compareCaseIds } from './case-ids.mjs';

const [indexPath, agent, source, outPath] = process.argv.slice(2);
if (!indexPath || !agent || !source || !outPath) {
  console.error('usage: make-fixture.mjs <index.json> <agent> <source sentence> <out.json>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(indexPath, 'utf8'));
const cases = report[agent];
if (!cases) {
  console.error(`agent ${agent} is not in ${indexPath} (agents: ${Object.keys(report).join(', ')})`);
  process.exit(1);
}
const ids = Object.keys(cases).sort(compareCaseIds);
// One case per line keeps the fixture readable and its diffs small.
const lines = ids.map((id) => {
  const { behavior, behaviorClose, remoteCloseCode } = cases[id];
  return `    ${JSON.stringify(id)}: ${JSON.stringify([behavior, behaviorClose, remoteCloseCode ?? null])}`;
});
const text = `{\n  "source": ${JSON.stringify(source)},\n  "verdicts": {\n${lines.join(',\n')}\n  }\n}\n`;
writeFileSync(outPath, text);
console.log(`${outPath}: ${ids.length} cases from agent ${agent}`);
