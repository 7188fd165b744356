/** HTML building blocks: escaping, attribute lists and the shared page frame. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes any value for use as HTML text or a quoted attribute value. */
export function esc(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : String(value);
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** ` a="x" b` from an attribute map; false/null/undefined attributes are left out. */
export function attrs(map: Attrs): string {
  let out = '';
  for (const [name, value] of Object.entries(map)) {
    if (value === false || value === null || value === undefined) continue;
    out += value === true ? ` ${name}` : ` ${name}="${esc(value)}"`;
  }
  return out;
}

/** A table from a header row and body rows of already-built cell HTML. */
export function table(head: string[], rows: string[][], attributes: Attrs = {}): string {
  const thead = `<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>`;
  const tbody = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${attrs(attributes)}>${thead}<tbody>\n${tbody}\n</tbody></table>`;
}

/** A complete page; `root` is the relative path back to the report folder ('' or '../../'). */
export function page(opts: { title: string; root: string; body: string; nav?: string; bodyClass?: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<link rel="stylesheet" href="${esc(opts.root)}style.css">
</head>
<body${opts.bodyClass ? ` class="${esc(opts.bodyClass)}"` : ''}>
${opts.nav ?? ''}
${opts.body}
</body>
</html>
`;
}

/** A case time (ms from the connection opening to the end of the case, as Autobahn times cases). */
export function formatCaseTime(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms) ? `${Math.round(ms)} ms` : '? ms';
}

/** Cuts long text for display, noting how much was left out. */
export function truncateText(text: string, max: number): { shown: string; more: number } {
  return text.length > max ? { shown: text.slice(0, max), more: text.length - max } : { shown: text, more: 0 };
}

/** Milliseconds as seconds with one decimal. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
