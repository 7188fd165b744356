import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeCaseBundles } from '@wsmatrix/runner';
import { parseArgs, UsageError, type CommandSpec } from '../args.js';
import {
  PARTS,
  roleOf,
  writeReport,
  type HistoryPoint,
  type ReportColumn,
  type Role,
  type StoredRelease,
} from '../report/index.js';
import { loadResultFolder, NotAResultFolderError } from '../result-folders.js';
import type { Command } from './types.js';

export const reportSpec = {
  name: 'report',
  summary:
    "Build the HTML report from result folders: the matrix's stored results, Autobahn's reports/servers and clients.",
  positionals: [
    {
      name: 'dir',
      description:
        'A result folder: Autobahn reports (index.json and case files), a stored matrix results folder, ' +
        'or one release of it',
      variadic: true,
    },
  ],
  flags: {
    out: {
      type: 'string',
      default: 'reports/html',
      placeholder: 'DIR',
      description: 'Where the static HTML report goes',
    },
    title: {
      type: 'string',
      placeholder: 'TEXT',
      description: 'Title of every page [default: wsmatrix: WebSocket servers (and clients) side by side]',
    },
    role: {
      type: 'string',
      choices: ['server', 'client'],
      placeholder: 'ROLE',
      description:
        'Whose results the Autobahn folders hold, whatever their names say ' +
        "[default: client for a folder named 'clients', else server]",
    },
  },
  notes: [
    'Each agent of an Autobahn index.json is a column (case pages from its case files); each release of stored',
    'matrix results is a column (verdicts only, and the history of its runs).',
    "Client results (Autobahn's reports/clients, the matrix's <results>/clients/) are the report's Clients part,",
    'beside the Servers part: their own grid, totals, case pages and history.',
    'Exit codes: 0 report written; 1 it could not be written; 2 bad usage or a folder that holds no results.',
  ],
} as const satisfies CommandSpec;

/** Column keys must be unique in a part of a report: a second folder's "ws" server becomes "ws#2". */
function uniqueKeys(columns: ReportColumn[]): ReportColumn[] {
  const seen = new Map<string, number>();
  return columns.map((c) => {
    const slot = `${roleOf(c)} ${c.key}`;
    const n = (seen.get(slot) ?? 0) + 1;
    seen.set(slot, n);
    return n === 1 ? c : { ...c, key: `${c.key}#${n}`, label: `${c.label} (#${n})` };
  });
}

export const reportCommand: Command<typeof reportSpec> = {
  spec: reportSpec,
  async run(argv, ctx) {
    const { flags, variadic: dirs } = parseArgs(reportSpec, argv);
    const columns: ReportColumn[] = [];
    const history: HistoryPoint[] = [];
    const releases: StoredRelease[] = [];
    for (const dir of dirs) {
      const isDir = await stat(dir).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (!isDir) throw new UsageError(`report: ${dir} is not a folder`);
      try {
        const loaded = await loadResultFolder(dir, flags.role === undefined ? {} : { role: flags.role as Role });
        columns.push(...loaded.columns);
        history.push(...loaded.history);
        releases.push(...(loaded.releases ?? []));
      } catch (err) {
        if (err instanceof NotAResultFolderError) throw new UsageError(`report: ${err.message}`);
        throw err;
      }
    }
    const keyed = uniqueKeys(columns);
    // Full case records beside the report, so a case page's "whole wire log" link opens: servers/ and clients/.
    const withRecords = keyed.filter((c) => c.results.some((r) => Array.isArray(r.wirelog) && r.wirelog.length > 0));
    for (const part of Object.values(PARTS)) {
      const ofPart = withRecords.filter((c) => roleOf(c) === part.role);
      if (ofPart.length > 0)
        await writeCaseBundles(path.join(flags.out, part.recordsDir), new Map(ofPart.map((c) => [c.key, c.results])));
    }
    history.sort((a, b) => a.runAt.localeCompare(b.runAt));
    const { pages } = await writeReport(flags.out, {
      title:
        flags.title ??
        `wsmatrix: WebSocket servers${keyed.some((c) => roleOf(c) === 'client') ? ' and clients' : ''} side by side`,
      generatedAt: new Date().toISOString(),
      columns: keyed,
      history,
      releases,
    });
    for (const c of keyed)
      ctx.stdout(`${c.label}${roleOf(c) === 'client' ? ' (client)' : ''}: ${c.results.length} cases\n`);
    ctx.stdout(`report: ${path.join(flags.out, 'index.html')} (${pages} pages)\n`);
    return 0;
  },
};
