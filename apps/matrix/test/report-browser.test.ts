/**
 * Opens a generated report in a real headless Chromium (Debian's chromium, driven by playwright-core),
 * checks the grid and follows a link to a case page whose wire log must render, and saves a screenshot.
 * Under CI the browser is required (.ci/run installs it); elsewhere the test is skipped without one.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
/** Kept after the run so a person can look at it. */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '..', 'test-output');

const CASES = ['1.1.1', '1.1.2', '2.2', '5.1', '6.4.1', '7.9.1'];
const TARGETS = ['core', 'ws', 'uws'];

describe.runIf(haveBrowser || process.env.CI)('the report in headless Chromium', () => {
  let browser: Browser;
  let reportDir: string;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'wsmatrix-browser-'));
    reportDir = path.join(dir, 'report');
    const code = await main(
      ['matrix', '--targets', TARGETS.join(','), '--cases', CASES.join(','), '--no-save', '--results', path.join(dir, 'results'), '--report', reportDir],
      { stdout: () => {}, stderr: () => {}, signal: new AbortController().signal },
    );
    expect(code).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a row per case and a column per implementation; a cell opens a case page with its wire log', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(path.join(reportDir, 'index.html')).href);
    expect(await page.locator('#grid tr[data-case]').count()).toBe(CASES.length);
    expect(await page.locator('#grid th[data-column]').count()).toBe(TARGETS.length);
    expect(await page.locator('#grid td.cell a').count()).toBe(CASES.length * TARGETS.length);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-index.png'), fullPage: true });

    // Follow the link of core's 1.1.2 cell, as a user would.
    await page.locator('#grid tr[data-case="1.1.2"] td.cell a').first().click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/cases\/.+\/1\.1\.2\.html$/);
    for (const section of ['case-description', 'case-outcome', 'closing-behaviour', 'opening-handshake', 'wire-statistics', 'wire-log']) {
      expect(await page.locator(`h2#${section}`).count()).toBe(1);
    }
    const rows = page.locator('#wirelog tr[data-entry]');
    expect(await rows.count()).toBeGreaterThan(3);
    // The 125-octet text frame the runner sent is in the log, decoded, and its octets are shown in hex.
    const logText = await page.locator('#wirelog').innerText();
    expect(logText).toMatch(/TEXT|text/);
    expect(logText).toMatch(/\b81 fd\b|\b81 FD\b/i);
    expect(await page.locator('#wirelog').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'report-case-1.1.2.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
