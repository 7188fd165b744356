/**
 * Autobahn spec files (fuzzingclient.json, fuzzingserver.json): the config users already have. Every field is
 * checked, and anything wrong is one UsageError line naming the field, so `--spec` never half-runs.
 */
import { readFile } from 'node:fs/promises';
import { clientCaseIds, compareCaseIds, isAutobahnCaseId, selectCaseIds } from '@wsmatrix/cases';
import { UsageError } from './args.js';
import { selectIds } from './commands/cases.js';

export interface SpecServer {
  /** Absent: the server's own `Server` response header names it (else "UnknownServer"), as in Autobahn. */
  agent: string | undefined;
  url: string;
  /** AutobahnPython's failByDrop: the server's options, else the spec's, else false (its fuzzingclient). */
  failByDrop: boolean;
}

export interface FuzzingSpec {
  outdir: string;
  servers: SpecServer[];
  cases: string[];
  excludeCases: string[];
  excludeAgentCases: Record<string, string[]>;
}

/**
 * The protocol options a spec may set. "version" (13 or 18, both RFC 6455) changes nothing here; other
 * AutobahnPython options are refused rather than silently ignored.
 */
const KNOWN_OPTIONS = new Set(['failByDrop', 'version']);

interface SpecOptions {
  failByDrop?: boolean;
}

function validateOptions(raw: unknown, what: string, fail: (what: string) => never): SpecOptions {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fail(`${what} must be an object`);
  const options = raw as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(`unknown option ${what}.${key} (supported: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
  if (options.version !== undefined && options.version !== 13 && options.version !== 18) {
    fail(`${what}.version must be 13 or 18 (RFC 6455)`);
  }
  if (options.failByDrop === undefined) return {};
  if (typeof options.failByDrop !== 'boolean') fail(`${what}.failByDrop must be true or false`);
  return { failByDrop: options.failByDrop as boolean };
}

/** Autobahn's own default when a spec has no outdir. */
export const DEFAULT_OUTDIR = './reports/servers';

const KNOWN_KEYS = new Set([
  'outdir',
  'servers',
  'cases',
  'exclude-cases',
  'exclude-agent-cases',
  'options',
  'enable-ssl',
]);

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Validates a parsed spec object; `where` names the file in messages. */
export function validateSpec(raw: unknown, where: string): FuzzingSpec {
  const fail = (what: string): never => {
    throw new UsageError(`spec ${where}: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('must be a JSON object');
  const spec = raw as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!KNOWN_KEYS.has(key)) fail(`unknown key "${key}" (expected: ${[...KNOWN_KEYS].join(', ')})`);
  }
  if (spec['enable-ssl'] === true) fail('"enable-ssl" is not supported (wss:// targets are not implemented)');
  const outdir = spec.outdir ?? DEFAULT_OUTDIR;
  if (typeof outdir !== 'string' || outdir === '') fail('"outdir" must be a non-empty string');
  if (!Array.isArray(spec.servers) || spec.servers.length === 0) fail('"servers" must be a non-empty array');
  const specOptions = validateOptions(spec.options, 'options', fail);
  const agents = new Set<string>();
  const servers = (spec.servers as unknown[]).map((s, i): SpecServer => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return fail(`servers[${i}] must be an object`);
    const { agent, url, options } = s as Record<string, unknown>;
    if (agent !== undefined && (typeof agent !== 'string' || agent.trim() === '')) {
      return fail(`servers[${i}].agent must be a non-empty string (or left out: the Server header names it)`);
    }
    if (typeof url !== 'string') return fail(`servers[${i}].url must be a string`);
    checkWsUrl(url, `servers[${i}].url`, fail);
    const serverOptions = validateOptions(options, `servers[${i}].options`, fail);
    if (agent !== undefined) {
      if (agents.has(agent)) fail(`agent "${agent}" appears twice in "servers"`);
      agents.add(agent);
    }
    return { agent, url, failByDrop: serverOptions.failByDrop ?? specOptions.failByDrop ?? false };
  });
  return { outdir: outdir as string, servers, ...validateSelection(spec, fail) };
}

/** The case selection keys both spec kinds share. */
type CaseSelection = Pick<FuzzingSpec, 'cases' | 'excludeCases' | 'excludeAgentCases'>;

function validateSelection(spec: Record<string, unknown>, fail: (what: string) => never): CaseSelection {
  const cases = spec.cases ?? ['*'];
  if (!isStringArray(cases)) fail('"cases" must be an array of strings');
  const excludeCases = spec['exclude-cases'] ?? [];
  if (!isStringArray(excludeCases)) fail('"exclude-cases" must be an array of strings');
  const eac = spec['exclude-agent-cases'] ?? {};
  if (eac === null || typeof eac !== 'object' || Array.isArray(eac)) fail('"exclude-agent-cases" must be an object');
  for (const [agent, patterns] of Object.entries(eac as Record<string, unknown>)) {
    if (!isStringArray(patterns)) fail(`"exclude-agent-cases"."${agent}" must be an array of strings`);
  }
  return {
    cases: cases as string[],
    excludeCases: excludeCases as string[],
    excludeAgentCases: eac as Record<string, string[]>,
  };
}

/** An Autobahn fuzzingserver spec (fuzzingserver.json): the server that tests clients. */
export interface FuzzingServerSpec extends CaseSelection {
  /** ws://host:port the server listens on. */
  url: string;
  outdir: string;
  failByDrop: boolean;
}

