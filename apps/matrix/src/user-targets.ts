/**
 * The user's own servers as matrix (and bench) columns: `--url NAME[@VERSION]=URL` for a server already
 * running, `--targets-file FILE` for servers started by command (the shipped targets file's format).
 */
import path from 'node:path';
import {
  createUrlTarget,
  InvalidTargetsFileError,
  loadCommandTargets,
  UNVERSIONED,
  type EchoTarget,
} from '@wsmatrix/targets';
import { UsageError } from './args.js';
import { checkWsUrl } from './spec-file.js';

/** A column to run: its name and how to make its target (making one may fail: the column then says why). */
export interface ColumnSource {
  name: string;
  make: () => EchoTarget;
}

export interface UrlSpec {
  name: string;
  version: string;
  url: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/** `NAME=URL` or `NAME@VERSION=URL`; bad input is a UsageError naming the flag. */
export function parseUrlSpec(raw: string): UrlSpec {
  const eq = raw.indexOf('=');
  if (eq < 0) throw new UsageError(`--url "${raw}" must be NAME=URL or NAME@VERSION=URL`);
  const left = raw.slice(0, eq);
  const url = raw.slice(eq + 1);
  const at = left.indexOf('@');
  const name = at < 0 ? left : left.slice(0, at);
  const version = at < 0 ? UNVERSIONED : left.slice(at + 1);
  if (!NAME.test(name)) throw new UsageError(`--url name "${name}" must be letters, digits, . _ - (in "${raw}")`);
  if (!VERSION.test(version)) {
    throw new UsageError(`--url version "${version}" must be letters, digits, . _ + ~ - (in "${raw}")`);
  }
  checkWsUrl(url, `--url ${name}`);
  return { name, version, url };
}

/** Columns for `--url` values; a name taken by another column is a UsageError. */
export function urlColumns(raws: readonly string[], taken: Set<string>): ColumnSource[] {
  return raws.map((raw) => {
    const spec = parseUrlSpec(raw);
    claim(spec.name, taken, `--url ${spec.name}`);
    return { name: spec.name, make: () => createUrlTarget(spec) };
  });
}

/**
 * Columns for the servers of a user's targets file, relative paths resolved from the file's folder.
 * Throws InvalidTargetsFileError (every problem, one line each) or a UsageError for a name already taken.
 */
export function targetsFileColumns(file: string, taken: Set<string>): ColumnSource[] {
  const targets = loadCommandTargets(file);
  const clashes = targets.filter((t) => taken.has(t.name)).map((t) => `target name "${t.name}" is already a column`);
  if (clashes.length > 0) throw new InvalidTargetsFileError(path.resolve(file), clashes);
  for (const t of targets) taken.add(t.name);
  return targets.map((t) => ({ name: t.name, make: () => t }));
}

function claim(name: string, taken: Set<string>, what: string): void {
  if (taken.has(name)) throw new UsageError(`${what}: the name "${name}" is already a column`);
  taken.add(name);
}
