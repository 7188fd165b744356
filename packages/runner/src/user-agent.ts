import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** This runner's version, from its package.json. */
export const RUNNER_VERSION: string = pkg.version;

/** The User-Agent of the opening handshake: names the tool and its version, as Autobahn's does. */
export const USER_AGENT = `wsmatrix-runner/${RUNNER_VERSION}`;
