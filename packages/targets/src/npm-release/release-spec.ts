import { InvalidReleaseSpecError } from './errors.js';

/** `NAME@VERSION`: NAME a target or npm package name, VERSION an exact version, a range or a dist-tag. */
export interface ReleaseSpec {
  /** As written. */
  spec: string;
  /** Before the `@`: a target definition's name or the npm package it runs. */
  name: string;
  /** After the `@`. */
  version: string;
  /** Whether `version` is one exact version (else npm resolves it to the newest matching one). */
  exact: boolean;
}

/** A name as targets files and npm spell them (lower case; `+` for a configured variant such as ws+deflate). */
const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~+-]*$/;
/** Semantic version as npm publishes it: 1.2.3, 1.2.3-beta.1, 1.2.3+build. */
const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;
/** One comparator of a range: 6, 6.x, ^6.1, ~1.1.5, >=8, <8.1.0-0, *. */
const COMPARATOR = /^(?:[<>]=?|=|\^|~)?v?(?:\d+|[xX*])(?:\.(?:\d+|[xX*])){0,2}(?:-[0-9A-Za-z.-]+)?$/;
/** A dist-tag: latest, next, canary (never starting with a digit, so it cannot be mistaken for a version). */
const DIST_TAG = /^[A-Za-z][A-Za-z0-9._-]*$/;

function isRange(version: string): boolean {
  const tokens = version.trim().split(/\s+/);
  return tokens.every((t) => t === '||' || t === '-' || COMPARATOR.test(t)) && COMPARATOR.test(tokens[0]!);
}

/** Whether a `--targets` value asks for an npm release (an `@` after the first character) rather than a name. */
export function isReleaseSpec(value: string): boolean {
  return value.lastIndexOf('@') > 0;
}

/** Splits and checks `NAME@VERSION`; InvalidReleaseSpecError says what is wrong, in one line. */
export function parseReleaseSpec(spec: string): ReleaseSpec {
  const at = spec.lastIndexOf('@');
  if (at <= 0) throw new InvalidReleaseSpecError(spec, 'expected NAME@VERSION (e.g. ws@6.2.2, ws@6, bun@latest)');
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1);
  if (!NAME.test(name)) {
    throw new InvalidReleaseSpecError(spec, `"${name}" is not a target or npm package name`);
  }
  if (version === '') throw new InvalidReleaseSpecError(spec, `no version after the @ (e.g. ${name}@1.2.3)`);
  if (EXACT.test(version)) return { spec, name, version, exact: true };
  if (isRange(version) || DIST_TAG.test(version)) return { spec, name, version, exact: false };
  throw new InvalidReleaseSpecError(
    spec,
    `"${version}" is not a version, a range or a dist-tag (e.g. ${name}@1.2.3, ${name}@1, ${name}@latest)`,
  );
}
