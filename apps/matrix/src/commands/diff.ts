import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import { compareVerdictMaps, type Role, type VerdictChange } from '../report/index.js';
import { loadVerdicts, type LoadedVerdicts } from '../results-store.js';
import { isTimingFlip } from '../repeats.js';
import type { Command } from './types.js';

export const diffSpec = {
  name: 'diff',
  summary: 'Print the cases whose verdict changed between two result folders (exit 1 if any regressed).',
  positionals: [
    { name: 'before', description: 'Results folder (or index.json) of the older run or release' },
    { name: 'after', description: 'Results folder (or index.json) of the newer run or release' },
  ],
  flags: {
    'agent-before': {
      type: 'string',
      placeholder: 'NAME',
      description: 'Agent to compare in <before> when its index holds several',
    },
    'agent-after': {
      type: 'string',
      placeholder: 'NAME',
      description: 'Agent to compare in <after> when its index holds several',
    },
    json: { type: 'boolean', description: 'Print the changes as JSON' },
  },
  notes: [
    "Each side is a server's results or a client's: a stored release's summary.json says which, else the folder's",
    "name (Autobahn's reports/clients, the matrix's <results>/clients/…). Comparing a server with a client is",
    'allowed (one line on stderr says so) but says little: the same case id is a different exchange in each role.',
    'A case whose verdicts on both sides are among those one side saw across its --repeat runs is listed as',
    'timing-dependent: not a regression, nor a fix. A verdict neither side ever saw is a change as usual.',
    'Exit codes: 0 nothing regressed; 1 some case regressed; 2 bad usage or a folder without an index.',
  ],
} as const satisfies CommandSpec;

/** The verdicts of one agent in an index: the named one, or the only one there is. */
async function verdictsOf(
  location: string,
  agent: string | undefined,
): Promise<{ agent: string; role: Role; verdicts: Record<string, string>; seen: Record<string, string[]> }> {
  let loaded: LoadedVerdicts;
  try {
    loaded = await loadVerdicts(location);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { byAgent, role } = loaded;
  const seenOf = (name: string) => loaded.seenByAgent.get(name) ?? {};
  if (agent !== undefined) {
    const verdicts = byAgent.get(agent);
    if (!verdicts)
      throw new UsageError(`${location} has no agent "${agent}" (it has: ${[...byAgent.keys()].join(', ')})`);
    return { agent, role, verdicts, seen: seenOf(agent) };
  }
  if (byAgent.size !== 1) {
    throw new UsageError(
      `${location} holds ${byAgent.size} agents (${[...byAgent.keys()].join(', ')}); ` +
        'pick one with --agent-before/--agent-after',
    );
  }
  const [only] = byAgent;
  return { agent: only![0], role, verdicts: only![1], seen: seenOf(only![0]) };
}

function line(c: VerdictChange): string {
  return `  ${c.caseId.padEnd(9)} ${c.before ?? '(absent)'} → ${c.after ?? '(absent)'}`;
}

export const diffCommand: Command<typeof diffSpec> = {
  spec: diffSpec,
  async run(argv, ctx) {
    const { positionals, flags } = parseArgs(diffSpec, argv);
    const a = await verdictsOf(positionals.before, flags['agent-before']);
    const b = await verdictsOf(positionals.after, flags['agent-after']);
    if (a.role !== b.role) {
      ctx.stderr(
        `wsmatrix: diff compares a ${a.role}'s verdicts (${positionals.before}) with a ${b.role}'s ` +
          `(${positionals.after}): the same case id is a different exchange in each role\n`,
      );
    }
    // Both sides' role is named once they differ, or when they are clients (a server's, as always, goes unsaid).
    const who = (side: { agent: string; role: Role }) =>
      a.role !== b.role || side.role === 'client' ? `${side.agent} ${side.role}` : side.agent;
    const compared = compareVerdictMaps(a.verdicts, b.verdicts);
    const flip = (c: VerdictChange) => isTimingFlip(c, a.seen[c.caseId], b.seen[c.caseId]);
    const timingDependent = compared.changed.filter(flip);
    const regressions = compared.regressions.filter((c) => !flip(c));
    const fixes = compared.fixes.filter((c) => !flip(c));
    const changed = compared.changed;
    const regressed = new Set(regressions.map((c) => c.caseId));
    const fixed = new Set(fixes.map((c) => c.caseId));
    const timing = new Set(timingDependent.map((c) => c.caseId));
    const other = changed.filter((c) => !regressed.has(c.caseId) && !fixed.has(c.caseId) && !timing.has(c.caseId));
    if (flags.json) {
      const summary = {
        before: a.agent,
        after: b.agent,
        beforeRole: a.role,
        afterRole: b.role,
        regressions,
        fixes,
        timingDependent,
        other,
      };
      ctx.stdout(`${JSON.stringify(summary, null, 1)}\n`);
    } else if (changed.length === 0) {
      ctx.stdout(
        `no verdict changed between ${who(a)} (${positionals.before}) and ${who(b)} (${positionals.after}) ` +
          `over ${Object.keys(b.verdicts).length} cases\n`,
      );
    } else {
      ctx.stdout(
        `${who(a)} (${positionals.before}) → ${who(b)} (${positionals.after}): ` +
          `${regressions.length} regressed, ${fixes.length} fixed, ` +
          `${timingDependent.length} timing-dependent, ${other.length} other changes\n`,
      );
      if (regressions.length) ctx.stdout(`regressions:\n${regressions.map(line).join('\n')}\n`);
      if (fixes.length) ctx.stdout(`fixes:\n${fixes.map(line).join('\n')}\n`);
      if (timingDependent.length) {
        const seenText = (seen: string[] | undefined) => (seen && seen.length > 1 ? ` (seen: ${seen.join(', ')})` : '');
        const timingLine = (c: VerdictChange) =>
          `${line(c)}${seenText(a.seen[c.caseId]) || seenText(b.seen[c.caseId])}`;
        ctx.stdout(
          `timing-dependent (not regressions: the verdict differed across --repeat runs):\n` +
            `${timingDependent.map(timingLine).join('\n')}\n`,
        );
      }
      if (other.length) ctx.stdout(`cases on one side only:\n${other.map(line).join('\n')}\n`);
    }
    return regressions.length > 0 ? 1 : 0;
  },
};
