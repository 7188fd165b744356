/** File names inside the report folder: every name is sanitised so nothing escapes the folder. */
import { PARTS, type ReportPart } from './parts.js';

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

/** The page of one case (every implementation of the part on it), relative to the report folder. */
export function casePagePath(caseId: string, part: ReportPart = PARTS.server): string {
  return `${part.casesDir}/${sanitise(caseId)}.html`;
}

/** The link from a grid cell: the case page, at its implementation's column. */
export function caseLink(folder: string, caseId: string, part: ReportPart = PARTS.server): string {
  return `${casePagePath(caseId, part)}#${folder}`;
}

/** Anchor id of a column header in index.html. */
export function columnAnchor(folder: string, part: ReportPart = PARTS.server): string {
  return `${part.idPrefix}column-${folder}`;
}

/** Anchor id of a case's grid row in index.html. */
export function caseRowAnchor(caseId: string, part: ReportPart = PARTS.server): string {
  return `${part.idPrefix}case-${caseId}`;
}