/** Autobahn's fuzzingserver defaults (its example spec's url, its code's outdir). */
export const DEFAULT_FUZZINGSERVER_URL = 'ws://127.0.0.1:9001';
export const DEFAULT_CLIENTS_OUTDIR = './reports/clients';

/**
 * Keys of Autobahn's fuzzingserver specs. "webport" (Autobahn's browser test page) is accepted so its
 * example spec runs unchanged, and has no effect: no web page is served.
 */
const FUZZINGSERVER_KEYS = new Set([
  'url',
  'outdir',
  'cases',
  'exclude-cases',
  'exclude-agent-cases',
  'options',
  'webport',
  'enable-ssl',
]);

/** Validates a parsed fuzzingserver spec object; `where` names the file in messages. */
export function validateFuzzingServerSpec(raw: unknown, where: string): FuzzingServerSpec {
  const fail = (what: string): never => {
    throw new UsageError(`spec ${where}: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('must be a JSON object');
  const spec = raw as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!FUZZINGSERVER_KEYS.has(key)) fail(`unknown key "${key}" (expected: ${[...FUZZINGSERVER_KEYS].join(', ')})`);
  }
  if (spec['enable-ssl'] === true) fail('"enable-ssl" is not supported (wss:// is not implemented)');
  const url = spec.url ?? DEFAULT_FUZZINGSERVER_URL;
  if (typeof url !== 'string') fail('"url" must be a string');
  checkListenUrl(url as string, '"url"', fail);
  const outdir = spec.outdir ?? DEFAULT_CLIENTS_OUTDIR;
  if (typeof outdir !== 'string' || outdir === '') fail('"outdir" must be a non-empty string');
  if (spec.webport !== undefined && !Number.isInteger(spec.webport)) fail('"webport" must be a port number');
  const options = validateOptions(spec.options, 'options', fail);
  return {
    url: url as string,
    outdir: outdir as string,
    failByDrop: options.failByDrop ?? false,
    ...validateSelection(spec, fail),
  };
}

/** A ws:// URL a server can listen on: a host, a port (Autobahn's default 80 when none), no path. */
export function checkListenUrl(
  url: string,
  what: string,
  fail: (what: string) => never = (m) => {
    throw new UsageError(m);
  },
): { host: string; port: number } {
  const parsed = checkWsUrl(url, what, fail);
  if (parsed.pathname !== '/' || parsed.search !== '') fail(`${what} "${url}" must have no path or query`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port === '' ? 80 : Number(parsed.port) };
}

/** A ws:// URL with a host; wss:// is refused explicitly rather than failing later. */
export function checkWsUrl(
  url: string,
  what: string,
  fail: (what: string) => never = (m) => {
    throw new UsageError(m);
  },
): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail(`${what} "${url}" is not a URL`);
  }
  if (parsed.protocol === 'wss:') fail(`${what} "${url}": wss:// is not supported`);
  if (parsed.protocol !== 'ws:') fail(`${what} "${url}" must start with ws://`);
  if (parsed.hostname === '') fail(`${what} "${url}" has no host`);
  return parsed;
}

export async function readSpecFile(file: string): Promise<FuzzingSpec> {
  return validateSpec(await readSpecJson(file), file);
}

export async function readFuzzingServerSpec(file: string): Promise<FuzzingServerSpec> {
  return validateFuzzingServerSpec(await readSpecJson(file), file);
}

async function readSpecJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read spec ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`spec ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return raw;
}

/** Groups of our own, not Autobahn's: group 0 (handshake cases) and group 14 (permessage-deflate edge cases). */
const OWN_GROUPS = ['0', '14'];

/** A pattern that names one of our own groups: "0.*", "14.*", "14.2.*", "14.1.1". */
function namesOwnGroup(pattern: string): boolean {
  return OWN_GROUPS.some((g) => pattern === g || pattern.startsWith(`${g}.`));
}

/**
 * A spec's selection: its "*" (and any pattern that does not name one of our groups, such as "1*") selects
 * Autobahn's cases only, so the output stays comparable with Autobahn's own reports; our groups 0 and 14 run
 * only when a pattern names them. In numeric id order.
 */
function ownAndAutobahn(cases: readonly string[], select: (include: readonly string[]) => string[]): string[] {
  const ownPatterns = cases.filter(namesOwnGroup);
  const own = ownPatterns.length ? select(ownPatterns) : [];
  const autobahn = select(cases).filter(isAutobahnCaseId);
  return [...new Set([...own, ...autobahn])].sort(compareCaseIds);
}

/** The cases a spec selects (servers): Autobahn's for "*", ours of groups 0 and 14 when a pattern names them. */
export function specCaseIds(spec: Pick<FuzzingSpec, 'cases' | 'excludeCases'>): string[] {
  return ownAndAutobahn(spec.cases, (include) => selectIds(include, spec.excludeCases));
}

/**
 * The cases a fuzzingserver spec selects, by the same rule from the client catalogue: "*" means Autobahn's
 * cases (so /getCaseCount and every case=N are Autobahn's own), our client group 0 and group 14 only when named.
 */
export function clientSpecCaseIds(spec: Pick<FuzzingSpec, 'cases' | 'excludeCases'>): string[] {
  return ownAndAutobahn(spec.cases, (include) => {
    try {
      return selectCaseIds(clientCaseIds, include, spec.excludeCases);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
  });
}
