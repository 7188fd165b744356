/**
 * The adoption test: wsmatrix as a user gets it. Every workspace package is packed with npm, the tarballs
 * are installed into a new, empty npm project in a temporary folder (no workspace, no dev dependencies,
 * nothing from this repository but the tarballs), and there the project's own `ws` echo server is tested
 * with the installed commands, one step after another. A failed step shows its command, exit code and
 * output. Nothing here measures time: the per-step limits are safety nets for a loaded machine.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Safety net per command (an npm install on a cold cache, a slow machine), never a measurement. */
const STEP_TIMEOUT_MS = 300_000;
/** The most of a command's output shown when it fails. */
const SHOWN_OUTPUT_CHARS = 6000;

/** What a step's check gets: the project folder and the echo server's URL. */
interface StepContext {
  project: string;
  url: string;
}

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * One thing a user does in their project: a command run there (argv, no shell) and what must hold after
 * it. `check` throws (an expect) when the result is wrong; the default asks for exit code 0.
 */
interface AdoptionStep {
  name: string;
  /** Files the user writes in the project first: path relative to it → content. */
  files?(ctx: StepContext): Record<string, string>;
  command(ctx: StepContext): string[];
  expectedCode?: number;
  check?(result: CommandResult, ctx: StepContext): Promise<void> | void;
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

/**
 * The steps, in order. To add a command (the `wstest` drop-in, `matrix --url`, `bench --url`), append a
 * step: its argv and the files or output it must leave in the project.
 */
const STEPS: AdoptionStep[] = [
  {
    name: 'the installed packages carry their licence and build, not their sources',
    command: () => ['node', '-e', 'process.exit(0)'],
    async check(_result, { project }) {
      const names = [
        'wsmatrix',
        ...['bench', 'cases', 'core', 'protocol', 'runner', 'targets'].map((n) => `@wsmatrix/${n}`),
      ];
      for (const name of names) {
        const dir = join(project, 'node_modules', name);
        expect(existsSync(join(dir, 'LICENSE')), `${name}/LICENSE`).toBe(true);
        expect(existsSync(join(dir, 'dist', 'index.js')), `${name}/dist/index.js`).toBe(true);
        expect(existsSync(join(dir, 'dist', 'index.d.ts')), `${name}/dist/index.d.ts`).toBe(true);
        expect(existsSync(join(dir, 'src')), `${name}/src`).toBe(false);
      }
    },
  },
  {
    name: 'the programmatic API runs with plain node',
    command: ({ url }) => [
      'node',
      '--input-type=module',
      '-e',
      "import { run } from 'wsmatrix';" +
        `const { results } = await run({ url: '${url}', cases: ['1.1.1', '2.1'] });` +
        'console.log(JSON.stringify(results.map((r) => [r.id, r.behavior])));',
    ],
    check({ stdout }) {
      expect(JSON.parse(stdout)).toEqual([
        ['1.1.1', 'OK'],
        ['2.1', 'OK'],
      ]);
    },
  },
  {
    name: 'wsmatrix run --url plays the cases against the project’s own server',
    command: ({ url }) => ['npx', '--no-install', 'wsmatrix', 'run', '--url', url, '--cases', '1.1.*'],
    async check(_result, { project }) {
      // Autobahn's layout under the default outdir: index.json, one JSON report per case.
      const outdir = join(project, 'reports', 'servers');
      const index = (await readJson(join(outdir, 'index.json'))) as Record<string, Record<string, unknown>>;
      const agents = Object.keys(index);
      expect(agents).toHaveLength(1);
      const cases = index[agents[0]!] as Record<string, { behavior: string; reportfile: string }>;
      expect(Object.keys(cases).sort()).toEqual([
        '1.1.1',
        '1.1.2',
        '1.1.3',
        '1.1.4',
        '1.1.5',
        '1.1.6',
        '1.1.7',
        '1.1.8',
      ]);
      for (const [id, entry] of Object.entries(cases)) {
        expect(entry.behavior, id).toBe('OK');
        const report = (await readJson(join(outdir, entry.reportfile))) as { id: string };
        expect(report.id).toBe(id);
      }
    },
  },
  {
    name: 'wstest -m fuzzingclient -s spec.json writes Autobahn’s files where Autobahn does',
    files: ({ url }) => {
      const spec = { outdir: './autobahn/servers', servers: [{ agent: 'mine', url }], cases: ['1.1.*'] };
      return { 'spec.json': `${JSON.stringify(spec, null, 2)}\n` };
    },
    command: () => ['npx', '--no-install', 'wstest', '-m', 'fuzzingclient', '-s', 'spec.json'],
    async check(_result, { project }) {
      const outdir = join(project, 'autobahn', 'servers');
      const index = (await readJson(join(outdir, 'index.json'))) as Record<string, Record<string, unknown>>;
      expect(Object.keys(index)).toEqual(['mine']);
      expect(Object.keys(index.mine!)).toHaveLength(8);
      expect(existsSync(join(outdir, 'index.html'))).toBe(true);
      expect(existsSync(join(outdir, 'mine_case_1_1_1.json'))).toBe(true);
    },
  },
  {
    name: 'wsmatrix matrix --url puts the user’s server beside an embedded target, with the HTML report',
    command: ({ url }) => [
      'npx',
      '--no-install',
      'wsmatrix',
      'matrix',
      '--targets',
      'core',
      '--url',
      `mine=${url}`,
      '--cases',
      '1.1.*',
    ],
    async check({ stdout, stderr }, { project }) {
      const output = stdout + stderr;
      expect(output).toMatch(/^core \S+ +OK 8;/m);
      expect(output).toMatch(/^mine unversioned +OK 8;/m);
      const html = await readFile(join(project, 'matrix', 'report', 'index.html'), 'utf8');
      expect(html).toContain('mine');
      expect(html).toContain('core');
    },
  },
  {
    name: 'wsmatrix bench --url measures the user’s server beside core, ws and tcp, from compiled processes',
    // One short run of one workload: what is checked is that every process starts and reports, not a figure.
    command: ({ url }) => [
      'npx',
      '--no-install',
      'wsmatrix',
      'bench',
      '--url',
      `mine=${url}`,
      '--targets',
      'core',
      '--workloads',
      'small-c16-f32',
      '--duration',
      '0.3',
      '--runs',
      '1',
      '--warmup-round',
      '0',
      '--quiet-wait',
      '0',
      '--no-pin',
    ],
    check({ stdout, stderr }) {
      expect(stderr).toContain('processes: compiled JavaScript (dist/)');
      expect(stdout).toContain('runtime dist');
      for (const target of ['core', 'ws', 'tcp', 'mine']) {
        expect(stdout).toMatch(new RegExp(`^  ${target} +\\S+ msg/s`, 'm'));
      }
    },
  },
];

/** The URL the README's commands and spec name; the test puts its own server's URL in its place. */
const README_URL = 'ws://127.0.0.1:9001';

/** Splits one shell line into argv: words separated by spaces, '…' quoting (all the README uses). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2]!);
  return words;
}

/**
 * The README's "Use it in your project" section as steps: its JSON block becomes the project's
 * fuzzingclient.json, and each `npx` line of its sh blocks runs in order and must exit 0. The README's
 * commands are what users copy, so they are what this test runs.
 */
async function readmeSteps(): Promise<AdoptionStep[]> {
  const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your project\n');
  expect(start, 'README section "Use it in your project"').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2]! }));
  const spec = blocks.find((b) => b.lang === 'json');
  expect(spec, "the README's fuzzingclient.json").toBeDefined();
  const lines = blocks
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.body.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npx '));
  return lines.map(
    (line, i): AdoptionStep => ({
      name: `README: ${line}`,
      files: ({ url }): Record<string, string> =>
        i === 0 ? { 'fuzzingclient.json': spec!.body.replaceAll(README_URL, url) } : {},
      command: ({ url }) => shellWords(line.replaceAll(README_URL, url)),
    }),
  );
}

