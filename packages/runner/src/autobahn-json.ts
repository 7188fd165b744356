/**
 * JSON exactly as AutobahnPython writes its reports (json.dumps with sort_keys, indent 3, separators
 * "," and ": ", ASCII only): object keys sorted as strings at every level, no newline at the end. Tools
 * that diff a committed index.json against a new one then see no change but the results.
 * Written by hand because JSON.stringify puts integer-like keys (frame stats by opcode) first in numeric
 * order, where Python sorts "10" before "9".
 */
export function autobahnJson(value: unknown): string {
  return encode(value, '') ?? 'null';
}

const INDENT = '   ';

function encode(value: unknown, indent: string): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return encode((value as { toJSON: () => unknown }).toJSON(), indent);
  }
  switch (typeof value) {
    case 'string':
      return asciiString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'object':
      break;
    default:
      return undefined;
  }
  const inner = indent + INDENT;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => `${inner}${encode(v, inner) ?? 'null'}`);
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const encoded = encode(record[key], inner);
    if (encoded !== undefined) members.push(`${inner}${asciiString(key)}: ${encoded}`);
  }
  return members.length === 0 ? '{}' : `{\n${members.join(',\n')}\n${indent}}`;
}

/** A JSON string with everything outside printable ASCII escaped, as Python's ensure_ascii does. */
function asciiString(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
