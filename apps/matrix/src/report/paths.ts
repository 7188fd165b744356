/** File names inside the report folder: every name is sanitised so nothing escapes the folder. */

/** A file-name-safe form of any string: [A-Za-z0-9._-] kept, the rest '_', no leading dot. */
export function sanitise(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 100) || '_';
}

/** Folder name per column key (sanitised, made unique: 'ws@8' -> 'ws_8', a clash gets '-2'). */
export function columnFolders(keys: readonly string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const key of keys) {
    if (out.has(key)) continue;
    const base = sanitise(key);
    let name = base;
    for (let n = 2; used.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    used.add(name.toLowerCase());
    out.set(key, name);
  }
  return out;
}

/** The page of one case (every implementation on it), relative to the report folder. */
export function casePagePath(caseId: string): string {
  return `cases/${sanitise(caseId)}.html`;
}

/** The link from a grid cell: the case page, at its implementation's column. */
export function caseLink(folder: string, caseId: string): string {
  return `${casePagePath(caseId)}#${folder}`;
}

/** Anchor id of a column header in index.html. */
export function columnAnchor(folder: string): string {
  return `column-${folder}`;
}
