/** Values for the `{name}` placeholders of a targets file's command lines. */
export interface PlaceholderValues {
  host?: string;
  port?: number;
  /** Folder of the targets file. */
  dir?: string;
  /** Path of the built server. */
  build?: string;
  /** Where a build command must write. */
  output?: string;
  /** A client driver's fuzzingserver base URL, e.g. ws://127.0.0.1:9001. */
  url?: string;
  /** The agent name a client driver reports its results under. */
  agent?: string;
  /** Absolute folder of the target's npm package (its definition's `npm`). */
  package?: string;
  /** The Node running wsmatrix (default process.execPath): a JavaScript program runs on the Node under test. */
  node?: string;
}

// Only these names are placeholders, so text like dpkg-query's `${Version}` passes through.
const PLACEHOLDER = /\{(host|port|dir|build|output|url|agent|package|node)\}/g;

/** Substitutes placeholders in every argument; a placeholder without a value is an error. */
export function expandArgv(argv: readonly string[], values: PlaceholderValues): string[] {
  return argv.map((arg) =>
    arg.replace(PLACEHOLDER, (_, key: keyof PlaceholderValues) => {
      const value = key === 'node' ? (values.node ?? process.execPath) : values[key];
      if (value === undefined) throw new Error(`placeholder {${key}} has no value in "${arg}"`);
      return String(value);
    }),
  );
}
