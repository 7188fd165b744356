import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh folder under the system's temp dir, named `wsmatrix-<label>-…` so a leftover says which test made it. */
export function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `wsmatrix-${label}-`));
}
