import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A command (argv, no shell) that must exit 0; `missing` is the one-line reason shown when it does not. */
export interface Requirement {
  run: string[];
  missing: string;
}

/**
 * Where the version comes from: a command whose stdout is the version (`match`, a regex, picks it out), or
 * `{ npm: true }`: the `version` field of the definition's npm package ({package}/package.json).
 */
export type VersionSpec = VersionCommand | { npm: true };

export interface VersionCommand {
  run: string[];
  match?: string;
}

/** Compiles the server once into the cache; the output is named after a hash of inputs and command. */
export interface BuildSpec {
  /** Files (relative to the targets file) whose content decides whether a cached build is current. */
  inputs: string[];
  /** Base name of the built file. */
  output: string;
  /** The build command; `{output}` is where it must write. */
  run: string[];
}

/** One external echo target, as described in a targets file. */
export interface CommandTargetDefinition {
  name: string;
  /** Implementation name, as used for the results folder (e.g. 'wslay'). */
  implementation: string;
  description?: string;
  requires: Requirement[];
  version: VersionSpec;
  build?: BuildSpec;
  /** The server's command line; must contain `{port}`. */
  command: string[];
  /**
   * The npm package the server runs on (e.g. 'bun', 'ws'): `{package}` in command, requires, version and build
   * is its folder, by default the one this package's node_modules resolve, for a release asked for on demand
   * (`--targets ws@6.2.2`) the one installed in the cache.
   */
  npm?: string;
  /** The largest message (bytes) the server accepts as configured, default or raised; absent: no limit. */
  maxMessageSize?: number;
  /** Shown in reports, as the embedded targets' options are. */
  options: Record<string, unknown>;
  /** Cases that would judge our harness rather than the implementation (see EchoTargetInfo). */
  notApplicable?: { cases: string[]; reason: string };
  /** How long the server may take to accept TCP connections (default 10 s). */
  readyTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL (default 2 s). */
  stopGraceMs?: number;
}

/**
 * One client driver, as described in a targets file's `clients`: the program that plays Autobahn's
 * fuzzingserver protocol with the implementation's client (see clients/types.ts).
 */
export type ShippedClientDefinition = ProgramDefinition & {
  /** The driver takes `--plan` after its arguments and then plays /getCasePlan's phases (clients/plan-mode.ts). */
  plan: boolean;
};

/** The definitions of a targets file, with the folder its relative paths and `{dir}` refer to. */
export interface TargetsFile {
  path: string;
  dir: string;
  definitions: CommandTargetDefinition[];
  clients: ShippedClientDefinition[];
  /** The files its `"include"` list names (absolute paths, in list order): their targets follow this file's. */
  include: string[];
}