/**
 * The environment of a user's shell: none of the variables npm, turbo or vitest set for this test run
 * (npm_config_* would reach the nested npm), no node_modules/.bin of this repository on the PATH.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|VITEST|TURBO_)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => !dir.includes('node_modules'))
    .join(delimiter);
  return env;
}

/** Runs argv in `cwd` to its end (killed after STEP_TIMEOUT_MS). */
function run(argv: string[], cwd: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command!, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${STEP_TIMEOUT_MS / 1000} s]`;
      child.kill('SIGKILL');
    }, STEP_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const shown = (text: string): string =>
  text.length > SHOWN_OUTPUT_CHARS ? `[… cut]${text.slice(-SHOWN_OUTPUT_CHARS)}` : text;

/** Runs argv and fails with its command line and whole (bounded) output unless `check` holds. */
async function runStep(step: AdoptionStep, ctx: StepContext, cwd: string): Promise<void> {
  for (const [file, content] of Object.entries(step.files?.(ctx) ?? {})) await writeFile(join(cwd, file), content);
  const argv = step.command(ctx);
  const result = await run(argv, cwd);
  try {
    expect(result.code, 'exit code').toBe(step.expectedCode ?? 0);
    await step.check?.(result, ctx);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `step "${step.name}" failed: ${why}\n$ ${argv.join(' ')}\n(in ${cwd}, exit code ${result.code})\n` +
        `--- stdout\n${shown(result.stdout)}\n--- stderr\n${shown(result.stderr)}`,
    );
  }
}

/** The project's own echo server: a `ws` WebSocketServer on an ephemeral port, printing the port. */
const ECHO_SERVER = `import { WebSocketServer } from 'ws';
// Autobahn's 9.3/9.4 send 65 536 fragments per message: raise ws's fragment and chunk bounds to the size bound.
const limit = 64 * 1024 * 1024;
const options = { maxPayload: limit, maxFragments: limit, maxBufferedChunks: limit };
const server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
server.on('connection', (socket) => {
  socket.on('error', () => {}); // a case's bad frame: ws has already answered it with its Close
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on('listening', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

describe.runIf(process.platform === 'linux')('adoption: the packed packages in a new npm project', () => {
  let tarballs: string;
  let project: string;
  let stopServer: () => void = () => {};
  let url = '';

  beforeAll(async () => {
    tarballs = await mkdtemp(join(tmpdir(), 'wsmatrix-tarballs-'));
    project = await mkdtemp(join(tmpdir(), 'wsmatrix-adoption-'));
    const steps: AdoptionStep[] = [
      {
        name: 'npm pack every workspace package',
        command: () => ['npm', 'pack', '--workspaces', '--pack-destination', tarballs],
      },
    ];
    for (const step of steps) await runStep(step, { project, url }, REPO_ROOT);
    const packed = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballs, f));
    expect(packed).toHaveLength(7);
    await writeFile(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'adoption-project', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    await writeFile(join(project, 'echo-server.mjs'), ECHO_SERVER);
    // From npm's cache alone first: this repository's own install put every dependency there, and a registry
    // that stalls would stall the test. The registry is asked only when the cache lacks something.
    const install = ['npm', 'install', '--no-audit', '--no-fund', ...packed, 'ws@^8'];
    const fromCache = await run([...install, '--offline'], project);
    if (fromCache.code !== 0) {
      const step = { name: 'npm install the tarballs and ws', command: () => [...install, '--prefer-offline'] };
      await runStep(step, { project, url }, project);
    }
    const server = spawn('node', ['echo-server.mjs'], {
      cwd: project,
      env: userEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    stopServer = () => server.stdin.end();
    let serverErr = '';
    server.stderr.setEncoding('utf8').on('data', (d: string) => (serverErr += d));
    const port = await new Promise<string>((resolve, reject) => {
      server.once('exit', (code) => reject(new Error(`echo-server.mjs exited (${code}): ${serverErr}`)));
      createInterface({ input: server.stdout }).once('line', resolve);
    });
    url = `ws://127.0.0.1:${port.trim()}`;
  }, 3 * STEP_TIMEOUT_MS);

  afterAll(async () => {
    stopServer();
    await rm(tarballs, { recursive: true, force: true });
    await rm(project, { recursive: true, force: true });
  });

  for (const step of STEPS) {
    it(step.name, () => runStep(step, { project, url }, project), STEP_TIMEOUT_MS + 10_000);
  }

  it(
    'the README\'s "Use it in your project" commands run as written, in order',
    async () => {
      const steps = await readmeSteps();
      // The section's commands: the wstest drop-in with each pass-rule use, run, matrix and report.
      expect(steps.map((s) => s.command({ project, url }).slice(0, 2).join(' '))).toEqual(
        expect.arrayContaining(['npx wstest', 'npx wsmatrix']),
      );
      expect(steps.length).toBeGreaterThanOrEqual(5);
      for (const step of steps) await runStep(step, { project, url }, project);
      const index = (await readJson(join(project, 'reports', 'servers', 'index.json'))) as Record<string, object>;
      expect(Object.keys(index)).toEqual(['mine']);
      expect(existsSync(join(project, 'reports', 'servers', 'mine_case_1_1_1.json'))).toBe(true);
      expect(existsSync(join(project, 'autobahn-expected.json'))).toBe(true);
      expect(existsSync(join(project, 'reports', 'html', 'index.html'))).toBe(true);
    },
    8 * STEP_TIMEOUT_MS,
  );
});
