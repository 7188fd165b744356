/**
 * The two parts of a report: servers (wsmatrix plays the cases as the client, Autobahn's fuzzingclient mode) and
 * clients (wsmatrix plays them as the server, Autobahn's fuzzingserver mode). The same case id means a different
 * exchange in each part, so each has its own grid, totals, case pages and record folder, and nothing of one is
 * ever compared with the other.
 */

/** Which side of the connection a column's implementation is. */
export type Role = 'server' | 'client';

export const ROLES: readonly Role[] = ['server', 'client'];

export interface ReportPart {
  role: Role;
  /** The part's heading on the index page. */
  heading: string;
  /** Prefix of every id the part has in index.html ('' for servers: their ids are those of a servers-only report). */
  idPrefix: string;
  /** Folder of the part's case pages. */
  casesDir: string;
  /** Folder of the part's full case records beside the report, as Autobahn names its report folders. */
  recordsDir: string;
  /** What a column's status 'down' means in this part. */
  downText: string;
}

export const PARTS: Readonly<Record<Role, ReportPart>> = {
  server: {
    role: 'server',
    heading: 'Servers',
    idPrefix: '',
    casesDir: 'cases',
    recordsDir: 'servers',
    downText: 'target down',
  },
  client: {
    role: 'client',
    heading: 'Clients',
    idPrefix: 'client-',
    casesDir: 'client-cases',
    recordsDir: 'clients',
    downText: 'driver failed',
  },
};

/** A column or stored run without a role is a server's: everything stored before clients were tested is. */
export function roleOf(item: { role?: Role | undefined }): Role {
  return item.role === 'client' ? 'client' : 'server';
}

/** The role Autobahn's folder names say: reports/clients holds client results, reports/servers server results. */
export function roleOfFolderName(name: string): Role | undefined {
  return name === 'clients' ? 'client' : name === 'servers' ? 'server' : undefined;
}