/** Every problem found in a targets file, one line each: "<file>: <problem>". */
export class InvalidTargetsFileError extends Error {
  readonly lines: string[];
  constructor(source: string, problems: string | readonly string[]) {
    const lines = (typeof problems === 'string' ? [problems] : problems).map((p) => `${source}: ${p}`);
    super(lines.join('\n'));
    this.name = 'InvalidTargetsFileError';
    this.lines = lines;
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isArgv(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length > 0);
}

/** An npm package name, scoped or not (lower case, as the registry requires of new packages). */
const NPM_PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/** `{ run: [...], match?: "regex" }` or `{ npm: true }`. */
function parseVersion(raw: unknown, at: string, fail: (problem: string) => never): VersionSpec {
  const shape = `${at} must be { run: [...], match?: "regex" } or { npm: true }`;
  if (!isObject(raw)) fail(shape);
  if (raw.npm !== undefined) {
    if (raw.npm !== true || raw.run !== undefined || raw.match !== undefined) fail(shape);
    return { npm: true };
  }
  if (!isArgv(raw.run)) fail(`${at}.run must be a non-empty array of non-empty strings`);
  const version: VersionCommand = { run: raw.run };
  if (raw.match !== undefined) {
    if (typeof raw.match !== 'string') fail(`${at}.match must be a string`);
    try {
      new RegExp(raw.match);
    } catch {
      fail(`${at}.match is not a valid regular expression`);
    }
    version.match = raw.match;
  }
  return version;
}

/** What targets and clients have in common: a program with its checks, version, build and npm package. */
type ProgramDefinition = Pick<
  CommandTargetDefinition,
  'name' | 'implementation' | 'description' | 'requires' | 'version' | 'build' | 'command' | 'npm' | 'options'
>;

/** The entry's own checker: typed reads of its fields, each failing with the entry's place in the file. */
function fieldReader(raw: Json, at: string, fail: (problem: string) => never) {
  return {
    str(key: string, optional = false): string | undefined {
      const v = raw[key];
      if (v === undefined && optional) return undefined;
      if (typeof v !== 'string' || v === '') fail(`${at}.${key} must be a non-empty string`);
      return v;
    },
    argv(v: unknown, where: string): string[] {
      if (!isArgv(v)) fail(`${where} must be a non-empty array of non-empty strings`);
      return v;
    },
    ms(key: string): number | undefined {
      const v = raw[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`${at}.${key} must be a positive number`);
      return v;
    },
  };
}

/**
 * The fields a target and a client share. `placeholder` is what the command must pass ({port} for a server,
 * {url} for a client driver).
 */
function parseProgram(
  raw: unknown,
  at: string,
  placeholder: { name: string; what: string },
  fail: (problem: string) => never,
): ProgramDefinition {
  if (!isObject(raw)) fail(`${at} must be an object`);
  const { str, argv } = fieldReader(raw, at, fail);

  const name = str('name')!;
  // `+` names a configured variant of an implementation (ws+deflate), filed under a results folder of its own.
  if (!/^[a-z0-9][a-z0-9._+-]*$/.test(name)) fail(`${at}.name "${name}" must be lower-case letters, digits, . _ - +`);

  const requiresRaw = raw.requires ?? [];
  if (!Array.isArray(requiresRaw)) fail(`${at}.requires must be an array`);
  const requires = requiresRaw.map((r, i): Requirement => {
    const where = `${at}.requires[${i}]`;
    if (!isObject(r) || typeof r.missing !== 'string' || r.missing === '') {
      fail(`${where} must be { run: [...], missing: "reason" }`);
    }
    return { run: argv(r.run, `${where}.run`), missing: r.missing };
  });

  const npm = str('npm', true);
  if (npm !== undefined && !NPM_PACKAGE_NAME.test(npm)) fail(`${at}.npm "${npm}" is not an npm package name`);

  const version = parseVersion(raw.version, `${at}.version`, fail);
  if ('npm' in version && npm === undefined) fail(`${at}.version { "npm": true } needs the target's "npm" package`);

  let build: BuildSpec | undefined;
  if (raw.build !== undefined) {
    const b = raw.build;
    if (!isObject(b) || typeof b.output !== 'string' || !/^[\w.-]+$/.test(b.output)) {
      fail(`${at}.build must be { inputs: [...], output: "file-name", run: [...] }`);
    }
    const run = argv(b.run, `${at}.build.run`);
    if (!run.some((a) => a.includes('{output}'))) fail(`${at}.build.run must write to {output}`);
    build = { inputs: argv(b.inputs, `${at}.build.inputs`), output: b.output, run };
  }

  const command = argv(raw.command, `${at}.command`);
  if (!command.some((a) => a.includes(`{${placeholder.name}}`))) {
    fail(`${at}.command must pass ${placeholder.what} ({${placeholder.name}})`);
  }
  if (!build && command.some((a) => a.includes('{build}'))) fail(`${at}.command uses {build} but there is no build`);
  if (npm === undefined) {
    const lines: Array<readonly [string, string[]]> = [
      ['command', command],
      ...requires.map((r, i) => [`requires[${i}].run`, r.run] as const),
      ...('run' in version ? [['version.run', version.run] as const] : []),
      ...(build ? [['build.run', build.run] as const] : []),
    ];
    const usesPackage = lines.find(([, args]) => args.some((a) => a.includes('{package}')));
    if (usesPackage) fail(`${at}.${usesPackage[0]} uses {package} but the target names no "npm" package`);
  }

  const options = raw.options ?? {};
  if (!isObject(options)) fail(`${at}.options must be an object`);

  const program: ProgramDefinition = {
    name,
    implementation: str('implementation')!,
    requires,
    version,
    command,
    options,
  };
  const description = str('description', true);
  if (description !== undefined) program.description = description;
  if (build) program.build = build;
  if (npm !== undefined) program.npm = npm;
  return program;
}

/** Checks one entry of `targets`; `at` names it in error messages. */
function parseDefinition(raw: unknown, at: string, fail: (problem: string) => never): CommandTargetDefinition {
  const definition: CommandTargetDefinition = parseProgram(raw, at, { name: 'port', what: 'the port' }, fail);
  const entry = raw as Json;
  const { ms } = fieldReader(entry, at, fail);
  if (entry.maxMessageSize !== undefined) {
    const size = entry.maxMessageSize;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
      fail(`${at}.maxMessageSize must be a positive integer (bytes)`);
    }
    definition.maxMessageSize = size;
  }
  const readyTimeoutMs = ms('readyTimeoutMs');
  if (readyTimeoutMs !== undefined) definition.readyTimeoutMs = readyTimeoutMs;
  const stopGraceMs = ms('stopGraceMs');
  if (stopGraceMs !== undefined) definition.stopGraceMs = stopGraceMs;
  if (entry.notApplicable !== undefined) {
    const na = entry.notApplicable;
    if (!isObject(na) || !isArgv(na.cases) || typeof na.reason !== 'string' || na.reason === '') {
      fail(`${at}.notApplicable must be { cases: ["pattern", ...], reason: "why" }`);
    }
    definition.notApplicable = { cases: na.cases, reason: na.reason };
  }
  return definition;
}

/** Checks one entry of `clients`. */
function parseClientDefinition(raw: unknown, at: string, fail: (problem: string) => never): ShippedClientDefinition {
  const program = parseProgram(raw, at, { name: 'url', what: "the fuzzingserver's URL" }, fail);
  const plan = (raw as Json).plan ?? false;
  if (typeof plan !== 'boolean') fail(`${at}.plan must be true or false`);
  const serverOnly = program.command.join(' ').match(/\{(host|port)\}/);
  if (serverOnly) fail(`${at}.command uses ${serverOnly[0]}, a server's placeholder; a client gets {url} and {agent}`);
  return { ...program, plan };
}

