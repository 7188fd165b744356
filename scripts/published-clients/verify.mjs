#!/usr/bin/env node
// Plays a published client (ws 8.18.3 or undici 6.18.2) against our fuzzingserver, driven as its project
// drives it, and compares the verdicts our server writes with the ones that project published (the
// fixtures in packages/runner/test/fixtures/published/). Exit 0 only when every selected case has the same
// behavior and behaviorClose as published; remote close codes that differ are listed too.
// Usage: node scripts/published-clients/verify.mjs ws|undici [--cases 1.*,2.*] [--out DIR]
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareCaseIds } from './case-ids.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const FIXTURES = join(ROOT, 'packages', 'runner', 'test', 'fixtures', 'published');
const WSTEST = join(ROOT, 'apps', 'matrix', 'bin', 'wstest.js');
// The shipped drivers, run without --plan: one case after the other, as the projects' own scripts do.
const DRIVERS = join(ROOT, 'packages', 'targets', 'clients');

// The agent is the one each project's published report was written under, so our case files carry
// the same names as theirs.
const CLIENTS = {
  ws: { pkg: 'ws', version: '8.18.3', agent: 'ws@8.18.3', driver: 'ws-client.mjs' },
  undici: { pkg: 'undici', version: '6.18.2', agent: 'undici', driver: 'undici-client.mjs' },
};

// Safety nets only: a full run takes minutes; these end a run that hangs.
const SERVER_START_LIMIT_MS = 60_000;
const DRIVER_LIMIT_MS = 60 * 60_000;
const REPORT_WAIT_MS = 30_000;

function usage(message) {
  console.error(`verify: ${message}`);
  console.error('usage: node scripts/published-clients/verify.mjs ws|undici [--cases 1.*,2.*] [--out DIR]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { client: undefined, cases: ['*'], out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--cases' || arg === '--out') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) usage(`${arg} needs a value`);
      if (arg === '--cases')
        options.cases = value
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
      else options.out = resolve(value);
    } else if (arg.startsWith('-')) {
      usage(`unknown option ${arg}`);
    } else if (options.client === undefined) {
      if (!(arg in CLIENTS)) usage(`unknown client "${arg}" (give ws or undici)`);
      options.client = arg;
    } else {
      usage(`unexpected argument "${arg}"`);
    }
  }
  if (options.client === undefined) usage('which client? give ws or undici');
  if (options.cases.length === 0) usage('--cases needs at least one pattern');
  return options;
}

/** Autobahn's case patterns: `*` any run of characters, `?` one, the rest literal, matched whole. */
function casePattern(patterns) {
  const alternatives = patterns.map((p) =>
    p
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join(''),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

/** The exact published version, installed once into a temp folder and reused while it is still there. */
function install({ pkg, version }) {
  const dir = join(tmpdir(), 'wsmatrix-published-clients', `${pkg}-${version}`);
  const manifest = join(dir, 'node_modules', pkg, 'package.json');
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version) {
    console.log(`${pkg}@${version}: already installed in ${dir}`);
    return dir;
  }
  mkdirSync(dir, { recursive: true });
  console.log(`${pkg}@${version}: npm install into ${dir}`);
  execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', `${pkg}@${version}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const installed = JSON.parse(readFileSync(manifest, 'utf8')).version;
  if (installed !== version) throw new Error(`npm installed ${pkg}@${installed}, not ${version}`);
  return dir;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function exitOf(child) {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit(child.exitCode ?? child.signalCode);
    else child.once('exit', (code, signal) => resolveExit(code ?? signal));
  });
}

