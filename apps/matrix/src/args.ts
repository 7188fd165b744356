/**
 * A tiny flag parser shared by every wsmatrix command. Each command declares its positionals
 * and flags (type, default, range, choices); parseArgs() turns argv into typed values or
 * throws a UsageError whose message is the one line the CLI prints.
 *
 * Syntax: `--name value`, `--name=value`, boolean `--name`, list `--name a,b --name c`, repeated
 * `--name 'a,b' --name c` (each occurrence one value, commas kept),
 * `--` ends flags. `-h` / `--help` is accepted by every command.
 */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface FlagBase {
  description: string;
  /** Shown in usage instead of the type, e.g. 'N' or 'HOST'. */
  placeholder?: string;
}
export interface StringFlag extends FlagBase {
  type: 'string';
  default?: string;
  choices?: readonly string[];
}
export interface IntegerFlag extends FlagBase {
  type: 'integer';
  default?: number;
  min?: number;
  max?: number;
}
export interface BooleanFlag extends FlagBase {
  type: 'boolean';
}
/** Comma-separated and/or repeated: `--targets ws,uws --targets core`. */
export interface ListFlag extends FlagBase {
  type: 'list';
  default?: readonly string[];
  choices?: readonly string[];
  /** Also lets NAME@VERSION through (an npm release, checked when the command resolves it). */
  releases?: boolean;
}
/** Repeatable, one value per occurrence, commas kept: `--client 'a=cmd x,y' --client 'b=cmd'`. */
export interface MultiFlag extends FlagBase {
  type: 'multi';
}
export type FlagSpec = StringFlag | IntegerFlag | BooleanFlag | ListFlag | MultiFlag;

export interface PositionalSpec {
  name: string;
  description: string;
  /** Default true. */
  required?: boolean;
  choices?: readonly string[];
  /** Also lets NAME@VERSION through (an npm release, checked when the command resolves it). */
  releases?: boolean;
  /** The last positional only: takes every remaining argument (all of them in ParsedArgs.variadic). */
  variadic?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  positionals: readonly PositionalSpec[];
  flags: Readonly<Record<string, FlagSpec>>;
  /** Paragraphs after the flags (exit codes, signals), one line each. */
  notes?: readonly string[];
}

type FlagValue<F extends FlagSpec> = F extends IntegerFlag
  ? number
  : F extends BooleanFlag
    ? boolean
    : F extends ListFlag | MultiFlag
      ? string[]
      : string;

/** Flags with a default (and booleans, which default to false) are always present. */
export type ParsedFlags<S extends CommandSpec> = {
  [K in keyof S['flags']]: S['flags'][K] extends BooleanFlag | { default: unknown }
    ? FlagValue<S['flags'][K]>
    : FlagValue<S['flags'][K]> | undefined;
};

export interface ParsedArgs<S extends CommandSpec> {
  positionals: Record<S['positionals'][number]['name'], string>;
  flags: ParsedFlags<S>;
  help: boolean;
  /** Every value of a variadic last positional (empty when there is none). */
  variadic: string[];
}

const HELP_FLAGS = new Set(['-h', '--help']);

function oneOf(choices: readonly string[], releases = false): string {
  return `expected one of: ${choices.join(', ')}${releases ? `, or ${RELEASE}` : ''}`;
}

/** How help and errors name an npm release value. */
const RELEASE = 'NAME@VERSION (an npm release)';

/** An `@` after the first character: NAME@VERSION, left for the command to resolve. */
function isRelease(value: string): boolean {
  return value.lastIndexOf('@') > 0;
}

function checkChoice(
  what: string,
  value: string,
  choices: readonly string[] | undefined,
  releases: boolean | undefined,
): void {
  if (releases && isRelease(value)) return;
  if (choices && !choices.includes(value)) {
    throw new UsageError(`unknown ${what} "${value}" (${oneOf(choices, releases)})`);
  }
}

