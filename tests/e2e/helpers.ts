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
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
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
  execFileSync(
    'soffice',
    [
      `-env:UserInstallation=file://${dir}/profile`,
      '--headless',
      '--infilter=CSV:44,34,76,1,,,,,,,,,false',
      '--convert-to',
      'xlsx',
      '--outdir',
      dir,
      csvFile,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  );
  const out = path.join(dir, `${name}.xlsx`);
  if (!fs.existsSync(out)) throw new Error(`soffice did not write ${out}`);
  return out;
}

/**
 * A web-mode server of a spec's own, on a fresh data folder (the shared one has every other spec's
 * lists): for what only an empty folder shows. No token, its own keychain entry, the sandbox gateway.
 */
export async function ownServer(
  opts: {
    key?: string;
    env?: Record<string, string>;
    /** a command that runs the rest of its arguments, e.g. scripts/with-keyring.sh (a private keychain) */
    wrapper?: string;
  } = {},
): Promise<{
  base: string;
  open(page: Page, hash?: string): Promise<void>;
  call<T = unknown>(request: APIRequestContext, route: string, input?: unknown): Promise<T>;
  close(): Promise<void>;
}> {
  const { spawn } = await import('node:child_process');
  const key = opts.key ?? E2E_KEY;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-e2e-own-'));
  const argv = [process.execPath, 'scripts/web.mjs', '--port', '0', '--data-dir', dataDir, '--no-open'];
  const [cmd, ...args] = opts.wrapper ? [opts.wrapper, ...argv] : argv;
  const child = spawn(cmd!, args, {
    env: {
      ...process.env,
      SMSDESK_WEB_KEY: key,
      SMSDESK_TOKEN: '',
      SMSDESK_KEYCHAIN_SERVICE: `SMS Desk e2e own ${process.pid} ${path.basename(dataDir)}`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`the web server stopped (${code}): ${out}`)));
  });
  return {
    base,
    open: async (page, hash = '') => {
      await page.goto(`${base}/?key=${encodeURIComponent(key)}${hash}`);
    },
    call: async <T>(request: APIRequestContext, route: string, input: unknown = null) => {
      const res = await request.post(`${base}/api/call`, {
        headers: { 'X-SMSDesk-Key': key },
        data: { route, input },
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
      if (!body.ok) throw new Error(`${route}: ${body.error?.message}`);
      return body.value as T;
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
