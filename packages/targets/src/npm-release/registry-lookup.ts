import { InvalidReleaseSpecError, ReleaseInstallError, ReleaseNotFoundError } from './errors.js';
import { npmFailure, type NpmRunner } from './npm-runner.js';
import { newestVersion } from './versions.js';

/**
 * A registry answer takes a second or two; this only stops a hung npm. Unreachable, npm retries for over a minute
 * before it says why, which is worth waiting for.
 */
const VIEW_TIMEOUT_MS = 180_000;

interface NpmJsonError {
  error?: { code?: unknown; summary?: unknown };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The exact version `npm view PACKAGE@VERSION version --json` names: the version itself, the newest one a range
 * matches, or the one a dist-tag points at. ReleaseNotFoundError when the registry has no such package or
 * release; InvalidReleaseSpecError when npm rejects the version as written; ReleaseInstallError when npm could not
 * ask (no network).
 */
export async function resolveReleaseVersion(
  spec: string,
  pkg: string,
  version: string,
  npm: NpmRunner,
  cwd: string,
): Promise<string> {
  const result = await npm(['view', `${pkg}@${version}`, 'version', '--json'], { cwd, timeoutMs: VIEW_TIMEOUT_MS });
  const answer = parseJson(result.stdout);
  if (result.code !== 0 || result.error !== undefined) {
    const { code, summary } = (answer as NpmJsonError | undefined)?.error ?? {};
    const said = typeof summary === 'string' && summary !== '' ? summary : npmFailure(result);
    if (code === 'E404') {
      throw new ReleaseNotFoundError(
        spec,
        /^Not Found/.test(said) ? `the registry has no package "${pkg}"` : `no release of ${pkg} matches "${version}"`,
      );
    }
    if (code === 'EINVALIDTAGNAME' || code === 'EINVALIDPACKAGENAME') throw new InvalidReleaseSpecError(spec, said);
    throw new ReleaseInstallError(spec, `npm view ${pkg}@${version} failed: ${said}`);
  }
  const versions = (Array.isArray(answer) ? answer : [answer]).filter((v): v is string => typeof v === 'string');
  const newest = newestVersion(versions);
  if (newest === undefined) throw new ReleaseNotFoundError(spec, `no release of ${pkg} matches "${version}"`);
  return newest;
}