function parseInteger(flag: string, spec: IntegerFlag, raw: string): number {
  const min = spec.min ?? Number.MIN_SAFE_INTEGER;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  const range = `an integer from ${min} to ${max}`;
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${flag} must be ${range}, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be ${range}, got "${raw}"`);
  }
  return value;
}

/** Parses argv (without the command name) against a command's spec. */
export function parseArgs<S extends CommandSpec>(spec: S, argv: readonly string[]): ParsedArgs<S> {
  const flags: Record<string, unknown> = {};
  const positionals: string[] = [];
  let help = false;
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (HELP_FLAGS.has(arg)) {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown flag ${arg} for "${spec.name}" (${oneOf(flagList(spec))})`);
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const flag = Object.hasOwn(spec.flags, name) ? spec.flags[name] : undefined;
    if (!flag) {
      throw new UsageError(`unknown flag --${name} for "${spec.name}" (${oneOf(flagList(spec))})`);
    }
    if (flag.type === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let raw: string;
    if (eq >= 0) {
      raw = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2) || HELP_FLAGS.has(next)) {
        throw new UsageError(`--${name} needs a value`);
      }
      raw = next;
      i++;
    }
    if (raw === '') throw new UsageError(`--${name} needs a value`);
    switch (flag.type) {
      case 'integer':
        flags[name] = parseInteger(name, flag, raw);
        break;
      case 'string':
        checkChoice(`value for --${name}`, raw, flag.choices, false);
        flags[name] = raw;
        break;
      case 'multi':
        flags[name] = [...((flags[name] as string[] | undefined) ?? []), raw];
        break;
      case 'list': {
        const items = raw.split(',').map((s) => s.trim());
        if (items.some((s) => s === '')) throw new UsageError(`--${name} has an empty item in "${raw}"`);
        for (const item of items) checkChoice(`value for --${name}`, item, flag.choices, flag.releases);
        const previous = (flags[name] as string[] | undefined) ?? [];
        flags[name] = [...previous, ...items];
        break;
      }
    }
  }

  for (const [name, flag] of Object.entries(spec.flags)) {
    if (name in flags) continue;
    if (flag.type === 'boolean') flags[name] = false;
    else if (flag.type !== 'multi' && flag.default !== undefined)
      flags[name] = Array.isArray(flag.default) ? [...flag.default] : flag.default;
  }

  const named: Record<string, string> = {};
  if (!help) {
    spec.positionals.forEach((p, index) => {
      const value = positionals[index];
      if (value === undefined) {
        if (p.required !== false) {
          const choices = p.choices ? ` (${oneOf(p.choices)})` : '';
          throw new UsageError(`${spec.name} needs a <${p.name}>${choices}`);
        }
        return;
      }
      checkChoice(p.name, value, p.choices, p.releases);
      named[p.name] = value;
    });
    if (positionals.length > spec.positionals.length && !spec.positionals.at(-1)?.variadic) {
      throw new UsageError(`unexpected argument "${positionals[spec.positionals.length]}" for "${spec.name}"`);
    }
  }

  const variadic = spec.positionals.at(-1)?.variadic ? positionals.slice(spec.positionals.length - 1) : [];
  return { positionals: named, flags: flags as ParsedFlags<S>, help, variadic } as ParsedArgs<S>;
}

function flagList(spec: CommandSpec): string[] {
  return [...Object.keys(spec.flags).map((f) => `--${f}`), '--help'];
}

/** Left column of the help: labels up to this long share one column; a longer one puts its text below. */
const HELP_LABEL_MAX = 30;

/** Two columns, label and text, always at least two spaces apart. */
function helpRows(rows: ReadonlyArray<[string, string]>): string[] {
  const width = Math.min(HELP_LABEL_MAX, Math.max(...rows.map(([label]) => label.length))) + 2;
  return rows.flatMap(([label, text]) =>
    label.length + 2 <= width ? [`  ${label.padEnd(width)}${text}`] : [`  ${label}`, `  ${' '.repeat(width)}${text}`],
  );
}

/** " [default: …]" for a flag whose default says something (not for booleans, empty lists or strings). */
function defaultNote(flag: FlagSpec): string {
  if (flag.type === 'boolean' || flag.type === 'multi' || flag.default === undefined) return '';
  const text = Array.isArray(flag.default) ? flag.default.join(',') : String(flag.default);
  return text === '' ? '' : ` [default: ${text}]`;
}

/** The choices as help lists them. */
function choiceList(spec: { choices?: readonly string[]; releases?: boolean }): string {
  return [...(spec.choices ?? []), ...(spec.releases ? [RELEASE] : [])].join(', ');
}

/** Multi-line usage for one command. */
export function formatCommandUsage(spec: CommandSpec, program = 'wsmatrix'): string {
  const pos = spec.positionals
    .map((p) => `${p.required === false ? `[${p.name}]` : `<${p.name}>`}${p.variadic ? '…' : ''}`)
    .join(' ');
  const lines = [`Usage: ${program} ${spec.name}${pos ? ` ${pos}` : ''} [flags]`, '', spec.summary, ''];
  if (spec.positionals.length) {
    lines.push('Arguments:');
    lines.push(
      ...helpRows(spec.positionals.map((p) => [p.name, `${p.description}${p.choices ? ` (${choiceList(p)})` : ''}`])),
    );
    lines.push('');
  }
  lines.push('Flags:');
  const rows: Array<[string, string]> = Object.entries(spec.flags).map(([name, flag]) => {
    const value = flag.type === 'boolean' ? '' : ` ${flag.placeholder ?? flag.type.toUpperCase()}`;
    const choices = 'choices' in flag && flag.choices ? ` (${choiceList(flag)})` : '';
    // A description that already states its default (in its own words) is not given a second one.
    const note = flag.description.includes('[default:') ? '' : defaultNote(flag);
    return [`--${name}${value}`, `${flag.description}${choices}${note}`];
  });
  rows.push(['-h, --help', 'Show this help']);
  lines.push(...helpRows(rows));
  if (spec.notes?.length) lines.push('', ...spec.notes);
  return lines.join('\n');
}