/** Starts `wstest -m fuzzingserver -s spec.json` (the spec form the projects use) and waits for its port. */
async function startFuzzingServer(port, outDir, cases) {
  const spec = { url: `ws://127.0.0.1:${port}`, outdir: join(outDir, 'reports', 'clients'), cases };
  spec['exclude-cases'] = [];
  spec['exclude-agent-cases'] = {};
  const specPath = join(outDir, 'fuzzingserver.json');
  writeFileSync(specPath, `${JSON.stringify(spec, null, 2)}\n`);
  const log = createWriteStream(join(outDir, 'fuzzingserver.log'));
  const server = spawn(process.execPath, [WSTEST, '-m', 'fuzzingserver', '-s', specPath], {
    cwd: outDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  const started = Date.now();
  while (Date.now() - started < SERVER_START_LIMIT_MS) {
    if (server.exitCode !== null) {
      throw new Error(`the fuzzingserver exited with ${server.exitCode}; see ${join(outDir, 'fuzzingserver.log')}`);
    }
    if (await canConnect(port)) return { server, reportDir: spec.outdir };
    await sleep(100);
  }
  server.kill();
  throw new Error(`the fuzzingserver did not listen on port ${port} within ${SERVER_START_LIMIT_MS / 1000} s`);
}

async function runDriver(client, baseUrl, installDir, outDir) {
  const log = createWriteStream(join(outDir, 'driver.log'));
  // The driver loads the exact version installed for this check, by the path of its entry file.
  const entry = createRequire(join(installDir, 'package.json')).resolve(client.pkg);
  const driver = spawn(process.execPath, [join(DRIVERS, client.driver), baseUrl, client.agent, entry], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  driver.stdout.pipe(log);
  driver.stderr.pipe(log);
  const timer = setTimeout(() => {
    console.error(`verify: the driver ran over ${DRIVER_LIMIT_MS / 60_000} min; stopping it`);
    driver.kill();
  }, DRIVER_LIMIT_MS);
  const code = await exitOf(driver);
  clearTimeout(timer);
  return code;
}

async function readReport(reportDir) {
  const indexPath = join(reportDir, 'index.json');
  const started = Date.now();
  while (!existsSync(indexPath)) {
    if (Date.now() - started > REPORT_WAIT_MS) throw new Error(`no report: ${indexPath} was not written`);
    await sleep(200);
  }
  return JSON.parse(readFileSync(indexPath, 'utf8'));
}

function resultTexts(reportDir, entry) {
  if (!entry?.reportfile) return '';
  try {
    const detail = JSON.parse(readFileSync(join(reportDir, entry.reportfile), 'utf8'));
    return `${detail.result} | ${detail.resultClose}`;
  } catch {
    return `(case file ${entry.reportfile} unreadable)`;
  }
}

const show = (verdict) => `${verdict[0]}/${verdict[1]} close ${verdict[2] ?? '-'}`;

function compare(published, ours, reportDir, selected) {
  const ids = Object.keys(published)
    .filter((id) => selected.test(id))
    .sort(compareCaseIds);
  const verdictDiffs = [];
  const closeDiffs = [];
  for (const id of ids) {
    const entry = ours[id];
    const mine = entry ? [entry.behavior, entry.behaviorClose, entry.remoteCloseCode ?? null] : ['MISSING', '-', null];
    const theirs = published[id];
    if (mine[0] !== theirs[0] || mine[1] !== theirs[1]) verdictDiffs.push({ id, theirs, mine, entry });
    else if (mine[2] !== theirs[2]) closeDiffs.push({ id, theirs, mine, entry });
  }
  const extra = Object.keys(ours).filter((id) => !(id in published));
  console.log(`\nidentical verdicts: ${ids.length - verdictDiffs.length} / ${ids.length}`);
  console.log(`identical verdicts and remote close codes: ${ids.length - verdictDiffs.length - closeDiffs.length}`);
  for (const { id, theirs, mine, entry } of verdictDiffs) {
    console.log(`  DIFF ${id}: published ${show(theirs)}; ours ${show(mine)}; ${resultTexts(reportDir, entry)}`);
  }
  for (const { id, theirs, mine, entry } of closeDiffs) {
    console.log(`  close code ${id}: published ${show(theirs)}; ours ${show(mine)}; ${resultTexts(reportDir, entry)}`);
  }
  if (extra.length > 0) console.log(`  cases in our report the published one lacks: ${extra.join(' ')}`);
  return verdictDiffs.length === 0 && ids.length > 0;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const client = CLIENTS[options.client];
  const fixture = JSON.parse(readFileSync(join(FIXTURES, `${client.pkg}-${client.version}-client.json`), 'utf8'));
  const selected = casePattern(options.cases);
  if (!Object.keys(fixture.verdicts).some((id) => selected.test(id))) {
    usage(`--cases ${options.cases.join(',')} selects none of the published cases`);
  }
  if (!existsSync(join(ROOT, 'apps', 'matrix', 'dist', 'cli.js'))) {
    console.error('verify: wsmatrix is not built; run `npm run build` at the repository root');
    process.exit(1);
  }
  const outDir = options.out ?? mkdtempSync(join(tmpdir(), `verify-${options.client}-`));
  mkdirSync(outDir, { recursive: true });
  const installDir = install(client);

  const port = await freePort();
  const baseUrl = `ws://127.0.0.1:${port}`;
  const { server, reportDir } = await startFuzzingServer(port, outDir, options.cases);
  console.log(`fuzzingserver on ${baseUrl}, reports in ${reportDir}`);
  const started = process.hrtime.bigint();
  let ok = false;
  try {
    const code = await runDriver(client, baseUrl, installDir, outDir);
    if (code !== 0) console.error(`verify: the driver exited with ${code}; see ${join(outDir, 'driver.log')}`);
    const report = await readReport(reportDir);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`${client.agent}: driver run and report took ${seconds.toFixed(1)} s (wall time)`);
    const ours = report[client.agent];
    if (!ours) throw new Error(`agent ${client.agent} is not in the written index.json`);
    ok = compare(fixture.verdicts, ours, reportDir, selected);
  } finally {
    server.kill();
    await exitOf(server);
  }
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`verify: ${err.message}`);
  process.exit(1);
});
