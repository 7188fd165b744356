/**
 * Helpers for the tests of @wsmatrix/protocol and of the packages that depend on it (core, cases, runner,
 * targets, bench, the matrix app), imported as `@wsmatrix/protocol/testing`. Not part of the codec: it
 * lives beside `src/`, never inside it, and no `src/` module imports it.
 */
export { bytewise, chop, hex, patterned, prng, pseudoRandomBytes, utf8Payload } from './bytes.js';
export { PROPERTY_SEED, PROPERTY_TIMEOUT_MS, propertyParams } from './properties.js';
export { unusedPort, withTimeout } from './io.js';
