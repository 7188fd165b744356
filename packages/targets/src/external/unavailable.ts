/**
 * Thrown by an external target's start() when it cannot run on this machine (a toolchain, a
 * package or the server command is missing, or the build fails). The matrix shows `reason` in
 * that target's column instead of failing the whole run.
 */
export class TargetUnavailableError extends Error {
  constructor(
    readonly target: string,
    /** One line, e.g. "libwslay-dev not installed (wslay/wslay.h missing)". */
    readonly reason: string,
  ) {
    super(`target "${target}" is unavailable: ${reason}`);
    this.name = 'TargetUnavailableError';
  }
}

/** The first non-empty line of a command's output, trimmed to a length a table cell can show. */
export function firstLine(text: string, max = 200): string {
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
