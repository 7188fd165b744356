/**
 * A stand-in for npm in the npm-release tests: `npm view` answers from a table, `npm install` writes the package
 * (a package.json and a tiny server) where npm would, `npm rebuild` marks the package as built. Every call is
 * recorded, so a test counts what was asked of the registry.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NpmResult, NpmRunner } from '../src/index.js';

/** What `npm view PKG@RANGE version --json` answers: a version, versions, or an npm error code. */
export type ViewAnswer = string | string[] | { error: string; summary: string };

export interface StubOptions {
  /** Keyed `pkg@range`; a key that is missing answers E404 for the package. */
  view: Record<string, ViewAnswer>;
  /** Packages whose manifest has a postinstall script (as bun's and deno's). */
  withInstallScript?: string[];
  /** Makes `npm install` fail with these stderr lines. */
  installFails?: string;
  /** Awaited inside `npm install` before it writes anything (a test holds installs in flight with it). */
  beforeInstallWrites?: (prefix: string) => Promise<void>;
  /** Written into the installed package as marker.txt (tells two installs apart). */
  marker?: string;
}

/**
 * The installed package's server: on each TCP connection it writes its own folder and arguments as JSON and ends
 * (so a test sees what `{package}` stood for). The port is its first argument.
 */
const SERVER = `import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
const said = JSON.stringify({ dir: dirname(fileURLToPath(import.meta.url)), argv: process.argv.slice(2) });
// The readiness probe connects and hangs up at once: a reset on that socket must not end the server.
createServer((s) => s.on('error', () => {}).end(said)).listen(Number(process.argv[2]), '127.0.0.1');
`;

function result(code: number, stdout = '', stderr = ''): NpmResult {
  return { code, stdout, stderr };
}

export function stubNpm(options: StubOptions): { npm: NpmRunner; calls: string[][] } {
  const calls: string[][] = [];
  const npm: NpmRunner = async (args) => {
    calls.push([...args]);
    const [command] = args;
    if (command === 'view') {
      const spec = args[1]!;
      const answer = options.view[spec];
      if (answer === undefined) {
        const pkg = spec.slice(0, spec.lastIndexOf('@'));
        const error = { code: 'E404', summary: `Not Found - GET https://registry.npmjs.org/${pkg}` };
        return result(1, JSON.stringify({ error }), `npm error code E404\nnpm error 404 Not Found - GET ${pkg}\n`);
      }
      if (typeof answer === 'object' && !Array.isArray(answer)) {
        const error = { code: answer.error, summary: answer.summary };
        return result(1, JSON.stringify({ error }), `npm error code ${answer.error}\nnpm error ${answer.summary}\n`);
      }
      return result(0, `${JSON.stringify(answer)}\n`);
    }
    if (command === 'install') {
      const prefix = args[args.indexOf('--prefix') + 1]!;
      const wanted = args.at(-1)!;
      const at = wanted.lastIndexOf('@');
      const [pkg, version] = [wanted.slice(0, at), wanted.slice(at + 1)];
      await options.beforeInstallWrites?.(prefix);
      if (options.installFails !== undefined) return result(1, '', options.installFails);
      const dir = join(prefix, 'node_modules', pkg);
      mkdirSync(dir, { recursive: true });
      const scripts = options.withInstallScript?.includes(pkg) ? { postinstall: 'node install.js' } : undefined;
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: pkg, version, ...(scripts ? { scripts } : {}) }));
      writeFileSync(join(dir, 'server.mjs'), SERVER);
      if (options.marker !== undefined) writeFileSync(join(dir, 'marker.txt'), options.marker);
      return result(0, `added 1 package\n`);
    }
    if (command === 'rebuild') {
      const prefix = args[args.indexOf('--prefix') + 1]!;
      writeFileSync(join(prefix, 'node_modules', args.at(-1)!, 'built.txt'), 'install script ran');
      return result(0, 'rebuilt dependencies successfully\n');
    }
    return result(1, '', `npm error unknown command ${command}\n`);
  };
  return { npm, calls };
}
