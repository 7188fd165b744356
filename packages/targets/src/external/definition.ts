import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** A command (argv, no shell) that must exit 0; `missing` is the one-line reason shown when it does not. */
export interface Requirement {
  run: string[];
  missing: string;
}

/** A command whose stdout is the version; `match` (a regex) picks the version out of it. */
export interface VersionSpec {
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
  /** Shown in reports, as the embedded targets' options are. */
  options: Record<string, unknown>;
  /** Cases that would judge our harness rather than the implementation (see EchoTargetInfo). */
  notApplicable?: { cases: string[]; reason: string };
  /** How long the server may take to accept TCP connections (default 10 s). */
  readyTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL (default 2 s). */
  stopGraceMs?: number;
}

/** The definitions of a targets file, with the folder its relative paths and `{dir}` refer to. */
export interface TargetsFile {
  path: string;
  dir: string;
  definitions: CommandTargetDefinition[];
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

/** Checks one entry of `targets`; `at` names it in error messages. */
function parseDefinition(raw: unknown, at: string, fail: (problem: string) => never): CommandTargetDefinition {
  if (!isObject(raw)) fail(`${at} must be an object`);
  const str = (key: string, optional = false): string | undefined => {
    const v = raw[key];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'string' || v === '') fail(`${at}.${key} must be a non-empty string`);
    return v;
  };
  const argv = (v: unknown, where: string): string[] => {
    if (!isArgv(v)) fail(`${where} must be a non-empty array of non-empty strings`);
    return v;
  };
  const ms = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`${at}.${key} must be a positive number`);
    return v;
  };

  const name = str('name')!;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) fail(`${at}.name "${name}" must be lower-case letters, digits, . _ -`);

  const requiresRaw = raw.requires ?? [];
  if (!Array.isArray(requiresRaw)) fail(`${at}.requires must be an array`);
  const requires = requiresRaw.map((r, i): Requirement => {
    const where = `${at}.requires[${i}]`;
    if (!isObject(r) || typeof r.missing !== 'string' || r.missing === '') {
      fail(`${where} must be { run: [...], missing: "reason" }`);
    }
    return { run: argv(r.run, `${where}.run`), missing: r.missing };
  });

  if (!isObject(raw.version)) fail(`${at}.version must be { run: [...], match?: "regex" }`);
  const version: VersionSpec = { run: argv(raw.version.run, `${at}.version.run`) };
  if (raw.version.match !== undefined) {
    if (typeof raw.version.match !== 'string') fail(`${at}.version.match must be a string`);
    try {
      new RegExp(raw.version.match);
    } catch {
      fail(`${at}.version.match is not a valid regular expression`);
    }
    version.match = raw.version.match;
  }

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
  if (!command.some((a) => a.includes('{port}'))) fail(`${at}.command must pass the port ({port})`);
  if (!build && command.some((a) => a.includes('{build}'))) fail(`${at}.command uses {build} but there is no build`);

  const options = raw.options ?? {};
  if (!isObject(options)) fail(`${at}.options must be an object`);

  const definition: CommandTargetDefinition = {
    name,
    implementation: str('implementation')!,
    requires,
    version,
    command,
    options,
  };
  const description = str('description', true);
  if (description !== undefined) definition.description = description;
  if (build) definition.build = build;
  const readyTimeoutMs = ms('readyTimeoutMs');
  if (readyTimeoutMs !== undefined) definition.readyTimeoutMs = readyTimeoutMs;
  const stopGraceMs = ms('stopGraceMs');
  if (stopGraceMs !== undefined) definition.stopGraceMs = stopGraceMs;
  if (raw.notApplicable !== undefined) {
    const na = raw.notApplicable;
    if (!isObject(na) || !isArgv(na.cases) || typeof na.reason !== 'string' || na.reason === '') {
      fail(`${at}.notApplicable must be { cases: ["pattern", ...], reason: "why" }`);
    }
    definition.notApplicable = { cases: na.cases, reason: na.reason };
  }
  return definition;
}

/** Stops checking one entry at its first problem; the other entries are still checked. */
class EntryProblem extends Error {}

/**
 * Validates the parsed JSON of a targets file: `{ "targets": [ ... ] }`. Throws InvalidTargetsFileError
 * naming the first problem of every bad entry, so one attempt shows all that needs fixing.
 */
export function parseTargetsJson(json: unknown, source: string): CommandTargetDefinition[] {
  if (!isObject(json) || !Array.isArray(json.targets)) {
    throw new InvalidTargetsFileError(source, 'expected an object with a "targets" array');
  }
  const fail: (problem: string) => never = (problem) => {
    throw new EntryProblem(problem);
  };
  const problems: string[] = [];
  const definitions: CommandTargetDefinition[] = [];
  (json.targets as unknown[]).forEach((t, i) => {
    try {
      definitions.push(parseDefinition(t, `targets[${i}]`, fail));
    } catch (err) {
      if (!(err instanceof EntryProblem)) throw err;
      problems.push(err.message);
    }
  });
  const seen = new Set<string>();
  for (const d of definitions) {
    if (seen.has(d.name)) problems.push(`target name "${d.name}" appears twice`);
    seen.add(d.name);
  }
  if (problems.length > 0) throw new InvalidTargetsFileError(source, problems);
  return definitions;
}

export function readTargetsFile(path: string): TargetsFile {
  const absolute = resolve(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (err) {
    throw new InvalidTargetsFileError(absolute, err instanceof Error ? err.message : String(err));
  }
  return { path: absolute, dir: dirname(absolute), definitions: parseTargetsJson(json, absolute) };
}
