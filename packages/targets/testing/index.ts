/**
 * Helpers for the tests of @wsmatrix/targets and of the packages that start servers through it (the
 * matrix app), imported as `@wsmatrix/targets/testing`: what became of the processes a test started, read
 * from /proc. Not part of the targets API: it lives beside `src/`, and no `src/` module imports it.
 */
export { commandLine, descendants, groupIsGone, isAlive, survivors } from './processes.js';
