import { allCaseIds, caseById, clientCaseIds, groupsOfCase, selectCaseIds } from '@wsmatrix/cases';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import type { Command } from './types.js';

export const casesSpec = {
  name: 'cases',
  summary: 'List the case catalogue: id, group and description.',
  positionals: [],
  flags: {
    cases: {
      type: 'list',
      default: ['*'],
      placeholder: 'PATTERNS',
      description: 'Autobahn patterns of cases to list (1.*, 6.4.*, 9.*)',
    },
    'exclude-cases': {
      type: 'list',
      default: [],
      placeholder: 'PATTERNS',
      description: 'Autobahn patterns of cases to leave out',
    },
    json: { type: 'boolean', description: 'Print a JSON array instead of a table' },
  },
} as const satisfies CommandSpec;

/** Selects ids with Autobahn's pattern rules; an unknown literal id is a usage error. */
export function selectIds(include: readonly string[], exclude: readonly string[]): string[] {
  try {
    return selectCaseIds(allCaseIds, include, exclude);
  } catch (err) {
    // The catalogue's message speaks of a spec file; the same rule applies to --cases.
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(message.replace(` in the spec's "cases" list`, ''));
  }
}

/**
 * The matrix's selection for each role: the server cases (ours of group 0 for servers and Autobahn's) and the
 * client cases (ours of group 0 for clients and Autobahn's) the patterns select. A literal id names a case of
 * either list; one that is in neither is a usage error.
 */
export function selectRoleIds(
  include: readonly string[],
  exclude: readonly string[],
): { server: string[]; client: string[] } {
  const known = new Set([...allCaseIds, ...clientCaseIds]);
  const unknown = include.find((p) => !p.includes('*') && !known.has(p));
  // The catalogue's own message for it.
  if (unknown !== undefined) selectIds([unknown], []);
  const select = (ids: readonly string[]) => {
    const inRole = new Set(ids);
    return selectCaseIds(
      ids,
      include.filter((p) => p.includes('*') || inRole.has(p)),
      exclude,
    );
  };
  return { server: select(allCaseIds), client: select(clientCaseIds) };
}

export const casesCommand: Command<typeof casesSpec> = {
  spec: casesSpec,
  async run(argv, ctx) {
    const { flags } = parseArgs(casesSpec, argv);
    const ids = selectIds(flags.cases, flags['exclude-cases']);
    const rows = ids.map((id) => {
      const def = caseById(id)!;
      const groups = groupsOfCase(id);
      return { id, group: groups.map((g) => `${g.id} ${g.title}`).join(' / '), description: def.description };
    });
    if (flags.json) {
      ctx.stdout(`${JSON.stringify(rows, null, 1)}\n`);
      return 0;
    }
    const width = Math.max(4, ...rows.map((r) => r.id.length)) + 2;
    const lines = rows.map((r) => `${r.id.padEnd(width)}${r.group}  —  ${oneLine(r.description)}`);
    ctx.stdout(`${lines.join('\n')}\n${rows.length} cases\n`);
    return 0;
  },
};

/** Descriptions may hold markup and line breaks; a listing wants one line each. */
function oneLine(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
