import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli.js';
import { formatCommandUsage } from '../src/args.js';

const BIN = fileURLToPath(new URL('../bin/wsmatrix.js', import.meta.url));

describe('help texts', () => {
  for (const [name, command] of Object.entries(commands)) {
    it(`${name} --help: every flag and argument with its text, at least two spaces apart, no empty default`, () => {
      const text = formatCommandUsage(command.spec);
      expect(text).not.toMatch(/\[default: \]/);
      for (const flag of Object.keys(command.spec.flags)) {
        // "--flag VALUE  Text": the label, then two spaces or a line break before the text.
        expect(text).toMatch(new RegExp(`^  --${flag.replace(/[+]/g, '\\+')}( [A-Z]+)?(  +\\S|\\n {4,}\\S)`, 'm'));
      }
      for (const p of command.spec.positionals) expect(text).toMatch(new RegExp(`^  ${p.name}  +\\S`, 'm'));
    });
  }
});

describe('a closed stdout (wsmatrix … | head)', () => {
  it('ends quietly: no EPIPE error or stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'cases'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before the CLI writes its first line.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
