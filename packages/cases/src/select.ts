/**
 * Autobahn spec-file case selection (caseset.py): `cases`, `exclude-cases`, `exclude-agent-cases`.
 */

function idParts(id: string): number[] {
  const parts = id.split('.');
  const nums = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (parts.length === 0 || nums.some((n) => Number.isNaN(n))) {
    throw new Error(`case id "${id}" is not a dotted list of numbers`);
  }
  return nums;
}

/** Numeric, component-wise order ("1.10" after "1.9", "10.1.1" after "9.8.6"); a prefix sorts first. */
export function compareCaseIds(a: string, b: string): number {
  const pa = idParts(a);
  const pb = idParts(b);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const d = (pa[i] as number) - (pb[i] as number);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return pa.length === pb.length ? 0 : pa.length < pb.length ? -1 : 1;
}

/**
 * Autobahn turns a pattern into a regex by escaping `.` and turning `*` into `.*`. Autobahn leaves any
 * other regex metacharacter active (so an agent name such as "C++" would crash Python's re.compile); we
 * escape them, which gives the same result for every pattern Python can compile that uses none of them.
 */
function patternSource(pattern: string): string {
  return pattern
    .split('*')
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
}

/** `re.match` semantics: anchored at the start only. */
function startAnchored(pattern: string): RegExp {
  return new RegExp(`^(?:${patternSource(pattern)})`);
}

/** `^...$`: anchored at both ends (exclude-agent-cases). */
function fullyAnchored(pattern: string): RegExp {
  return new RegExp(`^(?:${patternSource(pattern)})$`);
}

function resolve(allIds: ReadonlySet<string>, patterns: readonly string[], strictLiterals: boolean): Set<string> {
  const out = new Set<string>();
  for (const p of patterns) {
    if (p.includes('*')) {
      const re = startAnchored(p);
      for (const id of allIds) if (re.test(id)) out.add(id);
    } else if (allIds.has(p)) {
      out.add(p);
    } else if (strictLiterals) {
      throw new Error(
        `unknown case id "${p}" in the spec's "cases" list (a literal id must name an existing case; ` +
          `use a pattern with "*" to select groups)`,
      );
    }
  }
  return out;
}

/**
 * The cases a spec selects: every id matched by `include` minus every id matched by `exclude`, sorted
 * numerically. An entry containing `*` is a pattern (`.` literal, `*` any run of characters) matched at
 * the start of the id only, as Python's re.match does: "1.*" selects 1.x but not 10.x, "*" selects all.
 * An entry without `*` is a literal id. An unknown literal in `include` is an error (Autobahn would crash
 * on it when the case comes up); an unknown literal in `exclude` is ignored, as in Autobahn.
 */
export function selectCaseIds(
  allIds: readonly string[],
  include: readonly string[],
  exclude: readonly string[],
): string[] {
  const all = new Set(allIds);
  const inc = resolve(all, include, true);
  const exc = resolve(all, exclude, false);
  return [...inc].filter((id) => !exc.has(id)).sort(compareCaseIds);
}

/**
 * Autobahn's `exclude-agent-cases`: `{ agentPattern: [casePattern, ...] }`. The case is skipped for the
 * agent when some agent pattern matches the whole agent name and one of its case patterns matches the
 * whole case id (both anchored at both ends, with the same `.` / `*` translation).
 */
export function agentCaseExcluded(
  excludeAgentCases: Readonly<Record<string, readonly string[]>>,
  agent: string,
  caseId: string,
): boolean {
  for (const [agentPattern, casePatterns] of Object.entries(excludeAgentCases)) {
    if (!fullyAnchored(agentPattern).test(agent)) continue;
    for (const cp of casePatterns) {
      if (fullyAnchored(cp).test(caseId)) return true;
    }
  }
  return false;
}
