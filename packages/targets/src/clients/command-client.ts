/**
 * Any client started by command: a driver of the user's that takes the fuzzingserver's base URL and the agent
 * name through the placeholders {url} and {agent} (as the external server targets take {host} and {port}),
 * e.g. `mine=./autobahn-client.sh {url} {agent}`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { expandArgv } from '../external/placeholders.js';
import { TargetUnavailableError } from '../external/unavailable.js';
import { UNVERSIONED } from '../external/url-target.js';
import { runDriver } from './driver-process.js';
import type { ClientTarget, DriveOptions, DriveResult } from './types.js';

export interface CommandClientDefinition {
  /** Column name; also the implementation its results are filed under. */
  name: string;
  /** Default UNVERSIONED: nothing here can read a command's version. */
  version?: string;
  /** argv (no shell); must contain {url}, may contain {agent}. */
  command: string[];
  /** Where the command runs and its relative paths start; default: the current directory. */
  cwd?: string;
}

/** A client command line that cannot be used, in one line. */
export class InvalidClientCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidClientCommandError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/**
 * Splits a command line into argv the way a POSIX shell splits words: blanks separate, '...' keeps everything,
 * "..." keeps everything but \" and \\, a backslash outside quotes keeps the next character. Nothing expands.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  /** A word has begun (possibly an empty one, as '' is). */
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c !== '\\') word += c;
      else if (i + 1 < line.length) word += line[++i];
      else throw new InvalidClientCommandError('the command line ends in a backslash');
    }
  }
  if (quote) throw new InvalidClientCommandError(`the command line has an unclosed ${quote}`);
  if (inWord) words.push(word);
  return words;
}

/** `NAME=COMMAND LINE` or `NAME@VERSION=COMMAND LINE`; anything else is an InvalidClientCommandError. */
export function parseClientCommand(raw: string, cwd?: string): CommandClientDefinition {
  const eq = raw.indexOf('=');
  if (eq < 0) throw new InvalidClientCommandError(`"${raw}" must be NAME=COMMAND or NAME@VERSION=COMMAND`);
  const left = raw.slice(0, eq);
  const at = left.indexOf('@');
  const name = at < 0 ? left : left.slice(0, at);
  if (!NAME.test(name)) throw new InvalidClientCommandError(`client name "${name}" must be letters, digits, . _ -`);
  const definition: CommandClientDefinition = { name, command: splitCommandLine(raw.slice(eq + 1)) };
  if (at >= 0) {
    const version = left.slice(at + 1);
    if (!VERSION.test(version)) {
      throw new InvalidClientCommandError(`client version "${version}" must be letters, digits, . _ + ~ -`);
    }
    definition.version = version;
  }
  if (cwd !== undefined) definition.cwd = cwd;
  checkCommand(definition);
  return definition;
}

function checkCommand(definition: CommandClientDefinition): void {
  const client = `client "${definition.name}"`;
  if (definition.command.length === 0) throw new InvalidClientCommandError(`${client} has no command`);
  if (!definition.command.some((arg) => arg.includes('{url}'))) {
    throw new InvalidClientCommandError(
      `${client}: the command must take the fuzzingserver's URL ({url}), e.g. ./driver.sh {url} {agent}`,
    );
  }
  const serverOnly = definition.command.join(' ').match(/\{(host|port|dir|build|output)\}/);
  if (serverOnly) {
    throw new InvalidClientCommandError(
      `${client}: ${serverOnly[0]} is a server target's placeholder; a client gets {url} and {agent}`,
    );
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Why `file` cannot be run from `cwd`, or null: a path is checked as it is, a bare name is looked up on PATH. */
function commandProblem(file: string, cwd: string): string | null {
  if (file.includes('/')) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    try {
      statSync(path);
    } catch {
      return `${file} not found`;
    }
    return isExecutableFile(path) ? null : `${file} is not an executable file`;
  }
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  return dirs.some((dir) => isExecutableFile(join(dir, file))) ? null : `${file} not found on PATH`;
}

export function createCommandClient(definition: CommandClientDefinition): ClientTarget {
  checkCommand(definition);
  const cwd = resolve(definition.cwd ?? process.cwd());
  const [file] = definition.command as [string, ...string[]];
  const unavailableNow = (): string | null => commandProblem(file, cwd);
  return {
    name: definition.name,
    implementation: definition.name,
    version: definition.version ?? UNVERSIONED,
    options: { command: definition.command.join(' '), cwd, startedBy: 'the user (a driver of their own)' },
    async unavailable() {
      return unavailableNow();
    },
    async drive({ baseUrl, agent, signal, onLine }: DriveOptions): Promise<DriveResult> {
      signal?.throwIfAborted();
      const reason = unavailableNow();
      if (reason !== null) throw new TargetUnavailableError(definition.name, reason);
      const argv = expandArgv(definition.command, { url: baseUrl, agent });
      return runDriver(definition.name, argv, cwd, { signal, onLine });
    },
  };
}
