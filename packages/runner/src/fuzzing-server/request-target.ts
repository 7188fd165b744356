/**
 * The request target of a fuzzingserver request, read as AutobahnPython reads it: the path as sent (not
 * percent-decoded, compared case-sensitively), the query as Python's parse_qs splits it (on "&" and ";",
 * "+" for a space, percent-escapes decoded as UTF-8, pairs without "=" and empty values left out).
 */

export interface RequestTarget {
  path: string;
  /** Every value of each name, in the order sent. */
  params: ReadonlyMap<string, readonly string[]>;
}

/** Decodes "+" and %XX escapes; a "%" not followed by two hex digits stays as it is, as Python's unquote. */
function decodeComponent(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  if (!spaced.includes('%')) return spaced;
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length; i++) {
    const hex = spaced.slice(i + 1, i + 3);
    if (spaced[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      // The head was read as latin1, one char per byte: each char is its byte.
      bytes.push(spaced.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * Splits an origin-form ("/runCase?case=1") or absolute-form ("http://host/runCase?case=1") target.
 * Returns null for anything else ("*", an authority), which no fuzzingserver endpoint can be.
 */
export function parseRequestTarget(target: string): RequestTarget | null {
  let rest = target;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length) || '/';
  if (!rest.startsWith('/')) return null;
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const question = rest.indexOf('?');
  const path = question >= 0 ? rest.slice(0, question) : rest;
  const query = question >= 0 ? rest.slice(question + 1) : '';
  const params = new Map<string, string[]>();
  for (const pair of query.split(/[&;]/)) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const value = decodeComponent(pair.slice(eq + 1));
    if (value === '') continue;
    const name = decodeComponent(pair.slice(0, eq));
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return { path, params };
}
