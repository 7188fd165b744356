/**
 * Autobahn fuzzingclient spec files (fuzzingclient.json): the config users already have. Every field is
 * checked, and anything wrong is one UsageError line naming the field, so `--spec` never half-runs.
 */
import { readFile } from 'node:fs/promises';
import { isAutobahnCaseId } from '@wsmatrix/cases';
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
    outdir: outdir as string,
    servers,
    cases: cases as string[],
    excludeCases: excludeCases as string[],
    excludeAgentCases: eac as Record<string, string[]>,
  };
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
  return validateSpec(raw, file);
}

/**
 * The cases a spec selects. A spec is Autobahn's config: its "*" means Autobahn's cases. Our handshake group 0
 * runs only when a pattern names it, so the output stays comparable with Autobahn's own reports.
 */
export function specCaseIds(spec: Pick<FuzzingSpec, 'cases' | 'excludeCases'>): string[] {
  const group0Patterns = spec.cases.filter((p) => p === '0' || p.startsWith('0.'));
  const group0 = group0Patterns.length ? selectIds(group0Patterns, spec.excludeCases) : [];
  return [...group0, ...selectIds(spec.cases, spec.excludeCases).filter(isAutobahnCaseId)];
}
