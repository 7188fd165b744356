/**
 * Helpers for the tests of @wsmatrix/cases and of the packages that play its cases (runner, bench, the
 * matrix app), imported as `@wsmatrix/cases/testing`. Not part of the catalogue's API: it lives beside
 * `src/`, and no `src/` module imports it.
 */
import { caseById, type CaseDef } from '../src/index.js';

/** The catalogue's case `id` (any group); throws for an id the catalogue lacks, naming it. */
export function caseDef(id: string): CaseDef {
  const def = caseById(id);
  if (!def) throw new Error(`no case ${id} in the catalogue`);
  return def;
}
