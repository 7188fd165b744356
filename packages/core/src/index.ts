/**
 * The package's API: what other packages use (the matrix's core target starts `createEchoServer`). The
 * server itself, its options and the connection types are in src/server.ts, src/options.ts and
 * src/connection-types.ts; this package's tests and scripts import them from there.
 */
export { createEchoServer } from './echo.js';
