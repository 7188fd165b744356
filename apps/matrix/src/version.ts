import { readFileSync } from 'node:fs';

/** This tool's version, from apps/matrix/package.json. */
export const WSMATRIX_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The User-Agent the fuzzing client sends: names the tool and its version. */
export const USER_AGENT = `wsmatrix/${WSMATRIX_VERSION} (Autobahn-style fuzzing client)`;
