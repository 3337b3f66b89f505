import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { shot } from './helpers.ts';

/**
 * A gateway that may have accepted a batch but answered 500, and has no report for it: the
 * campaign's dashboard must show exactly who may get the message twice, and let the user decide.
 * This test runs its own web bridge pointed at that gateway (SMSDESK_GATEWAY_URL).
 */
const KEY = 'uncertain-e2e-key-0123456789';
let gateway: http.Server;
let bridge: ChildProcess;
let base = '';

test.beforeAll(async () => {
  gateway = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.method === 'POST' ? { status_code: 500, message: 'internal error' } : { message: 'batch not found' };
      res.writeHead(req.method === 'POST' ? 500 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', () => r()));
  const gwPort = (gateway.address() as { port: number }).port;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-e2e-uncertain-'));
  bridge = spawn(process.execPath, ['scripts/web.mjs', '--port', '0', '--data-dir', dataDir, '--no-open'], {
    // no token, and a keychain entry of its own: never the developer's real token
    env: { ...process.env, SMSDESK_WEB_KEY: KEY, SMSDESK_GATEWAY_URL: `http://127.0.0.1:${gwPort}`, SMSDESK_TOKEN: '', SMSDESK_KEYCHAIN_SERVICE: `SMS Desk e2e ${process.pid}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    bridge.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    bridge.on('exit', (code) => reject(new Error(`the web bridge stopped (${code}): ${out}`)));
  });
});

test.afterAll(async () => {
  bridge?.kill('SIGTERM');
  await new Promise<void>((r) => (gateway ? gateway.close(() => r()) : r()));
});

async function call<T>(request: APIRequestContext, route: string, input: unknown = null): Promise<T> {
  const res = await request.post(`${base}/api/call`, { headers: { 'X-SMSDesk-Key': KEY }, data: { route, input } });
  const body = await res.json() as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${route}: ${body.error?.message}`);
  return body.value as T;
}

test('uncertain recipients are listed, and marking them failed settles the campaign', async ({ page, request }) => {
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 200 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 500 });
  await call(request, 'settings.set', { key: 'retry.initialMs', value: 50 });
  const { importId } = await call<{ importId: string }>(request, 'imports.begin', { list: 'maybe sent', fields: [], phoneColumn: 'phone' });
  await call(request, 'imports.add', { importId, rows: ['08071230001', '08071230002', '08071230003'].map((phone, i) => ({ row: i + 2, phone, fields: {} })) });
  const report = await call<{ list: { id: number } }>(request, 'imports.commit', { importId });
  const c = await call<{ id: number }>(request, 'campaigns.create', { list: report.list.id, from: 'Maybe', text: 'Same text for all, one batch' });
  await call(request, 'campaigns.send', { id: c.id });

  await page.goto(`${base}/?key=${KEY}#/campaign/${c.id}`);
  const panel = page.getByTestId('uncertain');
  await expect(panel).toContainText('3 recipients need your decision', { timeout: 30_000 });
  await panel.locator('summary').first().click();
  for (const n of ['+2348071230001', '+2348071230002', '+2348071230003']) await expect(panel).toContainText(n);
  await expect(panel.getByRole('button', { name: 'Re-send to those with no report' })).toBeVisible();
  // Nothing is left to send, but a campaign is not completed while recipients are undecided.
  await expect.poll(async () => (await call<{ state: string }>(request, 'campaigns.status', { id: c.id })).state).toBe('sending');
  await expect(page.getByTestId('campaign-state')).toHaveText('Needs your decision');
  await shot(page, '18-uncertain');
  await page.getByRole('link', { name: 'History' }).click();
  const link = page.locator(`a[href="#/campaign/${c.id}"]`);
  const row = page.getByRole('row').filter({ has: link });
  await expect(row.locator('.state')).toHaveText('Needs your decision');
  await shot(page, '19-history-needs-decision');
  await link.click();

  await panel.getByRole('button', { name: 'Mark them failed (do not re-send)' }).click();
  await expect(panel).toBeHidden();
  await expect(page.getByTestId('count-failed')).toHaveText('3');
  await expect(page.getByTestId('campaign-state')).toHaveText('Completed');
});
