/** Semantic versions compared as npm orders them: numerically by part, a pre-release before its release. */

function parts(version: string): { main: number[]; pre: string[] } {
  const [core = '', ...preParts] = version.split('+')[0]!.split('-');
  return { main: core.split('.').map(Number), pre: preParts.join('-') === '' ? [] : preParts.join('-').split('.') };
}

function compareIdentifiers(a: string, b: string): number {
  const numeric = /^\d+$/;
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  if (numeric.test(a)) return -1;
  if (numeric.test(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a is older than b, positive when newer, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.main[i] ?? 0) - (y.main[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    if (x.pre[i] === undefined) return -1;
    if (y.pre[i] === undefined) return 1;
    const d = compareIdentifiers(x.pre[i]!, y.pre[i]!);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest of some versions (undefined for none). */
export function newestVersion(versions: readonly string[]): string | undefined {
  return [...versions].sort(compareVersions).at(-1);
}
