import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import { E2E_KEY } from '../../playwright.config.ts';

export const ARTIFACTS = path.resolve('tests/e2e/artifacts');
fs.mkdirSync(ARTIFACTS, { recursive: true });

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export async function openApp(page: Page, hash = ''): Promise<void> {
  await page.goto(`/?key=${encodeURIComponent(E2E_KEY)}${hash}`);
}

/** Calls a route of the real bridge, as the page does. */
export async function call<T = unknown>(request: APIRequestContext, route: string, input: unknown = null): Promise<T> {
  const res = await request.post('/api/call', { headers: { 'X-SMSDesk-Key': E2E_KEY }, data: { route, input } });
  const body = await res.json() as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${route}: ${body.error?.message}`);
  return body.value as T;
}

/** An .xlsx written by LibreOffice from CSV text, as an office worker's export would be. */
export function xlsxFromCsv(csv: string, name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-e2e-xlsx-'));
  const csvFile = path.join(dir, `${name}.csv`);
  fs.writeFileSync(csvFile, csv);
  // CSV filter: comma, double quote, UTF-8, from line 1; formulas are NOT evaluated, so a
  // "=HYPERLINK(...)" name stays the text a hostile sheet would carry.
  execFileSync('soffice', [
    `-env:UserInstallation=file://${dir}/profile`, '--headless',
    '--infilter=CSV:44,34,76,1,,,,,,,,,false', '--convert-to', 'xlsx', '--outdir', dir, csvFile,
  ], { stdio: 'pipe', timeout: 120_000 });
  const out = path.join(dir, `${name}.xlsx`);
  if (!fs.existsSync(out)) throw new Error(`soffice did not write ${out}`);
  return out;
}
