import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildSpec } from './definition.js';
import { expandArgv } from './placeholders.js';
import { firstLine } from './unavailable.js';
import { trackChild } from './live-children.js';

const BUILD_TIMEOUT_MS = 120_000;

/**
 * Where built servers are cached: $WSMATRIX_CACHE_DIR, else node_modules/.cache/wsmatrix/external
 * in the nearest node_modules above this package (the usual home of tool caches), else the
 * system temp folder.
 */
export function defaultCacheDir(): string {
  if (process.env.WSMATRIX_CACHE_DIR) return resolve(process.env.WSMATRIX_CACHE_DIR);
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'wsmatrix', 'external');
    if (dirname(dir) === dir) return join(tmpdir(), 'wsmatrix-cache', 'external');
  }
}

export class BuildFailedError extends Error {
  constructor(
    /** One line: the command and its first line of diagnostics. */
    readonly summary: string,
    /** Everything the build printed. */
    readonly output: string,
  ) {
    super(`build failed: ${summary}`);
    this.name = 'BuildFailedError';
  }
}

/** Names the output after everything that determines it, so an edited source is rebuilt. */
function buildKey(spec: BuildSpec, dir: string, packageDir: string | undefined): string {
  const hash = createHash('sha256').update(JSON.stringify(spec.run));
  // Built against another release of the npm package, it is another build.
  if (packageDir !== undefined && spec.run.some((a) => a.includes('{package}'))) hash.update(`\0${packageDir}`);
  for (const input of spec.inputs) {
    hash.update(`\0${input}\0`);
    hash.update(readFileSync(resolve(dir, input)));
  }
  return hash.digest('hex').slice(0, 16);
}

function runBuild(argv: string[], cwd: string): Promise<void> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: BUILD_TIMEOUT_MS });
    // A compiler still running on an interrupt is stopped with every other child.
    trackChild(child, { group: false });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(new BuildFailedError(err.code === 'ENOENT' ? `${file} not found` : `${file}: ${err.message}`, output));
    });
    child.once('close', (code, signal) => {
      if (code === 0) return resolvePromise();
      const how = signal ? `killed by ${signal}` : `exited with ${code}`;
      // compilers print "file:line: error: ..." lines; show the first one if there is one
      const error = output.split('\n').find((l) => /\berror\b/i.test(l)) ?? firstLine(output);
      reject(new BuildFailedError(`${file} ${how}${error ? `: ${firstLine(error)}` : ''}`, output));
    });
  });
}

const builds = new Map<string, Promise<string>>();

/**
 * Builds once per content hash and returns the path of the output. Concurrent callers (in this
 * process) share one build; other processes are kept safe by writing to a unique temporary name
 * and renaming it into place, which is atomic. `packageDir` is what `{package}` stands for.
 */
export function buildOnce(
  spec: BuildSpec,
  dir: string,
  cacheDir = defaultCacheDir(),
  packageDir?: string,
): Promise<string> {
  let output: string;
  try {
    output = join(cacheDir, `${spec.output}-${buildKey(spec, dir, packageDir)}`);
  } catch (err) {
    return Promise.reject(new BuildFailedError(`cannot read the build inputs: ${(err as Error).message}`, ''));
  }
  let pending = builds.get(output);
  if (!pending) {
    pending = (async () => {
      if (existsSync(output)) return output;
      mkdirSync(cacheDir, { recursive: true });
      const temporary = `${output}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        const values = { dir, output: temporary, ...(packageDir !== undefined ? { package: packageDir } : {}) };
        await runBuild(expandArgv(spec.run, values), dir);
        if (!existsSync(temporary)) throw new BuildFailedError(`the build did not write {output}`, '');
        renameSync(temporary, output);
      } finally {
        rmSync(temporary, { force: true });
      }
      return output;
    })();
    builds.set(output, pending);
    pending.catch(() => builds.delete(output)); // a failed build may be retried later
  }
  return pending;
}
