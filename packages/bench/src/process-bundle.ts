/**
 * Bundles the benchmark's process entries to plain JavaScript with esbuild, so servers and load generator
 * run as deployed code (no tsx loader hooks, no keepNames wrappers). Workspace code goes into the bundle;
 * every other package stays external, imported by the absolute file URL Node would resolve from its
 * importer (so `ws7`, nested in packages/targets/node_modules, loads as without the bundle). Other
 * workspace packages see `import.meta.url` as their source file's URL (they find their package.json and
 * data files with it); the bench's own modules keep the bundle's, to find the worker entry beside them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** This package's folder (src/ or dist/ included): modules under it keep the bundle's import.meta.url. */
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface ProcessBundle {
  /** The temporary folder holding one `<name>.js` per entry. */
  dir: string;
  /** Absolute path of a bundled entry. */
  file(name: string): string;
  /** Deletes the folder. */
  remove(): Promise<void>;
}

/** Marks our own resolve calls, so the plugin does not answer them a second time. */
const RESOLVING = Symbol('resolving');

const externalPackages: Plugin = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === RESOLVING || args.path.startsWith('@wsmatrix/') || isBuiltin(args.path)) return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: RESOLVING,
      });
      if (found.errors.length > 0) return { errors: found.errors };
      // A require() takes a path, an import a URL.
      const path =
        args.kind === 'require-call' || args.kind === 'require-resolve' ? found.path : pathToFileURL(found.path).href;
      return { path, external: true };
    });
  },
};

const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (args) => {
      if (args.path.startsWith(BENCH_DIR) || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const contents = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
    });
  },
};

/**
 * Bundled code that calls require() (CommonJS pulled into an ESM bundle) needs a real `require`;
 * esbuild's shim otherwise throws "Dynamic require of … is not supported".
 */
const REQUIRE_BANNER = [
  "import { createRequire as __wsmatrixCreateRequire } from 'node:module';",
  'const require = __wsmatrixCreateRequire(import.meta.url);',
].join('\n');

/**
 * Bundles `entries` (output name → source file) into a fresh folder under the OS temp dir. Always built
 * from the current sources, so a run can never use stale code.
 */
export async function bundleProcessEntries(entries: Record<string, string>): Promise<ProcessBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'wsmatrix-bench-'));
  try {
    await build({
      entryPoints: entries,
      outdir: dir,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: false,
      // Node reads package.json "main" only; esbuild's default would prefer "module".
      mainFields: ['main'],
      banner: { js: REQUIRE_BANNER },
      plugins: [externalPackages, sourceUrls],
      logLevel: 'silent',
    });
    // The entries are ESM in .js files (the worker is found as ./share-worker.js).
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`cannot bundle the benchmark processes: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return {
    dir,
    file: (name) => join(dir, `${name}.js`),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
