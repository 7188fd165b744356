/** The report's view of one part (servers or clients): column folders, results by case id, the rows of the grid. */
import { allCases, compareCaseIds, groupsOfCase } from '@wsmatrix/cases';
import type { CaseResult } from '@wsmatrix/runner';
import { PARTS, type ReportPart, type Role } from './parts.js';
import { columnFolders } from './paths.js';
import type { ReportColumn } from './types.js';

export interface ColumnModel {
  column: ReportColumn;
  /** Sanitised, unique folder name under cases/. */
  folder: string;
  byId: Map<string, CaseResult>;
  /** This column's case ids in numeric order (for previous/next links). */
  ids: string[];
}

export interface ReportModel {
  /** Servers or clients: where the part's pages and anchors are. */
  part: ReportPart;
  columns: ColumnModel[];
  /** Every case id any column has a result for, in numeric order. */
  caseIds: string[];
}

export interface GroupRef {
  id: string;
  title: string;
}

const DESCRIPTIONS = new Map(allCases.map((c) => [c.id, c.description]));

/** The model of one part; `columns` are that part's (their role is not looked at here). */
export function buildModel(columns: readonly ReportColumn[], role: Role = 'server'): ReportModel {
  const folders = columnFolders(columns.map((c) => c.key));
  const ids = new Set<string>();
  const models = columns.map((column) => {
    const byId = new Map<string, CaseResult>();
    // Results are used whatever the status, so a target that went down midway still shows what it did.
    for (const r of Array.isArray(column.results) ? column.results : []) {
      if (r && typeof r.id === 'string') byId.set(r.id, r);
    }
    for (const id of byId.keys()) ids.add(id);
    return { column, folder: folders.get(column.key)!, byId, ids: [...byId.keys()].sort(compareCaseIds) };
  });
  return { part: PARTS[role], columns: models, caseIds: [...ids].sort(compareCaseIds) };
}

/** The groups a case sits in, outermost first; a category without a known title still gets a heading. */
export function groupsOf(caseId: string): GroupRef[] {
  const known = groupsOfCase(caseId);
  if (known.length > 0) return known.map((g) => ({ id: g.id, title: g.title }));
  const top = caseId.split('.')[0] ?? caseId;
  return [{ id: top, title: `Category ${top}` }];
}

/** The case's description from any result, else from the catalogue. */
export function describeCase(model: ReportModel, caseId: string): string {
  for (const c of model.columns) {
    const d = c.byId.get(caseId)?.description;
    if (typeof d === 'string' && d) return d;
  }
  return DESCRIPTIONS.get(caseId) ?? '';
}