/** Stops checking one entry at its first problem; the other entries are still checked. */
class EntryProblem extends Error {}

/**
 * Validates the parsed JSON of a targets file: `{ "targets": [ ... ] }`, where `targets` may be left out by a file
 * that only includes others or only has `clients` (those are another loader's). Throws InvalidTargetsFileError
 * naming the first problem of every bad entry, so one attempt shows all that needs fixing.
 */
export function parseTargetsJson(json: unknown, source: string): CommandTargetDefinition[] {
  const mayOmitTargets = isObject(json) && (json.include !== undefined || json.clients !== undefined);
  const targets = isObject(json) ? (json.targets ?? (mayOmitTargets ? [] : undefined)) : undefined;
  if (!Array.isArray(targets)) {
    throw new InvalidTargetsFileError(source, 'expected an object with a "targets" array');
  }
  return parseEntries(targets, 'targets', 'target', parseDefinition, source);
}

/** Every entry of one array of a targets file, or every problem found in it (first problem per entry). */
function parseEntries<T extends { name: string }>(
  entries: readonly unknown[],
  key: string,
  noun: string,
  parse: (raw: unknown, at: string, fail: (problem: string) => never) => T,
  source: string,
): T[] {
  const fail: (problem: string) => never = (problem) => {
    throw new EntryProblem(problem);
  };
  const problems: string[] = [];
  const parsed: T[] = [];
  entries.forEach((t, i) => {
    try {
      parsed.push(parse(t, `${key}[${i}]`, fail));
    } catch (err) {
      if (!(err instanceof EntryProblem)) throw err;
      problems.push(err.message);
    }
  });
  const seen = new Set<string>();
  for (const d of parsed) {
    if (seen.has(d.name)) problems.push(`${noun} name "${d.name}" appears twice`);
    seen.add(d.name);
  }
  if (problems.length > 0) throw new InvalidTargetsFileError(source, problems);
  return parsed;
}

/** The `clients` array of a targets file (none when it has none): the client drivers it ships. */
export function parseClientsJson(json: unknown, source: string): ShippedClientDefinition[] {
  const clients = isObject(json) ? json.clients : undefined;
  if (clients === undefined) return [];
  if (!Array.isArray(clients)) throw new InvalidTargetsFileError(source, '"clients" must be an array');
  return parseEntries(clients, 'clients', 'client', parseClientDefinition, source);
}

/** The `include` list of a targets file: paths relative to the file's folder, made absolute. */
function parseInclude(json: unknown, file: string): string[] {
  const include = isObject(json) ? json.include : undefined;
  if (include === undefined) return [];
  if (!isArgv(include)) {
    throw new InvalidTargetsFileError(file, '"include" must be a non-empty array of paths (relative to this file)');
  }
  return include.map((p) => resolve(dirname(file), p));
}

/** One targets file, its own definitions only (see readTargetsFiles for the files it includes). */
export function readTargetsFile(path: string): TargetsFile {
  const absolute = resolve(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (err) {
    throw new InvalidTargetsFileError(absolute, err instanceof Error ? err.message : String(err));
  }
  return {
    path: absolute,
    dir: dirname(absolute),
    definitions: parseTargetsJson(json, absolute),
    clients: parseClientsJson(json, absolute),
    include: parseInclude(json, absolute),
  };
}

/**
 * A targets file and, after it, every file its `include` names, in list order (an included file's own includes
 * right after it). A file included twice, in a loop, or a target name that two files define is an error.
 */
export function readTargetsFiles(path: string): TargetsFile[] {
  const files: TargetsFile[] = [];
  const visit = (file: string, chain: readonly string[]): void => {
    if (chain.includes(file)) {
      throw new InvalidTargetsFileError(chain.at(-1)!, `includes ${file}, which includes it back`);
    }
    if (files.some((f) => f.path === file)) {
      throw new InvalidTargetsFileError(chain.at(-1)!, `includes ${file}, which is already included`);
    }
    const read = readTargetsFile(file);
    files.push(read);
    for (const included of read.include) visit(included, [...chain, file]);
  };
  visit(resolve(path), []);
  const clashes: string[] = [];
  const checkUnique = (noun: string, names: (file: TargetsFile) => string[]): void => {
    const definedIn = new Map<string, string>();
    for (const file of files) {
      for (const name of names(file)) {
        const earlier = definedIn.get(name);
        if (earlier !== undefined) clashes.push(`${noun} name "${name}" is defined in ${earlier} and in ${file.path}`);
        definedIn.set(name, file.path);
      }
    }
  };
  checkUnique('target', (f) => f.definitions.map((d) => d.name));
  checkUnique('client', (f) => f.clients.map((c) => c.name));
  if (clashes.length > 0) throw new InvalidTargetsFileError(files[0]!.path, clashes);
  return files;
}
