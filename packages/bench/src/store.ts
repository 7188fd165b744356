/** Benchmark results on disk: <results>/bench/<startedAt>.json, machine description included. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchResult } from './result.js';

/** Writes the result under `resultsRoot`/bench/ and returns the file path. */
export async function saveBenchResult(resultsRoot: string, result: BenchResult): Promise<string> {
  const dir = path.join(resultsRoot, 'bench');
  await mkdir(dir, { recursive: true });
  // Colons are not portable in file names.
  const file = path.join(dir, `${result.startedAt.replace(/:/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
