import { spawn } from 'node:child_process';
import { trackChild } from '../external/live-children.js';
import { firstLine } from '../external/unavailable.js';

/** What one npm command did. */
export interface NpmResult {
  /** Exit code; null when it was killed or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when npm could not be started or was killed (not found, timed out). */
  error?: string;
}

/** Runs `npm ARGS` in a folder; injected by tests, which count the calls and answer for the registry. */
export type NpmRunner = (args: readonly string[], options: { cwd: string; timeoutMs: number }) => Promise<NpmResult>;

/** The npm on PATH, as a child stopped with the others on an interrupt. */
export const runNpm: NpmRunner = (args, { cwd, timeoutMs }) =>
  new Promise((resolve) => {
    const startedAt = Date.now();
    const child = spawn('npm', [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    trackChild(child, { group: false });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', (err: NodeJS.ErrnoException) => {
      resolve({ code: null, stdout, stderr, error: err.code === 'ENOENT' ? 'npm not found' : err.message });
    });
    child.once('close', (code, signal) => {
      if (signal === null) return resolve({ code, stdout, stderr });
      const timedOut = Date.now() - startedAt >= timeoutMs;
      resolve({
        code,
        stdout,
        stderr,
        error: timedOut ? `timed out after ${timeoutMs / 1000} s` : `killed by ${signal}`,
      });
    });
  });

const ERROR_LINE = /^npm (?:error|ERR!)\s*(.*)$/;

/**
 * Why an npm command failed, in one line: its own error (not found, timed out), else npm's first `npm error` line
 * that says something (not the bare code, nor where its log is), else its exit code.
 */
export function npmFailure(result: NpmResult): string {
  if (result.error !== undefined) return result.error;
  const said = result.stderr
    .split(/\r?\n/)
    .map((line) => ERROR_LINE.exec(line)?.[1]?.trim() ?? '')
    .find((l) => l !== '' && !/^(code \S+|\d{3})$/.test(l) && !/complete log of this run/i.test(l));
  return said ? firstLine(said) : `npm exited with ${result.code}`;
}
