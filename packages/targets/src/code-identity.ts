/**
 * What identifies the code a target or client runs beyond this package's build: its echo program or driver,
 * and the definition that starts it. Stored verdicts are reused only while it is unchanged (apps/matrix reuse).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Never code of ours: installed packages, Python's byte-code caches. */
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__']);

const folderHashes = new Map<string, string>();

function hashFolder(hash: ReturnType<typeof createHash>, root: string, dir: string): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      // A folder with a targets file of its own is another family's (an included file), not this one's code.
      if (SKIPPED_DIRS.has(e.name) || existsSync(join(full, 'targets.json'))) continue;
      hashFolder(hash, root, full);
    } else if (e.isFile()) {
      hash.update(relative(root, full)).update('\0').update(readFileSync(full)).update('\0');
    }
  }
}

/** sha256 (hex, 16 digits) over every file of `dir` and its sub-folders but other families' (computed once). */
export function folderIdentity(dir: string): string {
  let found = folderHashes.get(dir);
  if (found === undefined) {
    const hash = createHash('sha256');
    hashFolder(hash, dir, dir);
    found = hash.digest('hex').slice(0, 16);
    folderHashes.set(dir, found);
  }
  return found;
}

/** A definition from a targets file together with the files of its folder. */
export function definitionIdentity(definition: object, dir: string): string {
  return createHash('sha256')
    .update(JSON.stringify(definition))
    .update('\0')
    .update(folderIdentity(dir))
    .digest('hex')
    .slice(0, 16);
}
